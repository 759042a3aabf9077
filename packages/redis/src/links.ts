import { ConcurrencyError, type EntityLink, type EntityLinkStore, type EntityType } from '@blueclerk/core';
import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys';
import { defineLuaScript, runLuaScript, runRedis } from './lua';

// One hash per connection holds both directions: `l:<type>:<localId>` -> link JSON and `p:<type>:<providerId>` ->
// localId. Both uniqueness rules are checked and both directions written in one script, and deleting a connection
// drops its links with one DEL.

const localField = (entityType: EntityType, localId: string) => `l:${entityType}:${localId}`;
const providerFieldPrefix = (entityType: EntityType) => `p:${entityType}:`;

/** KEYS: links hash. ARGV: local field, provider field, link JSON, localId, provider field prefix. */
const UPSERT = defineLuaScript(
  'upsertLink',
  `
local linkedTo = redis.call('HGET', KEYS[1], ARGV[2])
if linkedTo and linkedTo ~= ARGV[4] then return 0 end
local previous = redis.call('HGET', KEYS[1], ARGV[1])
if previous then
  -- The local record was linked to another provider record before: free that provider id.
  local previousField = ARGV[5] .. cjson.decode(previous).providerId
  if previousField ~= ARGV[2] then redis.call('HDEL', KEYS[1], previousField) end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3], ARGV[2], ARGV[4])
return 1
`,
);

/** KEYS: links hash. ARGV: local field, provider field prefix. */
const DELETE = defineLuaScript(
  'deleteLink',
  `
local previous = redis.call('HGET', KEYS[1], ARGV[1])
if not previous then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1], ARGV[2] .. cjson.decode(previous).providerId)
return 1
`,
);

export function createRedisLinkStore(redis: Redis, keys: RedisKeys): EntityLinkStore {
  return {
    async upsertLink(link) {
      const stored: EntityLink = {
        connectionId: link.connectionId,
        entityType: link.entityType,
        localId: link.localId,
        providerId: link.providerId,
        providerVersion: link.providerVersion ?? null,
        contentHash: link.contentHash ?? null,
        lastSyncedAt: link.lastSyncedAt,
      };
      const prefix = providerFieldPrefix(link.entityType);
      const written = await runLuaScript(
        redis,
        UPSERT,
        [keys.links(link.connectionId)],
        [
          localField(link.entityType, link.localId),
          prefix + link.providerId,
          JSON.stringify(stored),
          link.localId,
          prefix,
        ],
      );
      if (written !== 1) {
        throw new ConcurrencyError(
          'conflict',
          `${link.entityType} ${link.providerId} is already linked to another local record on connection ${link.connectionId}`,
        );
      }
      return structuredClone(stored);
    },

    async findLinkByLocalId(connectionId, entityType, localId) {
      const json = await runRedis('findLinkByLocalId', () =>
        redis.hget(keys.links(connectionId), localField(entityType, localId)),
      );
      return json === null ? null : (JSON.parse(json) as EntityLink);
    },

    async findLinkByProviderId(connectionId, entityType, providerId) {
      const localId = await runRedis('findLinkByProviderId', () =>
        redis.hget(keys.links(connectionId), providerFieldPrefix(entityType) + providerId),
      );
      if (localId === null) return null;
      const json = await runRedis('findLinkByProviderId', () =>
        redis.hget(keys.links(connectionId), localField(entityType, localId)),
      );
      return json === null ? null : (JSON.parse(json) as EntityLink);
    },

    async deleteLink(connectionId, entityType, localId) {
      const deleted = await runLuaScript(
        redis,
        DELETE,
        [keys.links(connectionId)],
        [localField(entityType, localId), providerFieldPrefix(entityType)],
      );
      return deleted === 1;
    },
  };
}
