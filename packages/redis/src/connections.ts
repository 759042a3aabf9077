import {
  type Clock,
  ConcurrencyError,
  type ConnectionHealth,
  type ConnectionRecord,
  type ConnectionStore,
  randomId,
  ValidationError,
} from '@blueclerk/core';
import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys';
import { defineLuaScript, runLuaScript, runRedis } from './lua';

// A connection is a hash: `record` (JSON without health and version), `health` (JSON), `version`, `seq`.
// Health lives in its own field so a last-write-wins health update can never be lost to, or undo, a token write.
// Lua never decodes JSON: scripts compare `version` and the fence counter and store strings the client built.

/** KEYS: connection, all index, owner index, seq counter. ARGV: id, record JSON, health JSON, createdAt. */
const CREATE = defineLuaScript(
  'createConnection',
  `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local seq = redis.call('INCR', KEYS[4])
redis.call('HSET', KEYS[1], 'record', ARGV[2], 'health', ARGV[3], 'version', 1, 'seq', seq)
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
return 1
`,
);

/**
 * KEYS: connection, [fence counter]. ARGV: expectedVersion, record JSON, [fence]. Returns {outcome, health JSON}.
 * The fence check and the version check happen in the same script as the write, so a holder whose lease was taken
 * over between its check and its write is still refused.
 */
const UPDATE = defineLuaScript(
  'updateConnection',
  `
local version = redis.call('HGET', KEYS[1], 'version')
if not version then return {'missing'} end
-- Fence before version: a fenced-out writer learns that it lost its lease, the more useful signal.
if #KEYS == 2 then
  local current = tonumber(redis.call('GET', KEYS[2]) or '0')
  if current > tonumber(ARGV[3]) then return {'lease_lost'} end
end
if version ~= ARGV[1] then return {'conflict'} end
redis.call('HSET', KEYS[1], 'record', ARGV[2], 'version', tonumber(version) + 1)
-- Health is written outside the version counter; hand back the stored one so the caller sees the whole record.
return {'ok', redis.call('HGET', KEYS[1], 'health')}
`,
);

/** KEYS: connection. ARGV: health JSON. Never resurrects a deleted connection. */
const SET_HEALTH = defineLuaScript(
  'setConnectionHealth',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'health', ARGV[1])
return 1
`,
);

/**
 * KEYS: connection, all index, owner index, links, cursors, the connection's ledger keys, ledger pending index.
 * ARGV: id, ledger entry key prefix. Notifications are kept: they are the audit trail of what happened.
 */
const DELETE = defineLuaScript(
  'deleteConnection',
  `
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('DEL', KEYS[4], KEYS[5])
-- Ledger entry keys are derived from the set's members rather than declared, which a single Redis (or a Cluster
-- with a hash-tagged key prefix, where every key shares one slot) allows.
for _, ledgerKey in ipairs(redis.call('SMEMBERS', KEYS[6])) do
  redis.call('DEL', ARGV[2] .. ledgerKey)
  redis.call('ZREM', KEYS[7], ledgerKey)
end
redis.call('DEL', KEYS[6])
return 1
`,
);

const DEFAULT_HEALTH: ConnectionHealth = {
  status: 'healthy',
  lastSuccessAt: null,
  lastErrorAt: null,
  lastError: null,
  consecutiveFailures: 0,
};

type StoredRecord = Omit<ConnectionRecord, 'health' | 'version'>;

interface Loaded {
  record: ConnectionRecord;
  seq: number;
}

function decode(fields: Record<string, string>): Loaded | null {
  if (fields.record === undefined || fields.version === undefined) return null;
  const stored = JSON.parse(fields.record) as StoredRecord;
  const health =
    fields.health === undefined ? DEFAULT_HEALTH : (JSON.parse(fields.health) as ConnectionHealth);
  return { record: { ...stored, health, version: Number(fields.version) }, seq: Number(fields.seq ?? 0) };
}

function encode(record: ConnectionRecord): string {
  const { health: _health, version: _version, ...stored } = record;
  return JSON.stringify(stored);
}

/** What a later read returns for `record`: a copy, so neither the caller's input nor our output aliases the other. */
function asStored(record: ConnectionRecord, health: ConnectionHealth = record.health): ConnectionRecord {
  return {
    ...(JSON.parse(encode(record)) as StoredRecord),
    health: structuredClone(health),
    version: record.version,
  };
}

export function createRedisConnectionStore(redis: Redis, keys: RedisKeys, clock: Clock): ConnectionStore {
  async function load(id: string): Promise<Loaded | null> {
    return decode(await runRedis('getConnection', () => redis.hgetall(keys.connection(id))));
  }

  return {
    async createConnection(input) {
      const id = input.id ?? randomId();
      if (id.length === 0) {
        throw new ValidationError('Connection id must not be empty', [{ path: 'id', message: 'empty' }]);
      }
      const now = clock.now();
      const record: ConnectionRecord = {
        id,
        provider: input.provider,
        ownerId: input.ownerId,
        tenantId: input.tenantId ?? null,
        status: input.status ?? 'pending',
        tokens: input.tokens ?? null,
        health: { ...DEFAULT_HEALTH },
        metadata: input.metadata ?? {},
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      const created = await runLuaScript(
        redis,
        CREATE,
        [keys.connection(id), keys.allConnections, keys.ownerConnections(input.ownerId), keys.connectionSeq],
        [id, encode(record), JSON.stringify(record.health), now],
      );
      if (created !== 1) {
        throw new ConcurrencyError('conflict', `A connection with id ${id} already exists`);
      }
      return asStored(record);
    },

    async getConnection(id) {
      return (await load(id))?.record ?? null;
    },

    async listConnections(filter = {}) {
      const index =
        filter.ownerId === undefined ? keys.allConnections : keys.ownerConnections(filter.ownerId);
      const ids = await runRedis('listConnections', () => redis.zrange(index, 0, -1));
      if (ids.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hgetall(keys.connection(id));
      const replies = (await runRedis('listConnections', () => pipeline.exec())) ?? [];
      const loaded: Loaded[] = [];
      for (const [error, fields] of replies) {
        if (error) throw error;
        const item = decode(fields as Record<string, string>);
        if (!item) continue;
        const { record } = item;
        if (filter.provider !== undefined && record.provider !== filter.provider) continue;
        if (filter.status !== undefined && record.status !== filter.status) continue;
        loaded.push(item);
      }
      // Newest first; the creation sequence orders connections created in the same millisecond.
      loaded.sort((a, b) => b.record.createdAt - a.record.createdAt || b.seq - a.seq);
      return loaded.map((item) => item.record);
    },

    async updateConnection(id, patch, options) {
      if (!Number.isSafeInteger(options.expectedVersion)) {
        throw new ValidationError('expectedVersion must be an integer', [
          { path: 'expectedVersion', message: 'expected an integer' },
        ]);
      }
      if (options.fence !== undefined && !Number.isSafeInteger(options.fence.fence)) {
        throw new ValidationError('fence.fence must be an integer', [
          { path: 'fence.fence', message: 'expected an integer' },
        ]);
      }
      const current = (await load(id))?.record;
      const next: ConnectionRecord | null = current
        ? {
            ...current,
            tenantId: patch.tenantId === undefined ? current.tenantId : patch.tenantId,
            status: patch.status ?? current.status,
            tokens: patch.tokens === undefined ? current.tokens : patch.tokens,
            metadata: patch.metadata ?? current.metadata,
            version: options.expectedVersion + 1,
            updatedAt: clock.now(),
          }
        : null;
      const fenced = options.fence !== undefined;
      const [outcome, health] = (await runLuaScript(
        redis,
        UPDATE,
        fenced ? [keys.connection(id), keys.fence(options.fence!.key)] : [keys.connection(id)],
        fenced
          ? [options.expectedVersion, next ? encode(next) : '', options.fence!.fence]
          : [options.expectedVersion, next ? encode(next) : ''],
      )) as [string, string | undefined];
      if (outcome === 'lease_lost') {
        throw new ConcurrencyError(
          'lease_lost',
          `Connection ${id} was not updated: the lease on ${options.fence!.key} was granted to a newer holder`,
        );
      }
      if (outcome === 'missing') {
        throw new ConcurrencyError('conflict', `Connection ${id} was not updated: it does not exist`);
      }
      if (outcome !== 'ok' || !next) {
        throw new ConcurrencyError(
          'conflict',
          `Connection ${id} was not updated: expected version ${options.expectedVersion} is stale`,
        );
      }
      return asStored(next, health ? (JSON.parse(health) as ConnectionHealth) : next.health);
    },

    async setConnectionHealth(id, health) {
      const updated = await runLuaScript(redis, SET_HEALTH, [keys.connection(id)], [JSON.stringify(health)]);
      return updated === 1;
    },

    async deleteConnection(id) {
      const current = (await load(id))?.record;
      if (!current) return false;
      const deleted = await runLuaScript(
        redis,
        DELETE,
        [
          keys.connection(id),
          keys.allConnections,
          keys.ownerConnections(current.ownerId),
          keys.links(id),
          keys.cursors(id),
          keys.connectionLedger(id),
          keys.ledgerPending,
        ],
        [id, keys.ledgerEntry('')],
      );
      return deleted === 1;
    },
  };
}
