import {
  type Clock,
  ConcurrencyError,
  type NewSyncNotification,
  type NotificationStore,
  randomId,
  requireOwnerId,
  type SyncNotification,
  ValidationError,
} from '@blueclerk/core';
import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys';
import { defineLuaScript, runLuaScript, runRedis } from './lua';

// Per owner: a sorted set of `<seq>:<id>` scored by createdAt (the seq orders same-millisecond appends and makes
// trimming drop the oldest), a hash id -> JSON, a hash id -> readAt, a hash id -> `<occurrences>:<lastOccurredAt>`
// and the seq counter. Read marks and repeat counts live apart so neither rewrites the JSON (re-encoding it in Lua
// would change numbers and empty arrays in `data`); a notification never repeated has no repeat field. All five keys
// share one TTL refreshed on every append, and the set is trimmed to a maximum size in the same script, so an
// owner's notifications are bounded in count and in age.

const SEQ_WIDTH = 16;

/** KEYS: index, data, read, seq, repeats. ARGV: id, JSON, createdAt, max per owner, ttlMs. */
const APPEND = defineLuaScript(
  'appendNotification',
  `
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
local seq = redis.call('INCR', KEYS[4])
redis.call('ZADD', KEYS[1], ARGV[3], string.format('%0${SEQ_WIDTH}x', seq) .. ':' .. ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
if excess > 0 then
  local dropped = redis.call('ZRANGE', KEYS[1], 0, excess - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1)
  for _, member in ipairs(dropped) do
    local id = string.sub(member, ${SEQ_WIDTH + 2})
    redis.call('HDEL', KEYS[2], id)
    redis.call('HDEL', KEYS[3], id)
    redis.call('HDEL', KEYS[5], id)
  end
end
for i = 1, 5 do redis.call('PEXPIRE', KEYS[i], ARGV[5]) end
return 1
`,
);

/** KEYS: data, read. ARGV: readAt, ids... Marks only existing, unread ids; returns how many changed. */
const MARK_READ = defineLuaScript(
  'markNotificationsRead',
  `
local changed = 0
for i = 2, #ARGV do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then
    changed = changed + redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[1])
  end
end
-- The read hash is created here, after the append that set the TTLs: give it the same remaining lifetime.
local ttl = redis.call('PTTL', KEYS[1])
if changed > 0 and ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return changed
`,
);

/**
 * KEYS: data, read, repeats. ARGV: id, at. Counts one repeat of an existing id in one script, so
 * concurrent repeats from any number of processes are all counted. Returns false for an unknown id, else
 * { JSON, readAt or false, occurrences, lastOccurredAt }.
 */
const RECORD_REPEAT = defineLuaScript(
  'recordRepeat',
  `
local json = redis.call('HGET', KEYS[1], ARGV[1])
if not json then return false end
local occurrences = 1
local last = tonumber(cjson.decode(json).createdAt)
local current = redis.call('HGET', KEYS[3], ARGV[1])
if current then
  local sep = string.find(current, ':', 1, true)
  occurrences = tonumber(string.sub(current, 1, sep - 1))
  last = tonumber(string.sub(current, sep + 1))
end
occurrences = occurrences + 1
local at = tonumber(ARGV[2])
if at > last then last = at end
-- %.0f: tostring() would print large epoch milliseconds in exponent form.
local value = string.format('%.0f:%.0f', occurrences, last)
redis.call('HSET', KEYS[3], ARGV[1], value)
-- Created after the append that set the TTLs: give the repeat hash the same remaining lifetime.
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[3], ttl) end
return { json, redis.call('HGET', KEYS[2], ARGV[1]) or false, value }
`,
);

export interface RedisNotificationOptions {
  /** Oldest notifications beyond this count are dropped on append. */
  maxPerOwner: number;
  /** An owner's notifications expire this long after their last append. */
  ttlMs: number;
}

const PAGE = 100;

/** What the data hash holds: the notification without the fields kept in their own hashes. */
type StoredNotification = Omit<SyncNotification, 'readAt' | 'occurrences' | 'lastOccurredAt'>;

/** Puts a notification together from its JSON, its read mark and its repeat field (absent: never repeated). */
function assemble(
  json: string,
  readAt: string | null | undefined,
  repeat: string | null | undefined,
): SyncNotification {
  const stored = JSON.parse(json) as StoredNotification;
  const [occurrences, lastOccurredAt] =
    repeat === null || repeat === undefined ? [1, stored.createdAt] : repeat.split(':').map(Number);
  return {
    ...stored,
    readAt: readAt === null || readAt === undefined ? null : Number(readAt),
    occurrences: occurrences ?? 1,
    lastOccurredAt: lastOccurredAt ?? stored.createdAt,
  };
}

export function createRedisNotificationStore(
  redis: Redis,
  keys: RedisKeys,
  clock: Clock,
  options: RedisNotificationOptions,
): NotificationStore {
  return {
    async appendNotification(input) {
      const id = input.id ?? randomId();
      if (id.length === 0) {
        throw new ValidationError('Notification id must not be empty', [{ path: 'id', message: 'empty' }]);
      }
      // Counts and read marks live in their own hashes; a plain-JS caller passing them here does not reach the JSON.
      const {
        readAt: _readAt,
        occurrences: _occurrences,
        lastOccurredAt: _lastOccurredAt,
        ...fields
      } = input as NewSyncNotification & Partial<SyncNotification>;
      const stored: StoredNotification = { ...fields, id, createdAt: input.createdAt ?? clock.now() };
      const json = JSON.stringify(stored);
      const appended = await runLuaScript(
        redis,
        APPEND,
        [
          keys.notificationIndex(input.ownerId),
          keys.notificationData(input.ownerId),
          keys.notificationRead(input.ownerId),
          keys.notificationSeq(input.ownerId),
          keys.notificationRepeats(input.ownerId),
        ],
        [id, json, stored.createdAt, options.maxPerOwner, options.ttlMs],
      );
      if (appended !== 1) {
        throw new ConcurrencyError('conflict', `A notification with id ${id} already exists`);
      }
      return assemble(json, null, null);
    },

    async listNotifications(query) {
      requireOwnerId(query?.ownerId, 'listNotifications');
      const limit = query.limit ?? 50;
      if (limit <= 0) return [];
      const members = await runRedis('listNotifications', () =>
        redis.zrevrangebyscore(keys.notificationIndex(query.ownerId), '+inf', query.since ?? '-inf'),
      );
      const ids = members.map((member) => member.slice(SEQ_WIDTH + 1));
      const result: SyncNotification[] = [];
      // Filters other than `since` are applied here, a page at a time; the set is bounded by `maxPerOwner`.
      for (let start = 0; start < ids.length && result.length < limit; start += PAGE) {
        const page = ids.slice(start, start + PAGE);
        const [data, read, repeats] = await runRedis('listNotifications', () =>
          Promise.all([
            redis.hmget(keys.notificationData(query.ownerId), ...page),
            redis.hmget(keys.notificationRead(query.ownerId), ...page),
            redis.hmget(keys.notificationRepeats(query.ownerId), ...page),
          ]),
        );
        page.forEach((_, index) => {
          const json = data[index];
          if (json === null || json === undefined || result.length >= limit) return;
          const notification = assemble(json, read[index], repeats[index]);
          if (query.connectionId !== undefined && notification.connectionId !== query.connectionId) return;
          if (query.severity !== undefined && notification.severity !== query.severity) return;
          if (query.unreadOnly && notification.readAt !== null) return;
          result.push(notification);
        });
      }
      return result;
    },

    async markNotificationsRead(ownerId, ids, at) {
      requireOwnerId(ownerId, 'markNotificationsRead');
      if (ids.length === 0) return 0;
      const changed = await runLuaScript(
        redis,
        MARK_READ,
        [keys.notificationData(ownerId), keys.notificationRead(ownerId)],
        [at, ...ids],
      );
      return Number(changed);
    },

    async recordRepeat(ownerId, id, at) {
      requireOwnerId(ownerId, 'recordRepeat');
      if (!Number.isFinite(at)) {
        throw new ValidationError('recordRepeat `at` must be epoch milliseconds', [
          { path: 'at', message: 'expected a finite number' },
        ]);
      }
      const reply = (await runLuaScript(
        redis,
        RECORD_REPEAT,
        [keys.notificationData(ownerId), keys.notificationRead(ownerId), keys.notificationRepeats(ownerId)],
        [id, Math.round(at)],
      )) as [string, string | null, string] | null;
      return reply ? assemble(reply[0], reply[1], reply[2]) : null;
    },
  };
}
