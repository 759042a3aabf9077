import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, StorageError } from '../errors/index';
import type { BlueClerkEvent } from '../events/types';
import { createManualClock } from '../runtime/clock';
import type { LogLevel } from '../runtime/logger';
import type { ConnectionStore } from '../storage/connections';
import { createMemoryBackend } from '../storage/memory/backend';
import { createMemoryStorage } from '../storage/memory/memory-storage';
import type { BlueClerkStorage } from '../storage/storage';
import { openTokenSet } from '../vault/token-set';
import { createTokenManager, type TokenManagerOptions } from './manager';
import {
  createRotatingTokenEndpoint,
  createTestVault,
  exposedText,
  seedConnection,
  TEST_CREDENTIALS,
  testProvider,
} from './test-support';

// The token manager against storage that fails, and against the lock defaults, through its public API. The
// endpoint rotates refresh tokens and refuses any reuse (FreshBooks-like: no grace), so a refresh with a refresh
// token that was rotated away shows up as invalid_grant in its counters.

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** A connection store whose token writes fail while `failing` says so (counted down per write, or until repaired). */
function failingTokenWrites(storage: BlueClerkStorage) {
  let failuresLeft = 0;
  let attempts = 0;
  const connections: ConnectionStore = {
    ...storage.connections,
    createConnection: (input) => storage.connections.createConnection(input),
    getConnection: (id) => storage.connections.getConnection(id),
    listConnections: (filter) => storage.connections.listConnections(filter),
    setConnectionHealth: (id, health) => storage.connections.setConnectionHealth(id, health),
    deleteConnection: (id) => storage.connections.deleteConnection(id),
    async updateConnection(id, patch, options) {
      if (patch.tokens !== undefined) {
        attempts++;
        if (failuresLeft > 0) {
          failuresLeft--;
          throw new StorageError(
            'updateConnection',
            'Redis storage: updateConnection failed: Connection is closed.',
          );
        }
      }
      return storage.connections.updateConnection(id, patch, options);
    },
  };
  return {
    storage: { ...storage, connections },
    failNextTokenWrites(count: number) {
      failuresLeft = count;
    },
    repair() {
      failuresLeft = 0;
    },
    get tokenWriteAttempts() {
      return attempts;
    },
  };
}

function setup(options: { accessTtlSec?: number } = {}) {
  const endpoint = createRotatingTokenEndpoint({ latencyMs: 0, ...options });
  server.use(endpoint.handler);
  const clock = createManualClock(Date.now());
  const backend = createMemoryBackend();
  const storage = createMemoryStorage({ backend, clock });
  const vault = createTestVault();
  const events: BlueClerkEvent[] = [];
  const logs: Array<{ level: LogLevel; message: string; fields?: Record<string, unknown> }> = [];
  const manager = (overrides: Partial<TokenManagerOptions> = {}) =>
    createTokenManager({
      storage,
      vault,
      providers: { xero: testProvider() },
      credentials: { xero: TEST_CREDENTIALS },
      clock,
      // Waiting and backing off move the manual clock instead of real time.
      sleep: async (ms) => clock.advance(ms),
      events: { emit: (event) => events.push(event), subscribe: () => () => {} },
      logger: { log: (level, message, fields) => logs.push({ level, message, fields }) },
      ...overrides,
    });
  return { endpoint, clock, backend, storage, vault, events, logs, manager };
}

describe('a freshly rotated token set and a failing token write', () => {
  it('retries a write that fails once while the lease is held: one refresh, the new set stored', async () => {
    const s = setup();
    const db = failingTokenWrites(s.storage);
    const record = await seedConnection(
      s.storage,
      s.vault,
      { refreshToken: s.endpoint.seedRefreshToken() },
      s.clock.now(),
    );
    db.failNextTokenWrites(1);
    const tokens = s.manager({ storage: db.storage });

    const token = await tokens.getAccessToken(record.id);

    expect(s.endpoint.stats.refreshCalls).toBe(1);
    expect(db.tokenWriteAttempts).toBe(2);
    const stored = await s.storage.connections.getConnection(record.id);
    expect(stored).toMatchObject({ status: 'active', version: 2 });
    expect(openTokenSet(s.vault, record.id, stored!.tokens!).accessToken).toBe(token);
    expect(await tokens.getAccessToken(record.id)).toBe(token);
    expect(s.endpoint.stats.refreshCalls).toBe(1);
    expect(s.events.filter((event) => event.type === 'token.refreshed')).toHaveLength(1);
  });

  it('keeps the set in process through an outage longer than the lease, says storage failed, and stores it on the next call', async () => {
    const s = setup();
    const db = failingTokenWrites(s.storage);
    const refreshToken = s.endpoint.seedRefreshToken();
    const record = await seedConnection(s.storage, s.vault, { refreshToken }, s.clock.now());
    db.failNextTokenWrites(Number.POSITIVE_INFINITY);
    const tokens = s.manager({ storage: db.storage });

    const first = await tokens.getAccessToken(record.id).catch((e: unknown) => e);

    // The true cause: our storage, not the provider, and not a reason to reconnect.
    expect(StorageError.isInstance(first)).toBe(true);
    expect(first).toMatchObject({
      code: 'storage_unavailable',
      category: 'storage_unavailable',
      retryable: true,
      message: expect.stringMatching(/^Storage unavailable while saving refreshed tokens/),
    });
    expect(db.tokenWriteAttempts).toBeGreaterThan(1);
    expect(s.endpoint.stats.refreshCalls).toBe(1);
    const during = await s.storage.connections.getConnection(record.id);
    expect(during?.status).toBe('active');
    expect(during?.health.status).not.toBe('needs_reconnect');

    // Still down: the next call tries to store the kept set and fails the same way; it never refreshes with the
    // refresh token the provider already rotated away.
    await expect(tokens.getAccessToken(record.id)).rejects.toMatchObject({ code: 'storage_unavailable' });
    expect(s.endpoint.stats.refreshCalls).toBe(1);

    db.repair();
    const token = await tokens.getAccessToken(record.id);

    expect(s.endpoint.stats.refreshCalls).toBe(1);
    expect(s.endpoint.stats.invalidGrantAnswers).toBe(0);
    expect(s.endpoint.stats.reusedRefreshTokens).toBe(0);
    const stored = await s.storage.connections.getConnection(record.id);
    expect(stored?.status).toBe('active');
    const opened = openTokenSet(s.vault, record.id, stored!.tokens!);
    expect(opened.accessToken).toBe(token);
    expect(opened.refreshToken).not.toBe(refreshToken);
    expect(s.events.filter((event) => event.type === 'token.refreshed')).toHaveLength(1);
    expect(s.events.filter((event) => event.type === 'connection.needs_reconnect')).toEqual([]);
    // The stored set is the live one: the next expiry refreshes with it, successfully.
    s.clock.advance(31 * 60_000);
    expect(await tokens.getAccessToken(record.id)).not.toBe(token);
    expect(s.endpoint.stats.invalidGrantAnswers).toBe(0);

    // No token in what the failure or the logs expose.
    const text = exposedText(first) + JSON.stringify(s.logs);
    for (const secret of [refreshToken, token, opened.refreshToken!, TEST_CREDENTIALS.clientSecret]) {
      expect(text).not.toContain(secret);
    }
  });

  it('drops the kept set when another worker stored a newer one meanwhile', async () => {
    const s = setup();
    const db = failingTokenWrites(s.storage);
    const record = await seedConnection(
      s.storage,
      s.vault,
      { refreshToken: s.endpoint.seedRefreshToken() },
      s.clock.now(),
    );
    db.failNextTokenWrites(Number.POSITIVE_INFINITY);
    const stuck = s.manager({ storage: db.storage });
    await expect(stuck.getAccessToken(record.id)).rejects.toMatchObject({ code: 'storage_unavailable' });
    db.repair();
    // An operator re-connected the account while this process held its unsaved set: a newer set is stored.
    const reconnectRefresh = s.endpoint.seedRefreshToken();
    const current = (await s.storage.connections.getConnection(record.id))!;
    const reconnected = await seedConnection(
      createMemoryStorage(),
      s.vault,
      {
        accessToken: 'at_reconnected_1',
        accessTokenExpiresAt: s.clock.now() + 3600_000,
        refreshToken: reconnectRefresh,
      },
      s.clock.now(),
      record.id,
    );
    await s.storage.connections.updateConnection(
      record.id,
      { tokens: reconnected.tokens },
      { expectedVersion: current.version },
    );

    expect(await stuck.getAccessToken(record.id)).toBe('at_reconnected_1');
    expect(s.logs.some((line) => line.message.includes('dropping the rotated set'))).toBe(true);
    expect(s.endpoint.stats.refreshCalls).toBe(1);
  });
});

describe('lock defaults', () => {
  it('waiters outlast a dead holder’s lease with the default settings, and one of them refreshes', async () => {
    const s = setup();
    const record = await seedConnection(
      s.storage,
      s.vault,
      { refreshToken: s.endpoint.seedRefreshToken() },
      s.clock.now(),
    );
    // A worker took the lease with the default ttl (30 s) and died.
    await s.storage.locks.acquireLease(`refresh:${record.id}`, { ttlMs: 30_000 });
    const started = s.clock.now();
    const tokens = s.manager();

    const results = await Promise.all(Array.from({ length: 5 }, () => tokens.getAccessToken(record.id)));

    expect(new Set(results).size).toBe(1);
    expect(s.endpoint.stats.refreshCalls).toBe(1);
    expect(s.clock.now() - started).toBeGreaterThanOrEqual(30_000);
  });

  it('derives the wait from a configured ttl, so a longer lease is outlasted too', async () => {
    const s = setup();
    const record = await seedConnection(
      s.storage,
      s.vault,
      { refreshToken: s.endpoint.seedRefreshToken() },
      s.clock.now(),
    );
    await s.storage.locks.acquireLease(`refresh:${record.id}`, { ttlMs: 90_000 });
    const token = await s.manager({ lock: { ttlMs: 90_000 } }).getAccessToken(record.id);
    expect(token).toMatch(/^at_/);
    expect(s.endpoint.stats.refreshCalls).toBe(1);
  });

  it('refuses a wait that a crashed holder’s lease would outlast, naming lock.waitMs', () => {
    const s = setup();
    for (const lock of [{ ttlMs: 30_000, waitMs: 20_000 }, { waitMs: 30_000 }]) {
      let caught: unknown;
      try {
        s.manager({ lock });
      } catch (error) {
        caught = error;
      }
      expect(ConfigurationError.isInstance(caught)).toBe(true);
      expect((caught as ConfigurationError).setting).toBe('lock.waitMs');
    }
  });
});

describe('refresh ahead of expiry', () => {
  it('is capped at half the real lifetime, so tokens shorter than the window do not refresh on every call', async () => {
    // The endpoint issues 60 s tokens; the provider's policy asks to refresh 300 s ahead.
    const s = setup({ accessTtlSec: 60 });
    const record = await seedConnection(
      s.storage,
      s.vault,
      { refreshToken: s.endpoint.seedRefreshToken() },
      s.clock.now(),
    );
    const tokens = s.manager();

    const first = await tokens.getAccessToken(record.id);
    expect(s.endpoint.stats.refreshCalls).toBe(1);
    for (let call = 0; call < 5; call++) expect(await tokens.getAccessToken(record.id)).toBe(first);
    s.clock.advance(29_000);
    expect(await tokens.getAccessToken(record.id)).toBe(first);
    expect(s.endpoint.stats.refreshCalls).toBe(1);

    // Past half its life it is refreshed, once.
    s.clock.advance(2_000);
    const second = await tokens.getAccessToken(record.id);
    expect(second).not.toBe(first);
    expect(await tokens.getAccessToken(record.id)).toBe(second);
    expect(s.endpoint.stats.refreshCalls).toBe(2);
    const stored = await s.storage.connections.getConnection(record.id);
    expect(stored?.tokens?.accessTokenIssuedAt).toBe(s.clock.now());
  });

  it('opens a set stored without the issue time (an older SDK) and gives its successor one', async () => {
    const s = setup();
    // No accessTokenIssuedAt: the policy's window applies; this one is inside it, so it refreshes.
    const record = await seedConnection(
      s.storage,
      s.vault,
      { accessTokenExpiresAt: s.clock.now() + 200_000, refreshToken: s.endpoint.seedRefreshToken() },
      s.clock.now(),
    );
    expect(record.tokens && 'accessTokenIssuedAt' in record.tokens).toBe(false);
    await s.manager().getAccessToken(record.id);
    expect(s.endpoint.stats.refreshCalls).toBe(1);
    const stored = await s.storage.connections.getConnection(record.id);
    expect(stored?.tokens?.accessTokenIssuedAt).toBe(s.clock.now());
  });
});
