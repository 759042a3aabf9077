import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, ConfigurationError, NetworkError } from '../errors/index';
import { createEventBus } from '../events/bus';
import type { BlueClerkEvent } from '../events/types';
import type { LogLevel } from '../runtime/logger';
import { createMemoryBackend } from '../storage/memory/backend';
import { createMemoryStorage } from '../storage/memory/memory-storage';
import { openTokenSet } from '../vault/token-set';
import { createTokenManager, type TokenManagerOptions } from './manager';
import {
  createRotatingTokenEndpoint,
  createTestVault,
  exposedText,
  seedConnection,
  TEST_CREDENTIALS,
  TOKEN_URL,
  testProvider,
} from './test-support';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const DAY = 24 * 3600_000;

function setup() {
  const endpoint = createRotatingTokenEndpoint();
  server.use(endpoint.handler);
  const backend = createMemoryBackend();
  const storage = createMemoryStorage({ backend });
  const vault = createTestVault();
  const events: BlueClerkEvent[] = [];
  const bus = createEventBus();
  bus.subscribe((event) => {
    events.push(event);
  });
  const logs: Array<{ level: LogLevel; message: string; fields?: Record<string, unknown> }> = [];
  const manager = (overrides: Partial<TokenManagerOptions> = {}) =>
    createTokenManager({
      storage,
      vault,
      providers: { xero: testProvider() },
      credentials: { xero: TEST_CREDENTIALS },
      events: bus,
      logger: { log: (level, message, fields) => logs.push({ level, message, fields }) },
      lock: { ttlMs: 5_000, waitMs: 10_000, pollMs: 10 },
      refreshTimeoutMs: 2_000,
      ...overrides,
    });
  return { endpoint, backend, storage, vault, events, logs, manager };
}

describe('createTokenManager', () => {
  it('returns the stored token without calling the endpoint while it is fresh', async () => {
    const { endpoint, storage, vault, manager } = setup();
    const record = await seedConnection(
      storage,
      vault,
      {
        accessToken: 'at_fresh_123456',
        accessTokenExpiresAt: Date.now() + 3600_000,
        refreshToken: 'rt_x_12345678',
      },
      Date.now(),
    );
    expect(await manager().getAccessToken(record.id)).toBe('at_fresh_123456');
    expect(endpoint.stats.refreshCalls).toBe(0);
  });

  it('20 concurrent calls on an expired token through one manager cause exactly one refresh', async () => {
    const { endpoint, storage, vault, manager, events } = setup();
    const refreshToken = endpoint.seedRefreshToken();
    const record = await seedConnection(storage, vault, { refreshToken }, Date.now());
    const tokens = manager();
    const results = await Promise.all(Array.from({ length: 20 }, () => tokens.getAccessToken(record.id)));
    expect(endpoint.stats.refreshCalls).toBe(1);
    expect(endpoint.stats.reusedRefreshTokens).toBe(0);
    expect(new Set(results).size).toBe(1);
    const stored = await storage.connections.getConnection(record.id);
    const opened = openTokenSet(vault, record.id, stored?.tokens ?? record.tokens!);
    expect(opened.accessToken).toBe(results[0]);
    expect(opened.refreshToken).not.toBe(refreshToken);
    expect(stored?.version).toBe(2);
    expect(events.filter((e) => e.type === 'token.refreshed')).toHaveLength(1);
  });

  it('20 concurrent calls spread over 5 independent managers sharing one backend cause exactly one refresh', async () => {
    const { endpoint, backend, vault, events } = setup();
    const seedStorage = createMemoryStorage({ backend });
    const refreshToken = endpoint.seedRefreshToken();
    const record = await seedConnection(seedStorage, vault, { refreshToken }, Date.now());
    const managers = Array.from({ length: 5 }, () =>
      createTokenManager({
        storage: createMemoryStorage({ backend }),
        vault,
        providers: { xero: testProvider() },
        credentials: { xero: TEST_CREDENTIALS },
        events: { emit: (event) => events.push(event), subscribe: () => () => {} },
        lock: { ttlMs: 5_000, waitMs: 10_000, pollMs: 5 },
        refreshTimeoutMs: 2_000,
      }),
    );
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => managers[i % managers.length]!.getAccessToken(record.id)),
    );
    expect(endpoint.stats.refreshCalls).toBe(1);
    expect(endpoint.stats.reusedRefreshTokens).toBe(0);
    expect(new Set(results).size).toBe(1);
    expect(events.filter((e) => e.type === 'token.refreshed')).toHaveLength(1);
  });

  it('never hands the rotating endpoint a used refresh token over many rounds of expiry and 401s', async () => {
    const { endpoint, backend, vault } = setup();
    let now = Date.now();
    const clock = { now: () => now };
    const storage = createMemoryStorage({ backend, clock });
    const record = await seedConnection(storage, vault, { refreshToken: endpoint.seedRefreshToken() }, now);
    const managers = Array.from({ length: 3 }, () =>
      createTokenManager({
        storage: createMemoryStorage({ backend, clock }),
        vault,
        providers: { xero: testProvider() },
        credentials: { xero: TEST_CREDENTIALS },
        clock,
        lock: { ttlMs: 5_000, waitMs: 10_000, pollMs: 5 },
        refreshTimeoutMs: 2_000,
      }),
    );
    for (let round = 0; round < 5; round++) {
      const tokens = await Promise.all(
        Array.from({ length: 9 }, (_, i) => managers[i % 3]!.getAccessToken(record.id)),
      );
      expect(new Set(tokens).size).toBe(1);
      // Every caller saw the same token rejected with a 401: one refresh between them.
      await Promise.all(
        Array.from({ length: 9 }, (_, i) =>
          managers[i % 3]!.getAccessToken(record.id, { forceRefresh: true, rejectedAccessToken: tokens[0] }),
        ),
      );
      now += 31 * 60_000; // the next round starts with an expired access token
    }
    expect(endpoint.stats.refreshCalls).toBe(10);
    expect(endpoint.stats.reusedRefreshTokens).toBe(0);
    expect(endpoint.stats.invalidGrantAnswers).toBe(0);
  });

  it('N concurrent forced refreshes for the same rejected token cause one refresh; a late one reuses its result', async () => {
    const { endpoint, storage, vault, manager } = setup();
    const record = await seedConnection(
      storage,
      vault,
      {
        accessToken: 'at_rejected_1234',
        accessTokenExpiresAt: Date.now() + 3600_000,
        refreshToken: endpoint.seedRefreshToken(),
      },
      Date.now(),
    );
    const tokens = manager();
    const fresh = await Promise.all(
      Array.from({ length: 10 }, () =>
        tokens.getAccessToken(record.id, { forceRefresh: true, rejectedAccessToken: 'at_rejected_1234' }),
      ),
    );
    expect(new Set(fresh).size).toBe(1);
    expect(fresh[0]).not.toBe('at_rejected_1234');
    const late = await tokens.getAccessToken(record.id, {
      forceRefresh: true,
      rejectedAccessToken: 'at_rejected_1234',
    });
    expect(late).toBe(fresh[0]);
    expect(endpoint.stats.refreshCalls).toBe(1);
  });

  it('proactively rotates an old refresh token while the access token is still valid', async () => {
    const { endpoint, storage, vault, manager } = setup();
    const now = Date.now();
    const oldRefresh = endpoint.seedRefreshToken();
    const young = await seedConnection(
      storage,
      vault,
      {
        accessTokenExpiresAt: now + 3600_000,
        refreshToken: endpoint.seedRefreshToken(),
        refreshTokenIssuedAt: now - 29 * DAY,
      },
      now,
    );
    const old = await seedConnection(
      storage,
      vault,
      {
        accessToken: 'at_valid_old_rt',
        accessTokenExpiresAt: now + 3600_000,
        refreshToken: oldRefresh,
        refreshTokenIssuedAt: now - 31 * DAY,
      },
      now,
    );
    const tokens = manager();
    await tokens.getAccessToken(young.id);
    expect(endpoint.stats.refreshCalls).toBe(0);
    const token = await tokens.getAccessToken(old.id);
    expect(endpoint.stats.refreshCalls).toBe(1);
    expect(token).not.toBe('at_valid_old_rt');
    const stored = await storage.connections.getConnection(old.id);
    const opened = openTokenSet(vault, old.id, stored!.tokens!);
    expect(opened.refreshToken).not.toBe(oldRefresh);
    expect(opened.refreshTokenIssuedAt).toBeGreaterThanOrEqual(now);
  });

  it('keeps the current token when a proactive rotation fails for a transient reason', async () => {
    const { endpoint, storage, vault, manager } = setup();
    const now = Date.now();
    const record = await seedConnection(
      storage,
      vault,
      {
        accessToken: 'at_still_good_1',
        accessTokenExpiresAt: now + 3600_000,
        refreshToken: endpoint.seedRefreshToken(),
        refreshTokenIssuedAt: now - 40 * DAY,
      },
      now,
    );
    endpoint.answerNextWith(() => new HttpResponse('upstream down', { status: 503 }));
    expect(await manager().getAccessToken(record.id)).toBe('at_still_good_1');
    expect((await storage.connections.getConnection(record.id))?.status).toBe('active');
  });

  it('invalid_grant marks the connection needs_reconnect, emits an event, throws, and does not retry', async () => {
    const { endpoint, storage, vault, manager, events } = setup();
    const record = await seedConnection(storage, vault, { refreshToken: 'rt_revoked_by_user_1' }, Date.now());
    const tokens = manager();
    const error = await tokens.getAccessToken(record.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe('needs_reconnect');
    expect(endpoint.stats.refreshCalls).toBe(1);
    const stored = await storage.connections.getConnection(record.id);
    expect(stored?.status).toBe('needs_reconnect');
    expect(stored?.health.status).toBe('needs_reconnect');
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'connection.needs_reconnect',
        connectionId: record.id,
        reason: 'invalid_grant',
      }),
    );
    // Later calls fail fast without going back to the endpoint.
    await expect(tokens.getAccessToken(record.id)).rejects.toMatchObject({ code: 'needs_reconnect' });
    expect(endpoint.stats.refreshCalls).toBe(1);
  });

  it('waits for a crashed holder’s lease to expire and then refreshes once', async () => {
    const { endpoint, storage, vault, manager } = setup();
    const record = await seedConnection(
      storage,
      vault,
      { refreshToken: endpoint.seedRefreshToken() },
      Date.now(),
    );
    // A worker that took the lease and died: nobody releases it.
    const dead = await storage.locks.acquireLease(`refresh:${record.id}`, { ttlMs: 300 });
    expect(dead).not.toBeNull();
    const tokens = manager();
    const results = await Promise.all(Array.from({ length: 5 }, () => tokens.getAccessToken(record.id)));
    expect(new Set(results).size).toBe(1);
    expect(endpoint.stats.refreshCalls).toBe(1);
    // The dead worker's fence can no longer write.
    await expect(
      storage.connections.updateConnection(
        record.id,
        { status: 'disconnected' },
        { expectedVersion: 2, fence: { key: dead!.key, fence: dead!.fence } },
      ),
    ).rejects.toMatchObject({ code: 'lease_lost' });
  });

  it('gives up with lock_unavailable when the lease stays held past waitMs', async () => {
    const { storage, vault, manager } = setup();
    const record = await seedConnection(storage, vault, { refreshToken: 'rt_whatever_123' }, Date.now());
    await storage.locks.acquireLease(`refresh:${record.id}`, { ttlMs: 60_000 });
    const slept: number[] = [];
    const tokens = manager({
      lock: { ttlMs: 500, waitMs: 1_000, pollMs: 50 },
      refreshTimeoutMs: 400,
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    await expect(tokens.getAccessToken(record.id)).rejects.toMatchObject({
      code: 'lock_unavailable',
      retryable: true,
    });
    expect(slept.reduce((a, b) => a + b, 0)).toBe(1_000);
    // Jittered polling: not every wait is the same.
    expect(new Set(slept).size).toBeGreaterThan(1);
  });

  it('stores only sealed tokens after a refresh', async () => {
    const { endpoint, backend, storage, vault, manager } = setup();
    const record = await seedConnection(
      storage,
      vault,
      { refreshToken: endpoint.seedRefreshToken() },
      Date.now(),
    );
    const token = await manager().getAccessToken(record.id);
    const stored = await storage.connections.getConnection(record.id);
    const opened = openTokenSet(vault, record.id, stored!.tokens!);
    const raw = JSON.stringify(stored) + JSON.stringify(backend, (_k, v) => (v instanceof Map ? [...v] : v));
    expect(raw).not.toContain(token);
    expect(raw).not.toContain(opened.refreshToken);
  });

  it('times out a hanging token endpoint with NetworkError(timeout)', async () => {
    const { storage, vault, manager } = setup();
    server.use(http.post(TOKEN_URL, () => new Promise<Response>(() => {})));
    const record = await seedConnection(storage, vault, { refreshToken: 'rt_hanging_12345' }, Date.now());
    const error = await manager({ refreshTimeoutMs: 100 })
      .getAccessToken(record.id)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).code).toBe('timeout');
    // The lease was released: the next call can try again at once.
    expect(await storage.locks.acquireLease(`refresh:${record.id}`, { ttlMs: 1000 })).not.toBeNull();
  });

  it('refuses a lease TTL that a refresh could outlive', () => {
    const { manager } = setup();
    expect(() => manager({ lock: { ttlMs: 1_000 }, refreshTimeoutMs: 1_000 })).toThrow(ConfigurationError);
  });

  it('keeps tokens and the client secret out of errors, causes and logs from forced failures', async () => {
    const { endpoint, storage, vault, manager, logs } = setup();
    const refreshToken = endpoint.seedRefreshToken();
    const record = await seedConnection(
      storage,
      vault,
      { accessToken: 'at_secret_value_987', refreshToken, refreshTokenIssuedAt: Date.now() - 45 * DAY },
      Date.now(),
    );
    const tokens = manager();
    const failures: unknown[] = [];
    // A 5xx whose body echoes the refresh token and client secret.
    endpoint.answerNextWith(
      (body) =>
        new HttpResponse(`boom ${body.get('refresh_token')} ${TEST_CREDENTIALS.clientSecret}`, {
          status: 502,
        }),
    );
    failures.push(await tokens.getAccessToken(record.id).catch((e: unknown) => e));
    // A network failure whose message carries the token.
    const brokenNetwork = manager({
      fetch: async (_url, init) => {
        throw new TypeError(
          `socket closed while sending ${String(init?.body)} ${String(JSON.stringify(init?.headers))}`,
        );
      },
    });
    failures.push(await brokenNetwork.getAccessToken(record.id).catch((e: unknown) => e));
    // Malformed success body that includes a token-looking field.
    endpoint.answerNextWith(() =>
      HttpResponse.json({ access_token: 42, refresh_token: 'rt_leaky_but_new_99' }),
    );
    failures.push(await tokens.getAccessToken(record.id).catch((e: unknown) => e));
    expect(failures.every((f) => f instanceof Error)).toBe(true);
    const text = failures.map((f) => exposedText(f)).join('\n') + JSON.stringify(logs);
    for (const secret of [
      refreshToken,
      'at_secret_value_987',
      TEST_CREDENTIALS.clientSecret,
      'rt_leaky_but_new_99',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(logs.length).toBeGreaterThan(0);
  });
  it('never sends the refresh token when its lease lapsed before the refresh call', async () => {
    const { endpoint, storage, vault, manager } = setup();
    const refreshToken = endpoint.seedRefreshToken();
    const record = await seedConnection(storage, vault, { refreshToken }, Date.now());
    // The lease is granted, then lost (another worker took over while this one stalled): extending it fails.
    const stalled = { ...storage, locks: { ...storage.locks, extendLease: async () => null } };
    const error = await manager({ storage: stalled })
      .getAccessToken(record.id)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'lease_lost', retryable: true });
    expect(endpoint.stats.refreshCalls).toBe(0);
    expect((await storage.connections.getConnection(record.id))?.status).toBe('active');
  });

  it('uses the tokens another worker stored when its own refresh answers invalid_grant', async () => {
    const { endpoint, backend, storage, vault, manager } = setup();
    const refreshToken = endpoint.seedRefreshToken();
    const record = await seedConnection(storage, vault, { refreshToken }, Date.now());
    // A second worker whose lock table does not see ours (its lease lapsed): it refreshes first, rotating the token.
    const other = manager({
      storage: { ...createMemoryStorage({ backend }), locks: createMemoryStorage().locks },
    });
    let othersToken = '';
    const racingFetch: typeof fetch = async (input, init) => {
      if (!othersToken) othersToken = await other.getAccessToken(record.id);
      return fetch(input, init);
    };
    const token = await manager({ fetch: racingFetch }).getAccessToken(record.id);
    expect(endpoint.stats.invalidGrantAnswers).toBe(1);
    expect(token).toBe(othersToken);
    const stored = await storage.connections.getConnection(record.id);
    expect(stored?.status).toBe('active');
    expect(openTokenSet(vault, record.id, stored!.tokens!).accessToken).toBe(othersToken);
  });
  it('still stores the rotated tokens when its lease was taken over during the refresh call', async () => {
    const { endpoint, backend, storage, vault, manager, logs } = setup();
    const refreshToken = endpoint.seedRefreshToken();
    const record = await seedConnection(storage, vault, { refreshToken }, Date.now());
    // A worker whose clock runs ten minutes ahead sees our lease as expired and takes it over mid-refresh.
    const ahead = createMemoryStorage({ backend, clock: { now: () => Date.now() + 600_000 } });
    let takenOver = false;
    const slowFetch: typeof fetch = async (input, init) => {
      takenOver = (await ahead.locks.acquireLease(`refresh:${record.id}`, { ttlMs: 5_000 })) !== null;
      return fetch(input, init);
    };
    const token = await manager({ fetch: slowFetch }).getAccessToken(record.id);
    expect(takenOver).toBe(true);
    expect(endpoint.stats.refreshCalls).toBe(1);
    const stored = await storage.connections.getConnection(record.id);
    const opened = openTokenSet(vault, record.id, stored!.tokens!);
    expect(opened.accessToken).toBe(token);
    expect(opened.refreshToken).not.toBe(refreshToken);
    expect(logs.some((l) => l.message.includes('taken over during the refresh'))).toBe(true);
  });
});
