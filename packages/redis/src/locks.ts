import { type Clock, type Lease, type LockProvider, randomId, ValidationError } from '@blueclerk/core';
import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys';
import { defineLuaScript, runLuaScript } from './lua';

// The lock value is `<fence>:<expiresAt>:<holder>`; the holder goes last so it may contain `:`.
// A lease counts as expired when Redis' PX fired (the key is gone) OR the caller's clock passed `expiresAt`: the
// contract defines expiry by `expiresAt`, and an injected clock (tests, or an app with its own time source) must be
// able to see it. With the system clock both agree up to clock skew between hosts, which fencing makes harmless.

/** KEYS: lock, fence counter. ARGV: holder, ttlMs, now. Returns {fence, expiresAt} or nil. */
const ACQUIRE = defineLuaScript(
  'acquireLease',
  `
local now = tonumber(ARGV[3])
local current = redis.call('GET', KEYS[1])
if current then
  local expiresAt = tonumber(string.match(current, '^%d+:(%d+):'))
  if expiresAt and expiresAt > now then return false end
  -- Expired by the caller's clock but Redis' PX has not fired yet: take it over.
  redis.call('DEL', KEYS[1])
end
-- The fence is drawn in the same script as the grant, so grant order and fence order can never disagree.
local fence = redis.call('INCR', KEYS[2])
local expiresAt = now + tonumber(ARGV[2])
redis.call('SET', KEYS[1], fence .. ':' .. expiresAt .. ':' .. ARGV[1], 'NX', 'PX', ARGV[2])
return {fence, tostring(expiresAt)}
`,
);

/**
 * KEYS: lock. ARGV: holder, fence, now. Compare-and-delete: only the holder of this exact, unexpired grant may
 * release, so a holder whose lease ran out can never delete its successor's lock.
 */
const RELEASE = defineLuaScript(
  'releaseLease',
  `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local fence, expiresAt, holder = string.match(current, '^(%d+):(%d+):(.*)$')
if fence ~= ARGV[2] or holder ~= ARGV[1] or tonumber(expiresAt) <= tonumber(ARGV[3]) then return 0 end
redis.call('DEL', KEYS[1])
return 1
`,
);

/** KEYS: lock. ARGV: holder, fence, ttlMs, now. Compare-and-extend; returns the new expiresAt or nil. */
const EXTEND = defineLuaScript(
  'extendLease',
  `
local current = redis.call('GET', KEYS[1])
if not current then return false end
local fence, expiresAt, holder = string.match(current, '^(%d+):(%d+):(.*)$')
local now = tonumber(ARGV[4])
if fence ~= ARGV[2] or holder ~= ARGV[1] or tonumber(expiresAt) <= now then return false end
local newExpiresAt = now + tonumber(ARGV[3])
redis.call('SET', KEYS[1], fence .. ':' .. newExpiresAt .. ':' .. holder, 'PX', ARGV[3])
return tostring(newExpiresAt)
`,
);

function assertTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new ValidationError('Lease ttlMs must be a positive integer number of milliseconds', [
      { path: 'ttlMs', message: 'expected a positive integer' },
    ]);
  }
}

export function createRedisLockProvider(redis: Redis, keys: RedisKeys, clock: Clock): LockProvider {
  return {
    async acquireLease(key, options) {
      assertTtl(options.ttlMs);
      const holder = options.holder ?? randomId();
      const granted = (await runLuaScript(
        redis,
        ACQUIRE,
        [keys.lock(key), keys.fence(key)],
        [holder, options.ttlMs, clock.now()],
      )) as [number, string] | null;
      if (!granted) return null;
      return { key, holder, fence: Number(granted[0]), expiresAt: Number(granted[1]) };
    },

    async releaseLease(lease) {
      const released = await runLuaScript(
        redis,
        RELEASE,
        [keys.lock(lease.key)],
        [lease.holder, lease.fence, clock.now()],
      );
      return released === 1;
    },

    async extendLease(lease, ttlMs): Promise<Lease | null> {
      assertTtl(ttlMs);
      const expiresAt = (await runLuaScript(
        redis,
        EXTEND,
        [keys.lock(lease.key)],
        [lease.holder, lease.fence, ttlMs, clock.now()],
      )) as string | null;
      return expiresAt === null ? null : { ...lease, expiresAt: Number(expiresAt) };
    },
  };
}
