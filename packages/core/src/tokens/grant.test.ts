import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEventBus } from '../events/bus';
import { createConnectFlow } from '../oauth/connect-flow';
import { createMemoryBackend } from '../storage/memory/backend';
import { createMemoryStorage } from '../storage/memory/memory-storage';
import { sealTokenSet } from '../vault/token-set';
import { createTokenManager } from './manager';
import {
  createRotatingTokenEndpoint,
  createTestVault,
  REVOKE_URL,
  TEST_CREDENTIALS,
  testConnectable,
  testProvider,
} from './test-support';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const TENANTS_URL = 'https://api.blueclerk.test/connections';
const STATE_SECRET = 'kq3H9vT2mW8xZp5rLs1Yb7Nc4Dg6Jf0E';

/** One grant (one Xero consent) covering two organisations: the holder has the tokens, the member points at it. */
async function seedGrant() {
  const endpoint = createRotatingTokenEndpoint({ latencyMs: 5 });
  server.use(endpoint.handler);
  const backend = createMemoryBackend();
  const storage = createMemoryStorage({ backend });
  const vault = createTestVault();
  const now = Date.now();
  const holder = await storage.connections.createConnection({
    id: 'conn_org_a',
    provider: 'xero',
    ownerId: 'owner-1',
    tenantId: 'org-a',
    status: 'active',
    tokens: sealTokenSet(vault, 'conn_org_a', {
      accessToken: 'at_expired_seed',
      accessTokenExpiresAt: now - 60_000,
      refreshToken: endpoint.seedRefreshToken(),
      refreshTokenExpiresAt: null,
      refreshTokenIssuedAt: now - 3600_000,
      scope: 'offline_access',
    }),
  });
  const member = await storage.connections.createConnection({
    provider: 'xero',
    ownerId: 'owner-1',
    tenantId: 'org-b',
    status: 'active',
    grantId: holder.id,
  });
  const manager = () =>
    createTokenManager({
      storage: createMemoryStorage({ backend }),
      vault,
      providers: { xero: testProvider() },
      credentials: { xero: TEST_CREDENTIALS },
      lock: { ttlMs: 5_000, waitMs: 10_000, pollMs: 5 },
      refreshTimeoutMs: 2_000,
    });
  return { endpoint, storage, vault, holder, member, manager };
}

describe('one grant, several tenants', () => {
  it('16 concurrent callers across both connections of one grant cause exactly one refresh', async () => {
    const { endpoint, holder, member, manager } = await seedGrant();
    // Two managers on one store: two processes.
    const managers = [manager(), manager()];
    const ids = [holder.id, member.id];
    const tokens = await Promise.all(
      Array.from({ length: 16 }, (_, i) => managers[i % 2]!.getAccessToken(ids[Math.floor(i / 2) % 2]!)),
    );
    expect(endpoint.stats.refreshCalls).toBe(1);
    expect(endpoint.stats.reusedRefreshTokens).toBe(0);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe('at_expired_seed');
  });

  it('a dead grant marks every connection of it needs_reconnect', async () => {
    const { endpoint, storage, holder, member, manager } = await seedGrant();
    endpoint.answerNextWith(() => HttpResponse.json({ error: 'invalid_grant' }, { status: 400 }));
    await expect(manager().getAccessToken(member.id)).rejects.toMatchObject({ code: 'needs_reconnect' });
    expect((await storage.connections.getConnection(holder.id))?.status).toBe('needs_reconnect');
    expect((await storage.connections.getConnection(member.id))?.status).toBe('needs_reconnect');
  });

  it('connecting makes one connection per tenant sharing one token set; disconnect revokes only with the last', async () => {
    const endpoint = createRotatingTokenEndpoint({ latencyMs: 0 });
    const revocations: string[] = [];
    server.use(
      endpoint.handler,
      http.get(TENANTS_URL, () =>
        HttpResponse.json([
          { tenantId: 'org-a', tenantName: 'Org A' },
          { tenantId: 'org-b', tenantName: 'Org B' },
        ]),
      ),
      http.post(REVOKE_URL, async ({ request }) => {
        revocations.push(await request.text());
        return new HttpResponse(null, { status: 200 });
      }),
    );
    const storage = createMemoryStorage();
    const vault = createTestVault();
    const base = testProvider();
    const provider = testConnectable({
      ...base,
      oauth: {
        ...base.oauth,
        resolveTenants: async ({ http: client }) =>
          (
            await client.request<Array<{ tenantId: string; tenantName: string }>>({
              method: 'GET',
              path: '/connections',
              url: TENANTS_URL,
            })
          ).data,
      },
    });
    const events = createEventBus();
    const flow = createConnectFlow({
      events,
      providers: { xero: provider },
      credentials: { xero: TEST_CREDENTIALS },
      storage,
      vault,
      stateSecret: STATE_SECRET,
    });
    const started = await flow.start({ provider: 'xero', ownerId: 'owner-1' });
    const authorize = new URL(started.url);
    const code = endpoint.issueCode(authorize.searchParams.get('code_challenge'));
    const result = await flow.handleCallback(
      { code, state: authorize.searchParams.get('state') ?? '' },
      { browserBinding: started.browserBinding },
    );

    expect(result.connections.map((c) => c.tenantId)).toEqual(['org-a', 'org-b']);
    const [first, second] = result.connections;
    expect(first?.tokens).not.toBeNull();
    expect(second).toMatchObject({ grantId: first?.id, tokens: null, status: 'active' });
    expect(second?.metadata).toEqual({ tenantName: 'Org B' });

    const manager = createTokenManager({
      events,
      storage,
      vault,
      providers: { xero: base },
      credentials: { xero: TEST_CREDENTIALS },
    });
    expect(await manager.getAccessToken(second!.id)).toBe(await manager.getAccessToken(first!.id));

    // Disconnecting one organisation leaves the grant to the other: no revocation, tokens kept.
    const one = await flow.disconnect(first!.id);
    expect(one).toMatchObject({ revoked: false, stillUsedBy: [second!.id] });
    expect(revocations).toHaveLength(0);
    expect(await manager.getAccessToken(second!.id)).toMatch(/^at_/);
    await expect(manager.getAccessToken(first!.id)).rejects.toMatchObject({ code: 'needs_reconnect' });

    // The last one revokes the grant and wipes the tokens.
    const last = await flow.disconnect(second!.id);
    expect(last).toMatchObject({ revoked: true, stillUsedBy: [] });
    expect(revocations).toHaveLength(1);
    expect((await storage.connections.getConnection(first!.id))?.tokens).toBeNull();
    await expect(manager.getAccessToken(second!.id)).rejects.toMatchObject({ code: 'needs_reconnect' });
  });
});
