import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, ConfigurationError, ProviderError, ValidationError } from '../errors/index';
import type { BlueClerkEvent } from '../events/types';
import { createManualClock } from '../runtime/clock';
import { createMemoryStorage } from '../storage/memory/memory-storage';
import {
  createRotatingTokenEndpoint,
  createTestVault,
  exposedText,
  REVOKE_URL,
  TEST_CREDENTIALS,
  testConnectable,
  testProvider,
} from '../tokens/test-support';
import { openTokenSet } from '../vault/token-set';
import { type ConnectFlowOptions, createConnectFlow } from './connect-flow';
import { computeCodeChallenge } from './pkce';
import type { OAuthProviderDefinition } from './types';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const STATE_SECRET = 'kq3H9vT2mW8xZp5rLs1Yb7Nc4Dg6Jf0E';
const TENANTS_URL = 'https://api.blueclerk.test/connections';

/** The callback as the browser that started the attempt makes it: with its binding cookie. */
const bound = (started: { browserBinding: string }) => ({ browserBinding: started.browserBinding });

function setup(
  overrides: Partial<ConnectFlowOptions> = {},
  provider: OAuthProviderDefinition = testProvider(),
) {
  const endpoint = createRotatingTokenEndpoint({ latencyMs: 0 });
  const revocations: Array<{ authorization: string | null; body: string }> = [];
  server.use(
    endpoint.handler,
    http.post(REVOKE_URL, async ({ request }) => {
      revocations.push({ authorization: request.headers.get('authorization'), body: await request.text() });
      return new HttpResponse(null, { status: 200 });
    }),
  );
  const clock = createManualClock(Date.now());
  const storage = createMemoryStorage({ clock });
  const vault = createTestVault();
  const events: BlueClerkEvent[] = [];
  server.use(
    http.get(TENANTS_URL, ({ request }) => {
      // Core's HTTP client calls the identity endpoint with the new access token.
      expect(request.headers.get('authorization')).toMatch(/^Bearer at_/);
      return HttpResponse.json([{ tenantId: 'tenant-42', tenantName: 'Demo Company' }]);
    }),
  );
  const options: ConnectFlowOptions = {
    providers: {
      [provider.id]: testConnectable({
        ...provider,
        oauth: {
          ...provider.oauth,
          resolveTenants: async ({ http: client }) => {
            const { data } = await client.request<Array<{ tenantId: string; tenantName: string }>>({
              method: 'GET',
              path: '/connections',
              url: TENANTS_URL,
            });
            return data;
          },
        },
      }),
    },
    credentials: { [provider.id]: TEST_CREDENTIALS },
    storage,
    vault,
    stateSecret: STATE_SECRET,
    clock,
    events: { emit: (event) => events.push(event), subscribe: () => () => {} },
    ...overrides,
  };
  const flow = createConnectFlow(options);
  /** What the provider would redirect back with after the user approved. */
  async function approve(url: string, extra: Record<string, string> = {}) {
    const authorize = new URL(url);
    const challenge = authorize.searchParams.get('code_challenge');
    const code = endpoint.issueCode(challenge);
    return { code, state: authorize.searchParams.get('state') ?? '', ...extra };
  }
  return { flow, endpoint, storage, vault, events, clock, revocations, approve, options };
}

describe('createConnectFlow', () => {
  it('builds an authorize URL with PKCE S256 whose challenge matches the verifier sent at the exchange', async () => {
    const { flow, endpoint, approve } = setup();
    const started = await flow.start({
      provider: 'xero',
      ownerId: 'owner-1',
      returnTo: '/settings/integrations',
    });
    const url = new URL(started.url);
    expect(url.origin + url.pathname).toBe('https://login.blueclerk.test/authorize');
    expect(url.searchParams.get('client_id')).toBe(TEST_CREDENTIALS.clientId);
    expect(url.searchParams.get('redirect_uri')).toBe(TEST_CREDENTIALS.redirectUri);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('scope')).toBe('offline_access accounting.transactions');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('state')).toBe(started.state);
    // The verifier travels only inside the encrypted state, never in the URL.
    expect(started.state.split('.')).toHaveLength(5);

    const record = await flow.handleCallback(await approve(started.url), bound(started));
    expect(endpoint.stats.codeVerifiers).toHaveLength(1);
    const verifier = endpoint.stats.codeVerifiers[0] as string;
    expect(await computeCodeChallenge(verifier)).toBe(url.searchParams.get('code_challenge'));
    expect(started.url).not.toContain(verifier);
    expect(record.returnTo).toBe('/settings/integrations');
  });

  it('omits PKCE for providers without it and authenticates the exchange with the configured client auth', async () => {
    const { flow, endpoint, approve } = setup(
      {},
      testProvider({ pkce: 'none', clientAuthentication: 'body' }),
    );
    const started = await flow.start({ provider: 'xero', ownerId: 'owner-1' });
    expect(new URL(started.url).searchParams.has('code_challenge')).toBe(false);
    await flow.handleCallback(await approve(started.url), bound(started));
    const exchange = endpoint.stats.requests[0];
    expect(exchange?.authorization).toBeNull();
    const form = new URLSearchParams(exchange?.body);
    expect(form.get('client_secret')).toBe(TEST_CREDENTIALS.clientSecret);
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.has('code_verifier')).toBe(false);
  });

  it('stores an active connection holding only sealed tokens and emits connection.connected', async () => {
    const { flow, storage, vault, events, approve } = setup();
    const started = await flow.start({ provider: 'xero', ownerId: 'owner-1' });
    const record = await flow.handleCallback(
      new URL(`https://app.blueclerk.test/cb?${new URLSearchParams(await approve(started.url))}`),
      bound(started),
    );
    expect(record).toMatchObject({
      id: started.connectionId,
      status: 'active',
      tenantId: 'tenant-42',
      ownerId: 'owner-1',
    });
    expect(record.metadata).toEqual({ tenantName: 'Demo Company' });
    const stored = await storage.connections.getConnection(started.connectionId);
    const opened = openTokenSet(vault, started.connectionId, stored!.tokens!);
    const raw = JSON.stringify(stored);
    expect(raw).not.toContain(opened.accessToken);
    expect(raw).not.toContain(opened.refreshToken);
    expect(opened.accessToken).toMatch(/^at_/);
    expect(events).toEqual([
      expect.objectContaining({ type: 'connection.connected', connectionId: started.connectionId }),
    ]);
  });

  it('takes the tenant from the callback when the provider declares tenantFromCallback', async () => {
    const provider = testProvider({
      tenantFromCallback: (params) => params.get('realmId'),
      verifyTenant: async ({ tenantId }) => (tenantId === '9130355' ? { tenantName: 'Realm 355' } : false),
    });
    const { flow, approve } = setup({}, provider);
    // setup() adds resolveTenant; the callback value must win.
    const started = await flow.start({ provider: 'xero', ownerId: 'owner-1' });
    const record = await flow.handleCallback(
      await approve(started.url, { realmId: '9130355' }),
      bound(started),
    );
    expect(record.tenantId).toBe('9130355');
  });

  it('refuses a tampered state', async () => {
    const { flow, approve, endpoint } = setup();
    const started = await flow.start({ provider: 'xero', ownerId: 'owner-1' });
    const params = await approve(started.url);
    const parts = params.state.split('.');
    const ciphertext = parts[3] as string;
    parts[3] = (ciphertext[0] === 'A' ? 'B' : 'A') + ciphertext.slice(1);
    const error = await flow
      .handleCallback({ ...params, state: parts.join('.') }, bound(started))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe('oauth_state_invalid');
    await expect(
      flow.handleCallback({ ...params, state: 'not-a-state' }, bound(started)),
    ).rejects.toMatchObject({
      code: 'oauth_state_invalid',
    });
    expect(endpoint.stats.codeExchanges).toBe(0);
  });

  it('refuses an expired state', async () => {
    const { flow, approve, clock } = setup();
    const started = await flow.start({ provider: 'xero', ownerId: 'owner-1' });
    clock.advance(11 * 60_000);
    const error = await flow
      .handleCallback(await approve(started.url), bound(started))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'oauth_state_invalid' });
    expect((error as Error).message).toContain('expired');
  });

  it('refuses a replayed state even when the first use succeeded', async () => {
    const { flow, approve, endpoint } = setup();
    const started = await flow.start({ provider: 'xero', ownerId: 'owner-1' });
    const params = await approve(started.url);
    await flow.handleCallback(params, bound(started));
    await expect(
      flow.handleCallback({ ...params, code: endpoint.issueCode() }, bound(started)),
    ).rejects.toMatchObject({
      code: 'oauth_state_invalid',
    });
    expect(endpoint.stats.codeExchanges).toBe(1);
  });

  it('refuses a state issued for another provider, even with the same secret', async () => {
    const xero = setup();
    const quickbooksFlow = createConnectFlow({
      ...xero.options,
      providers: { quickbooks: testConnectable({ ...testProvider(), id: 'quickbooks' }) },
      credentials: { quickbooks: TEST_CREDENTIALS },
    });
    const started = await quickbooksFlow.start({ provider: 'quickbooks', ownerId: 'owner-1' });
    const error = await xero.flow
      .handleCallback(await xero.approve(started.url), { ...bound(started), provider: 'xero' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'oauth_state_invalid' });
    expect((error as Error).message).toContain('another provider');
    // Without an expected provider, a state for a provider this flow does not offer is refused too.
    const other = await quickbooksFlow.start({ provider: 'quickbooks', ownerId: 'owner-1' });
    await expect(xero.flow.handleCallback(await xero.approve(other.url), bound(other))).rejects.toMatchObject(
      {
        code: 'oauth_state_invalid',
      },
    );
  });

  it('reports access_denied without calling the token endpoint', async () => {
    const { flow, endpoint, storage } = setup();
    const started = await flow.start({ provider: 'xero', ownerId: 'owner-1' });
    const error = await flow
      .handleCallback(
        { state: started.state, error: 'access_denied', error_description: 'User denied' },
        bound(started),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).details).toMatchObject({ oauthError: 'access_denied' });
    expect((error as AuthError).message).toContain('declined');
    expect(endpoint.stats.codeExchanges).toBe(0);
    expect(await storage.connections.getConnection(started.connectionId)).toBeNull();
  });

  it('reports a refused code as oauth_exchange_failed and stores nothing', async () => {
    const { flow, storage } = setup();
    const started = await flow.start({ provider: 'xero', ownerId: 'owner-1' });
    const error = await flow
      .handleCallback({ state: started.state, code: 'code-the-server-never-issued' }, bound(started))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'oauth_exchange_failed', details: { oauthError: 'invalid_grant' } });
    expect(exposedText(error)).not.toContain('code-the-server-never-issued');
    expect(await storage.connections.getConnection(started.connectionId)).toBeNull();
  });

  it('reconnects an existing connection with a CAS update back to active', async () => {
    const { flow, storage, approve } = setup();
    const first = await flow.start({ provider: 'xero', ownerId: 'owner-1' });
    const created = await flow.handleCallback(await approve(first.url), bound(first));
    await storage.connections.updateConnection(
      created.id,
      { status: 'needs_reconnect' },
      { expectedVersion: created.version },
    );
    const again = await flow.start({ provider: 'xero', ownerId: 'owner-1', connectionId: created.id });
    expect(again.connectionId).toBe(created.id);
    const reconnected = await flow.handleCallback(await approve(again.url), bound(again));
    expect(reconnected.status).toBe('active');
    expect(reconnected.version).toBe(created.version + 2);
    await expect(
      flow.start({ provider: 'xero', ownerId: 'someone-else', connectionId: created.id }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('refuses open-redirect returnTo values', async () => {
    const { flow } = setup({ returnToOrigins: ['https://app.blueclerk.test'] });
    await expect(
      flow.start({ provider: 'xero', ownerId: 'o', returnTo: 'https://evil.test/x' }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(
      flow.start({ provider: 'xero', ownerId: 'o', returnTo: '//evil.test/x' }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(
      flow.start({ provider: 'xero', ownerId: 'o', returnTo: 'https://app.blueclerk.test/done' }),
    ).resolves.toBeDefined();
  });

  it('validates the state secret and client credentials with the credentials rules', async () => {
    const { options } = setup();
    expect(() =>
      createConnectFlow({
        ...options,
        credentials: { xero: { ...TEST_CREDENTIALS, clientSecret: 'changeme' } },
      }),
    ).toThrow(ConfigurationError);
    // A bad state secret fails at set-up, synchronously, not at the first connection.
    let error: unknown;
    try {
      createConnectFlow({ ...options, stateSecret: 'short-secret' });
    } catch (caught) {
      error = caught;
    }
    expect(ConfigurationError.isInstance(error)).toBe(true);
    expect(exposedText(error)).not.toContain('short-secret');
    expect(() =>
      createConnectFlow({ ...options, stateSecret: 'your-state-secret-goes-here-0123456789' }),
    ).toThrow(ConfigurationError);
  });

  it('disconnect revokes the refresh token, wipes tokens, marks disconnected and emits an event', async () => {
    const { flow, storage, vault, approve, revocations, events } = setup();
    const started = await flow.start({ provider: 'xero', ownerId: 'owner-1' });
    const record = await flow.handleCallback(await approve(started.url), bound(started));
    const refreshToken = openTokenSet(vault, record.id, record.tokens!).refreshToken;
    const result = await flow.disconnect(record.id);
    expect(result).toMatchObject({ revoked: true, revokeError: null });
    expect(result.connection).toMatchObject({ status: 'disconnected', tokens: null });
    expect(revocations).toHaveLength(1);
    expect(new URLSearchParams(revocations[0]?.body).get('token')).toBe(refreshToken);
    expect(revocations[0]?.authorization).toMatch(/^Basic /);
    expect((await storage.connections.getConnection(record.id))?.tokens).toBeNull();
    expect(events.map((e) => e.type)).toEqual(['connection.connected', 'connection.disconnected']);
  });

  it('disconnect still wipes tokens when revocation fails, and reports the failure redacted', async () => {
    const { flow, vault, approve } = setup();
    const started = await flow.start({ provider: 'xero', ownerId: 'owner-1' });
    const record = await flow.handleCallback(await approve(started.url), bound(started));
    const tokens = openTokenSet(vault, record.id, record.tokens!);
    server.use(
      http.post(
        REVOKE_URL,
        async ({ request }) => new HttpResponse(`bad ${await request.text()}`, { status: 503 }),
      ),
    );
    const result = await flow.disconnect(record.id);
    expect(result.revoked).toBe(false);
    expect(result.revokeError).toMatchObject({ code: 'provider_error' });
    expect(result.connection.status).toBe('disconnected');
    const text = JSON.stringify(result);
    expect(text).not.toContain(tokens.refreshToken);
    expect(text).not.toContain(tokens.accessToken);
  });
});

describe('attacks on the connect flow', () => {
  it('login CSRF: a state completed in another browser (no or another binding cookie) connects nothing', async () => {
    const { flow, approve, endpoint, storage } = setup();
    const attacker = await flow.start({ provider: 'xero', ownerId: 'attacker' });
    const params = await approve(attacker.url);
    // The victim's browser has no cookie for this attempt, or its own from another attempt.
    const victim = await flow.start({ provider: 'xero', ownerId: 'victim' });
    for (const browserBinding of [undefined, null, '', victim.browserBinding]) {
      const error = await flow.handleCallback(params, { browserBinding }).catch((e: unknown) => e);
      expect(AuthError.isInstance(error) && error.code).toBe('oauth_state_invalid');
      expect((error as Error).message).toContain('another browser');
    }
    expect(endpoint.stats.codeExchanges).toBe(0);
    expect(await storage.connections.listConnections({ ownerId: 'attacker' })).toEqual([]);
    expect(await storage.connections.listConnections({ ownerId: 'victim' })).toEqual([]);
    // The refused attempts did not use the state up: the browser that started it still completes it.
    await expect(flow.handleCallback(params, bound(attacker))).resolves.toMatchObject({
      ownerId: 'attacker',
    });
  });

  it('login CSRF: a state started by another account than the signed-in one is refused before the exchange', async () => {
    const { flow, approve, endpoint, storage } = setup();
    const started = await flow.start({ provider: 'xero', ownerId: 'owner-a' });
    const params = await approve(started.url);
    await expect(
      flow.handleCallback(params, { ...bound(started), expectedOwnerId: 'owner-b' }),
    ).rejects.toMatchObject({ code: 'oauth_state_invalid' });
    expect(endpoint.stats.codeExchanges).toBe(0);
    expect(await storage.connections.listConnections({ ownerId: 'owner-a' })).toEqual([]);
    await expect(
      flow.handleCallback(params, { ...bound(started), expectedOwnerId: 'owner-a' }),
    ).resolves.toMatchObject({ ownerId: 'owner-a', status: 'active' });
  });

  it('open redirect: returnTo with tabs, newlines, backslashes, other hosts or non-strings is refused', async () => {
    const { flow } = setup({ returnToOrigins: ['https://app.blueclerk.test'] });
    const hostile: unknown[] = [
      '/\t/evil.test',
      '/\r/evil.test',
      '/\n/evil.test',
      '/\\evil.test',
      '//evil.test',
      '/ /evil.test',
      'https://evil.test/',
      'https://app.blueclerk.test.evil.test/',
      'https://user:pass@app.blueclerk.test/',
      'http://app.blueclerk.test/',
      'https://app.blueclerk.test/\t',
      'javascript:alert(1)',
      '',
      42,
      {},
      ['/settings'],
    ];
    for (const returnTo of hostile) {
      const error = await flow
        .start({ provider: 'xero', ownerId: 'o', returnTo: returnTo as string })
        .catch((e: unknown) => e);
      expect(ValidationError.isInstance(error), JSON.stringify(returnTo)).toBe(true);
      expect((error as ValidationError).issues[0]?.path).toBe('returnTo');
    }
    for (const returnTo of ['/settings/integrations?tab=qb#top', 'https://app.blueclerk.test/done']) {
      await expect(flow.start({ provider: 'xero', ownerId: 'o', returnTo })).resolves.toBeDefined();
    }
  });

  it('untyped input: a callback of the wrong type is a typed validation error', async () => {
    const { flow } = setup();
    for (const input of [null, 42, ['code=x']]) {
      await expect(
        flow.handleCallback(input as unknown as string, { browserBinding: 'x'.repeat(64) }),
      ).rejects.toSatisfy(ValidationError.isInstance);
    }
    await expect(
      flow.handleCallback('code=x&state=y', null as unknown as { browserBinding: string }),
    ).rejects.toSatisfy(ValidationError.isInstance);
  });

  it('tenant taken from the URL: a realmId the new token cannot read is refused and the grant revoked', async () => {
    const provider = testProvider({
      tenantFromCallback: (params) => params.get('realmId'),
      // The provider answers 403 for a company the token was not granted.
      verifyTenant: async ({ tenantId }) => {
        if (tenantId === 'realm-granted') return {};
        throw new ProviderError('provider_error', 'forbidden', { status: 403 });
      },
    });
    const { flow, approve, storage, revocations } = setup({}, provider);
    const started = await flow.start({ provider: 'xero', ownerId: 'owner-1' });
    const params = await approve(started.url, { realmId: 'realm-of-someone-else' });
    const error = await flow.handleCallback(params, bound(started)).catch((e: unknown) => e);
    expect(AuthError.isInstance(error) && error.code).toBe('tenant_unverified');
    expect(await storage.connections.listConnections({ ownerId: 'owner-1' })).toEqual([]);
    expect(revocations).toHaveLength(1);
    expect(exposedText(error)).not.toMatch(/at_|rt_/);
  });

  it('refuses at set-up a provider that reads the tenant from the URL without verifying it', () => {
    const provider = testProvider({ tenantFromCallback: (params) => params.get('realmId') });
    expect(() => setup({}, provider)).toThrow(/verifyTenant/);
  });

  it('revokes with a JSON {"token"} body and HTTP Basic when the provider says revokeBody json (Intuit)', async () => {
    const provider = { ...testProvider(), oauth: { ...testProvider().oauth, revokeBody: 'json' as const } };
    const { flow, approve, revocations } = setup({}, provider);
    const started = await flow.start({ provider: 'xero', ownerId: 'owner-1' });
    const record = await flow.handleCallback(await approve(started.url), bound(started));
    expect((await flow.disconnect(record.id)).revoked).toBe(true);
    expect(revocations).toHaveLength(1);
    const body = JSON.parse(revocations[0]?.body ?? '{}') as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['token']);
    expect(String(body.token)).toMatch(/^rt_/);
    expect(revocations[0]?.authorization).toMatch(/^Basic /);
  });
});
