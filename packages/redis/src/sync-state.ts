import { type Clock, type SyncStateStore, ValidationError } from '@blueclerk/core';
import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys';
import { runRedis } from './lua';

// Cursors: one hash per connection (scope -> JSON), dropped with the connection. Deliveries: one `SET NX PX` key per
// delivery id, which is both the atomic "first one wins" check and its own expiry; forgetting one deletes the key.

export function createRedisSyncStateStore(redis: Redis, keys: RedisKeys, clock: Clock): SyncStateStore {
  return {
    async getCursor(connectionId, scope) {
      const json = await runRedis('getCursor', () => redis.hget(keys.cursors(connectionId), scope));
      return json === null ? null : (JSON.parse(json) as { cursor: string }).cursor;
    },

    async setCursor(connectionId, scope, cursor) {
      const value = JSON.stringify({ cursor, updatedAt: clock.now() });
      await runRedis('setCursor', () => redis.hset(keys.cursors(connectionId), scope, value));
    },

    async rememberDelivery(provider, deliveryId, ttlMs) {
      if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
        throw new ValidationError('Delivery ttlMs must be a positive integer number of milliseconds', [
          { path: 'ttlMs', message: 'expected a positive integer' },
        ]);
      }
      const set = await runRedis('rememberDelivery', () =>
        redis.set(keys.delivery(provider, deliveryId), String(clock.now()), 'PX', ttlMs, 'NX'),
      );
      return set === 'OK';
    },

    async forgetDelivery(provider, deliveryId) {
      await runRedis('forgetDelivery', () => redis.del(keys.delivery(provider, deliveryId)));
    },
  };
}
