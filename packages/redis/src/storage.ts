import {
  type BlueClerkStorage,
  type Clock,
  ConfigurationError,
  type Logger,
  redactText,
  silentLogger,
  systemClock,
} from '@blueclerk/core';
import { Redis } from 'ioredis';
import { createRedisConnectionStore } from './connections';
import { createRedisKeys } from './keys';
import { createRedisLedger } from './ledger';
import { createRedisLinkStore } from './links';
import { createRedisLockProvider } from './locks';
import { runRedis } from './lua';
import { createRedisNotificationStore } from './notifications';
import { checkPersistence } from './persistence';
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
  /**
   * Refuse a Redis whose data would not survive a restart. Checked once, before the first command (`CONFIG GET`
   * `appendonly`, `save`, `maxmemory-policy`): neither AOF nor RDB snapshots, or an evicting `maxmemory-policy`,
   * fails every call with a `ConfigurationError` naming the setting (`await storage.ready()` at start-up to fail
   * fast). RDB snapshots alone, or a Redis that forbids `CONFIG`, are accepted with a warning through `logger`.
   * Default true. `false` skips the check: only for a Redis whose data may be lost (tests, a throwaway demo).
   */
  requirePersistence?: boolean;
  /**
   * Where the adapter reports start-up warnings and, for a client it opened from a URL, connection trouble: one
   * `error` line when the connection is lost and one `info` line when it is back, however many retries in between.
   * Default: silent.
   */
  logger?: Logger;
}

/** A `BlueClerkStorage` on Redis. */
export interface RedisStorage extends BlueClerkStorage {
  /**
   * Resolves once the start-up checks passed (see `requirePersistence`); rejects with the error every store call
   * would get. Await it when the app boots to fail fast; a check that failed because Redis was unreachable runs
   * again on the next call.
   */
  ready(): Promise<void>;
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
export function createRedisStorage(options: RedisStorageOptions): RedisStorage {
  const keyPrefix = options.keyPrefix ?? 'blueclerk:';
  if (typeof keyPrefix !== 'string' || keyPrefix.length === 0) {
    throw new ConfigurationError('keyPrefix', 'keyPrefix must be a non-empty string, such as "blueclerk:"');
  }
  const maxPerOwner = positiveInteger('maxNotificationsPerOwner', options.maxNotificationsPerOwner ?? 1000);
  const notificationTtlMs = positiveInteger('notificationTtlMs', options.notificationTtlMs ?? 30 * DAY_MS);
  const finalEntryTtlMs = positiveInteger('ledgerFinalEntryTtlMs', options.ledgerFinalEntryTtlMs ?? 0, true);
  const logger = options.logger ?? silentLogger;
  const requirePersistence = options.requirePersistence ?? true;

  let redis: Redis;
  let ownsClient = false;
  if (typeof options.redis === 'string') {
    if (!/^rediss?:\/\//.test(options.redis)) {
      // Never echo the URL: it may carry a password.
      throw new ConfigurationError('redis', 'redis must be an ioredis client or a redis:// or rediss:// URL');
    }
    redis = new Redis(options.redis);
    ownsClient = true;
    reportConnectionTrouble(redis, logger);
  } else if (options.redis instanceof Object && typeof options.redis.evalsha === 'function') {
    redis = options.redis;
  } else {
    throw new ConfigurationError('redis', 'redis must be an ioredis client or a redis:// or rediss:// URL');
  }

  const clock = options.clock ?? systemClock;
  const keys = createRedisKeys(keyPrefix);
  let checked: Promise<void> | null = null;
  const ready = (): Promise<void> => {
    if (!requirePersistence) return Promise.resolve();
    checked ??= checkPersistence(redis, logger).catch((error: unknown) => {
      // A refused configuration stays refused; an unreachable Redis is asked again on the next call.
      if (!ConfigurationError.isInstance(error)) checked = null;
      throw error;
    });
    return checked;
  };
  return {
    connections: afterCheck(createRedisConnectionStore(redis, keys, clock), ready),
    locks: afterCheck(createRedisLockProvider(redis, keys, clock), ready),
    ledger: afterCheck(createRedisLedger(redis, keys, clock, { finalEntryTtlMs }), ready),
    links: afterCheck(createRedisLinkStore(redis, keys), ready),
    notifications: afterCheck(
      createRedisNotificationStore(redis, keys, clock, { maxPerOwner, ttlMs: notificationTtlMs }),
      ready,
    ),
    syncState: afterCheck(createRedisSyncStateStore(redis, keys, clock), ready),
    ready,
    async close() {
      if (ownsClient && redis.status !== 'end') {
        await runRedis('close', () => redis.quit()).catch(() => redis.disconnect());
      }
    },
  };
}

/** The same store, with every method waiting for the start-up check first (a resolved promise once it passed). */
function afterCheck<T extends object>(store: T, ready: () => Promise<void>): T {
  const gated: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(store)) {
    gated[name] =
      typeof method === 'function'
        ? async (...args: unknown[]) => {
            await ready();
            return (method as (...a: unknown[]) => unknown).apply(store, args);
          }
        : method;
  }
  return gated as T;
}

/**
 * ioredis emits `error` on every failed reconnect and prints each one as "Unhandled error event" when nobody listens:
 * dozens of stack traces per outage. The client we opened gets a listener that reports an outage once, and its end.
 */
function reportConnectionTrouble(redis: Redis, logger: Logger): void {
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.log(
      'error',
      'Redis connection lost; storage calls fail with storage_unavailable until it is back',
      {
        errorMessage: redactText(error.message),
      },
    );
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.log('info', 'Redis connection is back');
  });
}
