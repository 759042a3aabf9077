import {
  type Clock,
  ConcurrencyError,
  type ConnectionFilter,
  type ConnectionHealth,
  type ConnectionRecord,
  type ConnectionStore,
  checkOwnerFilter,
  isProviderId,
  type NewConnection,
  PROVIDER_ID_PATTERN,
  randomId,
  ValidationError,
} from '@blueclerk/core';
import type { Redis } from 'ioredis';
import {
  CREATE_CONNECTION,
  DELETE_CONNECTION,
  INDEX_CONNECTION_TENANT,
  SET_CONNECTION_HEALTH,
  UPDATE_CONNECTION,
} from './connection-scripts';
import { assertJsonObject } from './json';
import type { RedisKeys } from './keys';
import { runLuaScript, runRedis } from './lua';

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
  return {
    record: {
      ...stored,
      // Records written before settings and grants existed have neither: no settings, their own tokens.
      settings: stored.settings ?? {},
      grantId: stored.grantId ?? null,
      health,
      version: Number(fields.version),
    },
    seq: Number(fields.seq ?? 0),
  };
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

/**
 * How often `deleteConnection` reads again when the connection changed between its read (which names the index
 * entries to remove) and the delete script, before giving up with a retryable conflict.
 */
const MAX_DELETE_ATTEMPTS = 10;

function grantRefused(problem: string): ValidationError {
  return new ValidationError(
    `grantId must name another connection of the same owner and provider: ${problem}`,
    [{ path: 'grantId', message: problem }],
  );
}

/** Everything about `input` that can be refused without reading Redis, refused before anything is written. */
function assertNewConnection(input: NewConnection, id: string): void {
  if (id.length === 0) {
    throw new ValidationError('Connection id must not be empty', [{ path: 'id', message: 'empty' }]);
  }
  if (!isProviderId(input.provider)) {
    throw new ValidationError('Connection provider must be a well-formed provider id', [
      { path: 'provider', message: `must match ${PROVIDER_ID_PATTERN}` },
    ]);
  }
  if (typeof input.ownerId !== 'string' || input.ownerId.length === 0) {
    throw new ValidationError('Connection ownerId must be a non-empty string', [
      { path: 'ownerId', message: 'required' },
    ]);
  }
  if (input.settings !== undefined) assertJsonObject(input.settings, 'settings');
  const grantId = input.grantId ?? null;
  if (grantId !== null && (typeof grantId !== 'string' || grantId.length === 0)) {
    throw grantRefused('no such connection');
  }
  if (grantId === id) throw grantRefused('a connection cannot hold its own grant');
}

export function createRedisConnectionStore(redis: Redis, keys: RedisKeys, clock: Clock): ConnectionStore {
  async function load(id: string): Promise<Loaded | null> {
    return decode(await runRedis('getConnection', () => redis.hgetall(keys.connection(id))));
  }

  async function loadMany(ids: readonly string[]): Promise<Loaded[]> {
    if (ids.length === 0) return [];
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hgetall(keys.connection(id));
    const replies = (await runRedis('listConnections', () => pipeline.exec())) ?? [];
    const loaded: Loaded[] = [];
    for (const [error, fields] of replies) {
      if (error) throw error;
      const item = decode(fields as Record<string, string>);
      if (item) loaded.push(item);
    }
    return loaded;
  }

  // Set once this instance has seen the tenant index cover every connection.
  let tenantIndexReady = false;

  /**
   * Connections written by an adapter version without the tenant index are added to it once, on the first tenant
   * look-up, then a marker key records that it is complete. One pass over `conns`: a one-off cost, not a hot path.
   * Each connection is indexed only if still at the version its tenant was read from (else read again), so a
   * concurrent update or delete, which maintain the index themselves, is never undone.
   */
  async function ensureTenantIndex(): Promise<void> {
    if (tenantIndexReady) return;
    if ((await runRedis('listConnections', () => redis.exists(keys.tenantIndexBuilt))) === 1) {
      tenantIndexReady = true;
      return;
    }
    const ids = await runRedis('listConnections', () => redis.zrange(keys.allConnections, 0, -1));
    for (let start = 0; start < ids.length; start += 500) {
      for (let { record } of await loadMany(ids.slice(start, start + 500))) {
        while (record.tenantId !== null) {
          const indexed = await runLuaScript(
            redis,
            INDEX_CONNECTION_TENANT,
            [keys.connection(record.id), keys.tenantConnections(record.tenantId)],
            [record.id, record.version, record.createdAt],
          );
          if (indexed === 1) break;
          const reread = (await load(record.id))?.record;
          if (!reread) break;
          record = reread;
        }
      }
    }
    await runRedis('listConnections', () => redis.set(keys.tenantIndexBuilt, '1'));
    tenantIndexReady = true;
  }

  /** The smallest index that holds every match of `filter`; the remaining conditions are checked on the records. */
  async function candidateIndex(filter: ConnectionFilter): Promise<string> {
    if (filter.grantId !== undefined) return keys.grantConnections(filter.grantId);
    if (filter.tenantId !== undefined) {
      await ensureTenantIndex();
      return keys.tenantConnections(filter.tenantId);
    }
    if (filter.ownerId !== undefined) return keys.ownerConnections(filter.ownerId);
    return keys.allConnections;
  }

  return {
    async createConnection(input) {
      const id = input.id ?? randomId();
      assertNewConnection(input, id);
      const grantId = input.grantId ?? null;
      let holder: Loaded | null = null;
      if (grantId !== null) {
        holder = await load(grantId);
        let problem: string | null = null;
        if (!holder) problem = 'no such connection';
        else if (holder.record.ownerId !== input.ownerId) problem = 'the connection belongs to another owner';
        else if (holder.record.provider !== input.provider)
          problem = 'the connection belongs to another provider';
        if (problem !== null) {
          // An existing id is a conflict whatever the grant says, as in core's in-memory reference.
          if ((await runRedis('createConnection', () => redis.exists(keys.connection(id)))) === 1) {
            throw new ConcurrencyError('conflict', `A connection with id ${id} already exists`);
          }
          throw grantRefused(problem);
        }
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
        settings: input.settings ?? {},
        grantId,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      const optionalKeys: string[] = [];
      if (record.tenantId !== null) optionalKeys.push(keys.tenantConnections(record.tenantId));
      if (holder)
        optionalKeys.push(keys.connection(holder.record.id), keys.grantConnections(holder.record.id));
      const created = await runLuaScript(
        redis,
        CREATE_CONNECTION,
        [
          keys.connection(id),
          keys.allConnections,
          keys.ownerConnections(input.ownerId),
          keys.connectionSeq,
          ...optionalKeys,
        ],
        [
          id,
          encode(record),
          JSON.stringify(record.health),
          now,
          record.tenantId === null ? '0' : '1',
          holder ? '1' : '0',
          holder ? holder.seq : '',
        ],
      );
      if (created === 0) {
        throw new ConcurrencyError('conflict', `A connection with id ${id} already exists`);
      }
      if (created !== 1) throw grantRefused('no such connection');
      return asStored(record);
    },

    async getConnection(id) {
      return (await load(id))?.record ?? null;
    },

    async listConnections(filter = {}) {
      checkOwnerFilter(filter, 'listConnections');
      const index = await candidateIndex(filter);
      const ids = await runRedis('listConnections', () => redis.zrange(index, 0, -1));
      const loaded = (await loadMany(ids)).filter(
        ({ record }) =>
          (filter.ownerId === undefined || record.ownerId === filter.ownerId) &&
          (filter.provider === undefined || record.provider === filter.provider) &&
          (filter.status === undefined || record.status === filter.status) &&
          (filter.grantId === undefined || record.grantId === filter.grantId) &&
          (filter.tenantId === undefined || record.tenantId === filter.tenantId),
      );
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
      if (patch.settings !== undefined) assertJsonObject(patch.settings, 'settings');
      const loaded = (await load(id))?.record;
      // Built only from the version the caller expects: the script writes it only if that is still the stored one,
      // so no field (nor the tenant index) is ever rebuilt from an older record.
      const current = loaded?.version === options.expectedVersion ? loaded : undefined;
      const next: ConnectionRecord | null = current
        ? {
            ...current,
            tenantId: patch.tenantId === undefined ? current.tenantId : patch.tenantId,
            status: patch.status ?? current.status,
            tokens: patch.tokens === undefined ? current.tokens : patch.tokens,
            metadata: patch.metadata ?? current.metadata,
            settings: patch.settings ?? current.settings,
            version: options.expectedVersion + 1,
            updatedAt: clock.now(),
          }
        : null;
      const optionalKeys: string[] = [];
      if (options.fence) optionalKeys.push(keys.fence(options.fence.key));
      const movesTenant = current !== undefined && next !== null && next.tenantId !== current.tenantId;
      const leavesTenant = movesTenant && current.tenantId !== null;
      const joinsTenant = movesTenant && next.tenantId !== null;
      if (leavesTenant) optionalKeys.push(keys.tenantConnections(current.tenantId!));
      if (joinsTenant) optionalKeys.push(keys.tenantConnections(next.tenantId!));
      const [outcome, health] = (await runLuaScript(
        redis,
        UPDATE_CONNECTION,
        [keys.connection(id), ...optionalKeys],
        [
          options.expectedVersion,
          next ? encode(next) : '',
          options.fence ? options.fence.fence : '',
          leavesTenant ? '1' : '0',
          joinsTenant ? '1' : '0',
          id,
          current?.createdAt ?? 0,
        ],
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
      const updated = await runLuaScript(
        redis,
        SET_CONNECTION_HEALTH,
        [keys.connection(id)],
        [JSON.stringify(health)],
      );
      return updated === 1;
    },

    async deleteConnection(id) {
      for (let attempt = 0; attempt < MAX_DELETE_ATTEMPTS; attempt++) {
        const current = (await load(id))?.record;
        if (!current) return false;
        const optionalKeys: string[] = [];
        if (current.tenantId !== null) optionalKeys.push(keys.tenantConnections(current.tenantId));
        if (current.grantId !== null) optionalKeys.push(keys.grantConnections(current.grantId));
        const deleted = await runLuaScript(
          redis,
          DELETE_CONNECTION,
          [
            keys.connection(id),
            keys.allConnections,
            keys.ownerConnections(current.ownerId),
            keys.links(id),
            keys.cursors(id),
            keys.connectionLedger(id),
            keys.ledgerPending,
            ...optionalKeys,
          ],
          [
            id,
            keys.ledgerEntry(''),
            current.version,
            current.tenantId === null ? '0' : '1',
            current.grantId === null ? '0' : '1',
          ],
        );
        if (deleted !== -1) return deleted === 1;
      }
      throw new ConcurrencyError(
        'conflict',
        `Connection ${id} was not deleted: it kept changing while being deleted; try again`,
        { retryable: true },
      );
    },
  };
}
