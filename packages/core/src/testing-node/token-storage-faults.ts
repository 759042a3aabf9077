import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from '../errors/index';
import { createManualClock } from '../runtime/clock';
import { randomId } from '../runtime/ids';
import type { BlueClerkStorage } from '../storage/storage';
import { createTokenManager, type TokenManagerOptions } from '../tokens/manager';
import { createKeyRing } from '../vault/key-ring';
import { openTokenSet, sealTokenSet } from '../vault/token-set';
import { createTokenVault } from '../vault/token-vault';
import { type MockTokenServer, mockTokenServerProvider, startMockTokenServer } from './mock-token-server';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

/**
 * A freshly rotated token set must survive the store failing at the moment it is written: the provider has already
 * rotated, so the set exists nowhere else (a 15 s Redis restart during a refresh used to end a FreshBooks
 * connection). Every storage adapter runs this suite against its real backend: once with a wrapper that fails the
 * first token write, once with a real outage - a TCP proxy in front of the backend, cut while the token endpoint
 * answers. The mock token server refuses any reuse of a rotated refresh token, so a refresh with the dead one would
 * show up as invalid_grant.
 *
 * @example
 * runTokenStorageFaultTests({
 *   name: 'Redis',
 *   backendUrl: REDIS_URL,
 *   createStorage: (url) => createRedisStorage({ redis: url, keyPrefix, requirePersistence: false }),
 * });
 */
export interface TokenStorageFaultOptions {
  /** Shown in the suite title (`Redis`, `PostgreSQL`). */
  name: string;
  /** The backend's URL (`redis://127.0.0.1:6379`, `postgresql://...`); the suite puts a proxy in front of it. */
  backendUrl: string | (() => string);
  /**
   * A storage on `url`: the backend itself, or the proxy in front of it (then it should give up quickly on a lost
   * connection, as an app's client configured for a fast failure would). Closed by the suite.
   */
  createStorage(url: string, role: 'direct' | 'through-proxy'): Promise<BlueClerkStorage> | BlueClerkStorage;
}

export function runTokenStorageFaultTests(options: TokenStorageFaultOptions): void {
  let proxy: TcpProxy;
  let tokenServer: MockTokenServer;
  let direct: BlueClerkStorage;
  const opened: BlueClerkStorage[] = [];
  const key = new Uint8Array(32).map((_, i) => (i * 7 + 3) % 256);
  const vault = createTokenVault(createKeyRing({ currentKeyId: 'k1', keys: { k1: key } }));

  beforeAll(async () => {
    const url = typeof options.backendUrl === 'function' ? options.backendUrl() : options.backendUrl;
    proxy = await startTcpProxy(url);
    direct = await options.createStorage(url, 'direct');
  });
  afterAll(async () => {
    for (const storage of opened) await storage.close();
    await direct.close();
    await proxy.close();
  });
  beforeEach(async () => {
    tokenServer = await startMockTokenServer();
  });
  afterEach(async () => {
    await proxy.restore();
    await tokenServer.close();
  });

  /** An active connection whose access token expired a minute ago, with a refresh token the server accepts. */
  async function seed(): Promise<{ id: string; refreshToken: string }> {
    const id = `conn_${randomId(8)}`;
    const refreshToken = tokenServer.seedRefreshToken();
    await direct.connections.createConnection({
      id,
      provider: 'quickbooks',
      ownerId: 'owner-1',
      tenantId: 'realm-1',
      status: 'active',
      tokens: sealTokenSet(vault, id, {
        accessToken: `at_expired_${id}`,
        refreshToken,
        accessTokenExpiresAt: Date.now() - 60_000,
        refreshTokenExpiresAt: null,
        refreshTokenIssuedAt: Date.now() - 3600_000,
        scope: null,
      }),
    });
    return { id, refreshToken };
  }

  function manager(storage: BlueClerkStorage, overrides: Partial<TokenManagerOptions> = {}) {
    const clock = createManualClock(Date.now());
    return createTokenManager({
      storage,
      vault,
      clock,
      sleep: async (ms) => clock.advance(ms),
      providers: { quickbooks: mockTokenServerProvider(tokenServer.tokenUrl) },
      credentials: {
        quickbooks: {
          clientId: 'fault-test-client',
          clientSecret: 'fault-test-secret-4kq9',
          redirectUri: 'https://app.blueclerk.test/oauth/callback',
        },
      },
      ...overrides,
    });
  }

  async function storedAccessToken(id: string): Promise<string> {
    const record = await direct.connections.getConnection(id);
    expect(record?.status).toBe('active');
    return openTokenSet(vault, id, record!.tokens!).accessToken;
  }

  describe(`refreshed tokens and ${options.name} failures`, () => {
    it(`retries a token write that fails once and stores the new set in ${options.name}`, async () => {
      const { id } = await seed();
      let failures = 1;
      const flaky: BlueClerkStorage = {
        ...direct,
        connections: {
          ...direct.connections,
          getConnection: (connectionId) => direct.connections.getConnection(connectionId),
          updateConnection: async (connectionId, patch, updateOptions) => {
            if (patch.tokens && failures-- > 0) {
              throw new StorageError(
                'updateConnection',
                `${options.name} storage unavailable during updateConnection`,
              );
            }
            return direct.connections.updateConnection(connectionId, patch, updateOptions);
          },
        },
      };
      const token = await manager(flaky).getAccessToken(id);
      expect(await storedAccessToken(id)).toBe(token);
      expect(tokenServer.stats.successfulRefreshes).toBe(1);
      expect(tokenServer.stats.invalidGrantAnswers).toBe(0);
    });

    it('keeps the set through a real outage during the write and stores it on the next call', async () => {
      const { id, refreshToken } = await seed();
      const storage = await options.createStorage(proxy.url, 'through-proxy');
      opened.push(storage);
      // The backend goes away right after the token endpoint answered: the rotated set is only in this process.
      const tokens = manager(storage, {
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          await proxy.cut();
          return response;
        },
      });

      const first = await tokens.getAccessToken(id).catch((e: unknown) => e);
      expect(StorageError.isInstance(first)).toBe(true);
      expect(first).toMatchObject({
        code: 'storage_unavailable',
        message: expect.stringMatching(/saving refreshed tokens/),
      });
      expect(String((first as Error).message)).not.toContain(refreshToken);
      expect(await storedAccessToken(id)).toBe(`at_expired_${id}`);

      await proxy.restore();
      const token = await tokens.getAccessToken(id);

      expect(await storedAccessToken(id)).toBe(token);
      expect(tokenServer.isCurrentAccessToken(token)).toBe(true);
      expect(tokenServer.stats.successfulRefreshes).toBe(1);
      expect(tokenServer.stats.reusedRefreshTokens).toBe(0);
      expect(tokenServer.stats.invalidGrantAnswers).toBe(0);
    });
  });
}
