import {
  type Clock,
  ConcurrencyError,
  type NotificationStore,
  randomId,
  type SyncNotification,
  ValidationError,
} from '@blueclerk/core';
import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys';
import { defineLuaScript, runLuaScript, runRedis } from './lua';

// Per owner: a sorted set of `<seq>:<id>` scored by createdAt (the seq orders same-millisecond appends and makes
// trimming drop the oldest), a hash id -> JSON, a hash id -> readAt, and the seq counter. Read marks live apart so
// marking read never rewrites the JSON. All four keys share one TTL refreshed on every append, and the set is
// trimmed to a maximum size in the same script, so an owner's notifications are bounded in count and in age.

const SEQ_WIDTH = 16;

/** KEYS: index, data, read, seq. ARGV: id, JSON, createdAt, max per owner, ttlMs. */
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
  end
end
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[5]) end
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

export interface RedisNotificationOptions {
  /** Oldest notifications beyond this count are dropped on append. */
  maxPerOwner: number;
  /** An owner's notifications expire this long after their last append. */
  ttlMs: number;
}

const PAGE = 100;

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
      const notification: SyncNotification = {
        ...input,
        id,
        createdAt: input.createdAt ?? clock.now(),
        readAt: null,
      };
      const { readAt: _readAt, ...stored } = notification;
      const appended = await runLuaScript(
        redis,
        APPEND,
        [
          keys.notificationIndex(input.ownerId),
          keys.notificationData(input.ownerId),
          keys.notificationRead(input.ownerId),
          keys.notificationSeq(input.ownerId),
        ],
        [id, JSON.stringify(stored), notification.createdAt, options.maxPerOwner, options.ttlMs],
      );
      if (appended !== 1) {
        throw new ConcurrencyError('conflict', `A notification with id ${id} already exists`);
      }
      return { ...(JSON.parse(JSON.stringify(stored)) as Omit<SyncNotification, 'readAt'>), readAt: null };
    },

    async listNotifications(query) {
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
        const [data, read] = await runRedis('listNotifications', () =>
          Promise.all([
            redis.hmget(keys.notificationData(query.ownerId), ...page),
            redis.hmget(keys.notificationRead(query.ownerId), ...page),
          ]),
        );
        page.forEach((_, index) => {
          const json = data[index];
          if (json === null || json === undefined || result.length >= limit) return;
          const readAt = read[index];
          const notification: SyncNotification = {
            ...(JSON.parse(json) as Omit<SyncNotification, 'readAt'>),
            readAt: readAt === null || readAt === undefined ? null : Number(readAt),
          };
          if (query.connectionId !== undefined && notification.connectionId !== query.connectionId) return;
          if (query.severity !== undefined && notification.severity !== query.severity) return;
          if (query.unreadOnly && notification.readAt !== null) return;
          result.push(notification);
        });
      }
      return result;
    },

    async markNotificationsRead(ownerId, ids, at) {
      if (ids.length === 0) return 0;
      const changed = await runLuaScript(
        redis,
        MARK_READ,
        [keys.notificationData(ownerId), keys.notificationRead(ownerId)],
        [at, ...ids],
      );
      return Number(changed);
    },
  };
}
