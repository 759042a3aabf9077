import { ValidationError } from '../../errors/index';
import type { SyncStateStore } from '../sync-state';
import { compositeKey } from './backend';
import type { MemoryContext } from './context';

// Expired delivery ids are swept once the map grows past this, so a long-running process does not grow forever.
const DELIVERY_SWEEP_THRESHOLD = 10_000;

export function createMemorySyncStateStore(ctx: MemoryContext): SyncStateStore {
  return {
    async getCursor(connectionId, scope) {
      return ctx.state().cursors.get(compositeKey(connectionId, scope))?.cursor ?? null;
    },

    async setCursor(connectionId, scope, cursor) {
      ctx.state().cursors.set(compositeKey(connectionId, scope), {
        connectionId,
        scope,
        cursor,
        updatedAt: ctx.clock.now(),
      });
    },

    async rememberDelivery(provider, deliveryId, ttlMs) {
      if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
        throw new ValidationError(`Delivery ttlMs must be a positive number, got ${ttlMs}`);
      }
      const { deliveries } = ctx.state();
      const now = ctx.clock.now();
      const key = compositeKey(provider, deliveryId);
      const expiresAt = deliveries.get(key);
      if (expiresAt !== undefined && expiresAt > now) return false;
      if (deliveries.size >= DELIVERY_SWEEP_THRESHOLD) {
        for (const [id, until] of deliveries) if (until <= now) deliveries.delete(id);
      }
      deliveries.set(key, now + ttlMs);
      return true;
    },

    async forgetDelivery(provider, deliveryId) {
      ctx.state().deliveries.delete(compositeKey(provider, deliveryId));
    },
  };
}
