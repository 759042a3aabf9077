import { describe, expect, it } from 'vitest';
import { ConcurrencyError, VaultError } from '../errors/index';
import type { Logger } from '../runtime/logger';
import type {
  ConnectionPatch,
  ConnectionRecord,
  ConnectionStore,
  NewConnection,
} from '../storage/connections';
import { createMemoryStorage } from '../storage/memory/index';
import { createKeyRing } from './key-ring';
import { resealConnections } from './reseal';
import { openTokenSet, sealTokenSet } from './token-set';
import { createTokenVault } from './token-vault';
import type { TokenSet, TokenVault } from './types';

/*
 * A minimal Map-backed ConnectionStore with the compare-and-set rule of the contract. (The in-memory storage of
 * storage/memory is another helper's work; this keeps the vault tests independent of it.) `beforeUpdate` lets a
 * test play a worker that writes between our read and our write.
 */
function createMapConnectionStore() {
  const rows = new Map<string, ConnectionRecord>();
  let beforeUpdate: ((id: string) => void) | null = null;
  const store: ConnectionStore = {
    async createConnection(input: NewConnection) {
      const id = input.id ?? `conn_${rows.size + 1}`;
      if (rows.has(id)) throw new ConcurrencyError('conflict', 'exists');
      const record: ConnectionRecord = {
        id,
        provider: input.provider,
        ownerId: input.ownerId,
        tenantId: input.tenantId ?? null,
        status: input.status ?? 'active',
        tokens: input.tokens ?? null,
        settings: input.settings ?? {},
        grantId: input.grantId ?? null,
        health: {
          status: 'healthy',
          lastSuccessAt: null,
          lastErrorAt: null,
          lastError: null,
          consecutiveFailures: 0,
        },
        metadata: input.metadata ?? {},
        version: 1,
        createdAt: 0,
        updatedAt: 0,
      };
      rows.set(id, record);
      return structuredClone(record);
    },
    async getConnection(id) {
      const row = rows.get(id);
      return row ? structuredClone(row) : null;
    },
    async listConnections() {
      return [...rows.values()].map((row) => structuredClone(row));
    },
    async updateConnection(id, patch: ConnectionPatch, options) {
      beforeUpdate?.(id);
      const row = rows.get(id);
      if (!row || row.version !== options.expectedVersion)
        throw new ConcurrencyError('conflict', 'stale version');
      const next = { ...row, ...patch, version: row.version + 1 } as ConnectionRecord;
      rows.set(id, next);
      return structuredClone(next);
    },
    async setConnectionHealth() {
      return true;
    },
    async deleteConnection(id) {
      return rows.delete(id);
    },
  };
  return {
    store,
    rows,
    onBeforeUpdate(hook: ((id: string) => void) | null) {
      beforeUpdate = hook;
    },
  };
}

function randomKey(): Uint8Array {
  const key = new Uint8Array(32);
  crypto.getRandomValues(key);
  return key;
}

const tokens = (n: number): TokenSet => ({
  accessToken: `access-token-${n}-${'a'.repeat(40)}`,
  refreshToken: n % 2 === 0 ? `refresh-token-${n}-${'r'.repeat(30)}` : null,
  accessTokenExpiresAt: 1_000 + n,
  refreshTokenExpiresAt: n % 2 === 0 ? 2_000 + n : null,
  refreshTokenIssuedAt: n % 2 === 0 ? 500 + n : null,
  scope: 'com.intuit.quickbooks.accounting',
});

const k1 = randomKey();
const k2 = randomKey();
const oldVault = createTokenVault(createKeyRing({ currentKeyId: 'k1', keys: { k1 } }));
const newVault = createTokenVault(createKeyRing({ currentKeyId: 'k2', keys: { k2, k1 } }));

async function addConnection(store: ConnectionStore, id: string, vault: TokenVault | null, n: number) {
  return store.createConnection({
    id,
    provider: 'quickbooks',
    ownerId: 'owner',
    tokens: vault ? sealTokenSet(vault, id, tokens(n)) : null,
  });
}

describe('sealTokenSet / openTokenSet', () => {
  it('round-trips a token set and keeps expiry and scope in clear', () => {
    const sealed = sealTokenSet(newVault, 'conn_a', tokens(2));
    expect(sealed.accessTokenExpiresAt).toBe(1_002);
    expect(sealed.scope).toBe('com.intuit.quickbooks.accounting');
    expect(JSON.stringify(sealed)).not.toContain('access-token-2');
    expect(JSON.stringify(sealed)).not.toContain('refresh-token-2');
    expect(openTokenSet(newVault, 'conn_a', sealed)).toEqual(tokens(2));
  });

  it('keeps a null refresh token null', () => {
    const sealed = sealTokenSet(newVault, 'conn_a', tokens(1));
    expect(sealed.refreshToken).toBeNull();
    expect(openTokenSet(newVault, 'conn_a', sealed)).toEqual(tokens(1));
  });

  it('refuses sealed tokens moved to another connection or with fields swapped', () => {
    const sealed = sealTokenSet(newVault, 'conn_a', tokens(2));
    expect(() => openTokenSet(newVault, 'conn_b', sealed)).toThrow(VaultError);
    const swapped = { ...sealed, accessToken: sealed.refreshToken!, refreshToken: sealed.accessToken };
    expect(() => openTokenSet(newVault, 'conn_a', swapped)).toThrow(VaultError);
  });
});

describe('resealConnections', () => {
  it('re-seals connections on old keys with the current key and leaves the rest alone', async () => {
    const { store, rows } = createMapConnectionStore();
    await addConnection(store, 'old_1', oldVault, 1);
    await addConnection(store, 'old_2', oldVault, 2);
    await addConnection(store, 'new_3', newVault, 3);
    await addConnection(store, 'none_4', null, 4);
    const untouched = structuredClone(rows.get('new_3'));

    const result = await resealConnections(store, newVault);
    expect(result).toEqual({ resealed: 2, unchanged: 2, failed: 0, failures: [] });

    for (const [id, n] of [
      ['old_1', 1],
      ['old_2', 2],
    ] as const) {
      const row = rows.get(id)!;
      expect(row.version).toBe(2);
      expect(row.tokens!.accessToken.startsWith('bcv2.k2.')).toBe(true);
      if (row.tokens!.refreshToken) expect(row.tokens!.refreshToken.startsWith('bcv2.k2.')).toBe(true);
      expect(openTokenSet(newVault, id, row.tokens!)).toEqual(tokens(n));
    }
    expect(rows.get('new_3')).toEqual(untouched);
    expect(rows.get('none_4')!.version).toBe(1);

    // Running again changes nothing.
    expect(await resealConnections(store, newVault)).toEqual({
      resealed: 0,
      unchanged: 4,
      failed: 0,
      failures: [],
    });
  });

  it('re-seals only the stale envelope of a record sealed with mixed keys', async () => {
    const { store, rows } = createMapConnectionStore();
    const sealedOld = sealTokenSet(oldVault, 'mixed', tokens(2));
    const sealedNew = sealTokenSet(newVault, 'mixed', tokens(2));
    await store.createConnection({
      id: 'mixed',
      provider: 'xero',
      ownerId: 'o',
      tokens: { ...sealedNew, refreshToken: sealedOld.refreshToken },
    });
    expect((await resealConnections(store, newVault)).resealed).toBe(1);
    const row = rows.get('mixed')!;
    expect(row.tokens!.accessToken).toBe(sealedNew.accessToken);
    expect(row.tokens!.refreshToken!.startsWith('bcv2.k2.')).toBe(true);
  });

  it('reports connections whose envelopes do not open, writes nothing for them, and logs no secret', async () => {
    const { store, rows } = createMapConnectionStore();
    await addConnection(store, 'good', oldVault, 2);
    const strangerVault = createTokenVault(createKeyRing({ currentKeyId: 'k1', keys: { k1: randomKey() } }));
    await addConnection(store, 'bad', strangerVault, 2);
    const before = structuredClone(rows.get('bad'));
    const lines: string[] = [];
    const logger: Logger = {
      log: (level, message, fields) => lines.push(`${level} ${message} ${JSON.stringify(fields)}`),
    };

    const result = await resealConnections(store, newVault, { logger });
    expect(result.resealed).toBe(1);
    expect(result.failed).toBe(1);
    expect(result.failures).toEqual([
      {
        connectionId: 'bad',
        code: 'vault_decrypt_failed',
        message: expect.stringContaining('failed authentication'),
      },
    ]);
    expect(rows.get('bad')).toEqual(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('"connectionId":"bad"');
    expect(lines.join('\n')).not.toContain('access-token-2');
  });

  it('re-reads and retries once when a concurrent write bumps the version', async () => {
    const { store, rows, onBeforeUpdate } = createMapConnectionStore();
    await addConnection(store, 'busy', oldVault, 2);
    let raced = false;
    onBeforeUpdate((id) => {
      if (raced) return;
      raced = true;
      // A worker refreshes the tokens (still with the old key, say an old deploy) between our read and write.
      const row = rows.get(id)!;
      rows.set(id, { ...row, tokens: sealTokenSet(oldVault, id, tokens(4)), version: row.version + 1 });
    });
    const result = await resealConnections(store, newVault);
    expect(result).toEqual({ resealed: 1, unchanged: 0, failed: 0, failures: [] });
    const row = rows.get('busy')!;
    expect(row.version).toBe(3);
    // The worker's newer tokens survive, now under the current key.
    expect(openTokenSet(newVault, 'busy', row.tokens!)).toEqual(tokens(4));
    expect(row.tokens!.accessToken.startsWith('bcv2.k2.')).toBe(true);
  });

  it('counts a connection as unchanged when the concurrent write already used the current key', async () => {
    const { store, rows, onBeforeUpdate } = createMapConnectionStore();
    await addConnection(store, 'busy', oldVault, 2);
    onBeforeUpdate((id) => {
      const row = rows.get(id)!;
      if (row.version === 1)
        rows.set(id, { ...row, tokens: sealTokenSet(newVault, id, tokens(6)), version: 2 });
    });
    expect(await resealConnections(store, newVault)).toEqual({
      resealed: 0,
      unchanged: 1,
      failed: 0,
      failures: [],
    });
    expect(openTokenSet(newVault, 'busy', rows.get('busy')!.tokens!)).toEqual(tokens(6));
  });

  it('gives up after a second conflict and reports it without overwriting', async () => {
    const { store, rows, onBeforeUpdate } = createMapConnectionStore();
    await addConnection(store, 'contended', oldVault, 2);
    onBeforeUpdate((id) => {
      const row = rows.get(id)!;
      rows.set(id, { ...row, tokens: sealTokenSet(oldVault, id, tokens(8)), version: row.version + 1 });
    });
    const result = await resealConnections(store, newVault);
    expect(result.failed).toBe(1);
    expect(result.failures[0]).toMatchObject({ connectionId: 'contended', code: 'conflict' });
    onBeforeUpdate(null);
    expect(openTokenSet(oldVault, 'contended', rows.get('contended')!.tokens!)).toEqual(tokens(8));
  });
});

describe('resealConnections against the in-memory storage', () => {
  it('re-seals stale connections through the real compare-and-set store', async () => {
    const storage = createMemoryStorage();
    const connections = storage.connections;
    await addConnection(connections, 'mem_old', oldVault, 2);
    await addConnection(connections, 'mem_new', newVault, 3);
    await addConnection(connections, 'mem_none', null, 5);

    expect(await resealConnections(connections, newVault)).toEqual({
      resealed: 1,
      unchanged: 2,
      failed: 0,
      failures: [],
    });
    const row = (await connections.getConnection('mem_old'))!;
    expect(row.version).toBe(2);
    expect(row.tokens!.accessToken.startsWith('bcv2.k2.')).toBe(true);
    expect(row.tokens!.refreshToken!.startsWith('bcv2.k2.')).toBe(true);
    expect(openTokenSet(newVault, 'mem_old', row.tokens!)).toEqual(tokens(2));
    expect((await connections.getConnection('mem_new'))!.version).toBe(1);
    expect(
      await resealConnections(connections, newVault, { filter: { provider: 'quickbooks' } }),
    ).toMatchObject({
      resealed: 0,
      unchanged: 3,
    });
    await storage.close();
  });

  it('retries after a real version conflict and keeps the newer tokens', async () => {
    const storage = createMemoryStorage();
    const connections = storage.connections;
    await addConnection(connections, 'mem_busy', oldVault, 2);
    // A worker refreshes the tokens right after the listing, before the re-seal writes.
    const racing: ConnectionStore = {
      ...connections,
      listConnections: async (filter) => {
        const listed = await connections.listConnections(filter);
        const current = (await connections.getConnection('mem_busy'))!;
        await connections.updateConnection(
          'mem_busy',
          { tokens: sealTokenSet(oldVault, 'mem_busy', tokens(10)) },
          { expectedVersion: current.version },
        );
        return listed;
      },
    };
    expect(await resealConnections(racing, newVault)).toEqual({
      resealed: 1,
      unchanged: 0,
      failed: 0,
      failures: [],
    });
    const row = (await connections.getConnection('mem_busy'))!;
    expect(row.version).toBe(3);
    expect(openTokenSet(newVault, 'mem_busy', row.tokens!)).toEqual(tokens(10));
  });
});
