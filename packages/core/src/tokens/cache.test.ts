import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../runtime/clock';
import { createMemoryStorage } from '../storage/memory/memory-storage';
import type { BlueClerkStorage } from '../storage/storage';
import type { TokenVault } from '../vault/types';
import { createTokenManager } from './manager';
import {
  createRotatingTokenEndpoint,
  createTestVault,
  seedConnection,
  TEST_CREDENTIALS,
  testProvider,
} from './test-support';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Counts what a burst of API requests costs: vault opens per field, storage reads. */
function counting(storage: BlueClerkStorage, vault: TokenVault) {
  const opens = { accessToken: 0, refreshToken: 0 };
  let reads = 0;
  const countedVault: TokenVault = {
    ...vault,
    open(envelope, context) {
      opens[context.field as 'accessToken' | 'refreshToken']++;
      return vault.open(envelope, context);
    },
  };
  const countedStorage: BlueClerkStorage = {
    ...storage,
    connections: {
      ...storage.connections,
      getConnection: (id) => {
        reads++;
        return storage.connections.getConnection(id);
      },
    },
  };
  return { opens, reads: () => reads, vault: countedVault, storage: countedStorage };
}

describe('access tokens kept in memory', () => {
  it('a burst of 100 requests decrypts once and never opens the refresh token', async () => {
    const endpoint = createRotatingTokenEndpoint({ latencyMs: 0 });
    server.use(endpoint.handler);
    const clock = createManualClock(Date.now());
    const storage = createMemoryStorage({ clock });
    const vault = createTestVault();
    const record = await seedConnection(
      storage,
      vault,
      { refreshToken: endpoint.seedRefreshToken(), accessTokenExpiresAt: clock.now() + 3600_000 },
      clock.now(),
    );
    const c = counting(storage, vault);
    const manager = createTokenManager({
      storage: c.storage,
      vault: c.vault,
      clock,
      providers: { xero: testProvider() },
      credentials: { xero: TEST_CREDENTIALS },
    });
    const tokens = new Set<string>();
    for (let i = 0; i < 100; i++) tokens.add(await manager.getAccessToken(record.id));
    expect(tokens.size).toBe(1);
    expect(c.opens).toEqual({ accessToken: 1, refreshToken: 0 });
    expect(c.reads()).toBe(1);
    expect(endpoint.stats.refreshCalls).toBe(0);

    // Past the cache's maximum age the stored record is read again (a reconnect elsewhere is seen).
    clock.advance(30_000);
    await manager.getAccessToken(record.id);
    expect(c.opens.accessToken).toBe(2);

    // A 401 for the cached token drops it and refreshes once; the refresh token is opened only then.
    const rejected = [...tokens][0] as string;
    const fresh = await manager.getAccessToken(record.id, {
      forceRefresh: true,
      rejectedAccessToken: rejected,
    });
    expect(fresh).not.toBe(rejected);
    expect(endpoint.stats.refreshCalls).toBe(1);
    expect(c.opens.refreshToken).toBe(1);
    expect(await manager.getAccessToken(record.id)).toBe(fresh);
  });

  it('serves a cached token only until it is due for a refresh', async () => {
    const endpoint = createRotatingTokenEndpoint({ latencyMs: 0 });
    server.use(endpoint.handler);
    const clock = createManualClock(Date.now());
    const storage = createMemoryStorage({ clock });
    const vault = createTestVault();
    const record = await seedConnection(
      storage,
      vault,
      // Xero-like policy: refresh 300 s ahead; the token expires in 310 s.
      { refreshToken: endpoint.seedRefreshToken(), accessTokenExpiresAt: clock.now() + 310_000 },
      clock.now(),
    );
    const manager = createTokenManager({
      storage,
      vault,
      clock,
      providers: { xero: testProvider() },
      credentials: { xero: TEST_CREDENTIALS },
    });
    const first = await manager.getAccessToken(record.id);
    clock.advance(11_000);
    const second = await manager.getAccessToken(record.id);
    expect(second).not.toBe(first);
    expect(endpoint.stats.refreshCalls).toBe(1);
  });
});
