import { type BlueClerkStorage, type Clock, ConfigurationError, systemClock } from '@blueclerk/core';
import { Redis } from 'ioredis';
import { createRedisConnectionStore } from './connections';
import { createRedisKeys } from './keys';
import { createRedisLedger } from './ledger';
import { createRedisLinkStore } from './links';
import { createRedisLockProvider } from './locks';
import { runRedis } from './lua';
import { createRedisNotificationStore } from './notifications';
import { createRedisSyncStateStore } from './sync-state';

export interface RedisStorageOptions {
  /**
   * An ioredis client, or a `redis://` / `rediss://` URL. A client you pass stays yours: `close()` leaves it open.
   * A URL makes the storage open its own client, which `close()` quits.
   */
  redis: Redis | string;
  /** Prepended to every key, for several apps or tenants on one Redis. Default `blueclerk:`. */
  keyPrefix?: string;
  /** Time source for lease, claim and record timestamps. Default: the system clock. */
  clock?: Clock;
  /** Maximum notifications kept per owner; older ones are dropped on append. Default 1000. */
  maxNotificationsPerOwner?: number;
  /** An owner's notifications expire this long after their last append. Default 30 days. */
  notificationTtlMs?: number;
  /** Succeeded and failed ledger entries expire this long after they become final. Default 0: kept forever. */
  ledgerFinalEntryTtlMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function positiveInteger(setting: string, value: number, allowZero = false): number {
  if (!Number.isSafeInteger(value) || value < 0 || (value === 0 && !allowZero)) {
    throw new ConfigurationError(
      setting,
      `${setting} must be a ${allowZero ? 'non-negative' : 'positive'} integer`,
    );
  }
  return value;
}

/**
 * BlueClerk storage on Redis: every core storage contract, with the atomic parts (lease grants, fenced
 * compare-and-set, ledger claims) done in Lua scripts on the server. See the package README for the key layout.
 *
 * @example
 * const storage = createRedisStorage({ redis: process.env.REDIS_URL!, keyPrefix: 'myapp:' });
 */
export function createRedisStorage(options: RedisStorageOptions): BlueClerkStorage {
  const keyPrefix = options.keyPrefix ?? 'blueclerk:';
  if (typeof keyPrefix !== 'string' || keyPrefix.length === 0) {
    throw new ConfigurationError('keyPrefix', 'keyPrefix must be a non-empty string, such as "blueclerk:"');
  }
  const maxPerOwner = positiveInteger('maxNotificationsPerOwner', options.maxNotificationsPerOwner ?? 1000);
  const notificationTtlMs = positiveInteger('notificationTtlMs', options.notificationTtlMs ?? 30 * DAY_MS);
  const finalEntryTtlMs = positiveInteger('ledgerFinalEntryTtlMs', options.ledgerFinalEntryTtlMs ?? 0, true);

  let redis: Redis;
  let ownsClient = false;
  if (typeof options.redis === 'string') {
    if (!/^rediss?:\/\//.test(options.redis)) {
      // Never echo the URL: it may carry a password.
      throw new ConfigurationError('redis', 'redis must be an ioredis client or a redis:// or rediss:// URL');
    }
    redis = new Redis(options.redis);
    ownsClient = true;
  } else if (options.redis instanceof Object && typeof options.redis.evalsha === 'function') {
    redis = options.redis;
  } else {
    throw new ConfigurationError('redis', 'redis must be an ioredis client or a redis:// or rediss:// URL');
  }

  const clock = options.clock ?? systemClock;
  const keys = createRedisKeys(keyPrefix);
  return {
    connections: createRedisConnectionStore(redis, keys, clock),
    locks: createRedisLockProvider(redis, keys, clock),
    ledger: createRedisLedger(redis, keys, clock, { finalEntryTtlMs }),
    links: createRedisLinkStore(redis, keys),
    notifications: createRedisNotificationStore(redis, keys, clock, {
      maxPerOwner,
      ttlMs: notificationTtlMs,
    }),
    syncState: createRedisSyncStateStore(redis, keys, clock),
    async close() {
      if (ownsClient && redis.status !== 'end') {
        await runRedis('close', () => redis.quit()).catch(() => redis.disconnect());
      }
    },
  };
}
