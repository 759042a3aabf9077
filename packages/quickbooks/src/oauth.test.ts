import { ConfigurationError, createLimiterRegistry, providerHttpProfile } from '@blueclerk/core';
import { describe, expect, it } from 'vitest';
import { quickBooksOAuth } from './oauth';
import { createQuickBooksProvider } from './provider';
import { resolveQuickBooksSettings } from './settings';
import { useProviderHarness } from './test-support';
import { QUICKBOOKS_URLS } from './testing/index';

const start = useProviderHarness();

describe('QuickBooks OAuth and settings', () => {
  it('declares Intuit endpoints, Basic client auth, no PKCE, and reads realmId from the callback', () => {
    expect(quickBooksOAuth).toMatchObject({
      endpoints: {
        authorizeUrl: QUICKBOOKS_URLS.authorize,
        tokenUrl: QUICKBOOKS_URLS.token,
        revokeUrl: QUICKBOOKS_URLS.revoke,
      },
      defaultScopes: ['com.intuit.quickbooks.accounting'],
      pkce: 'none',
      clientAuthentication: 'basic',
    });
    expect(
      quickBooksOAuth.tenantFromCallback?.(new URLSearchParams('code=x&state=y&realmId=9130350000000001')),
    ).toBe('9130350000000001');
    expect(quickBooksOAuth.tenantFromCallback?.(new URLSearchParams('code=x&state=y'))).toBeNull();
  });

  it('validates settings at start-up and picks the sandbox host', () => {
    expect(resolveQuickBooksSettings({ environment: 'sandbox' }).baseUrl).toBe(
      'https://sandbox-quickbooks.api.intuit.com',
    );
    // One source of facts: the client profile is derived from the capabilities and the HTTP description.
    expect(providerHttpProfile(createQuickBooksProvider())).toMatchObject({
      baseUrl: 'https://quickbooks.api.intuit.com',
      limits: { requestsPerMinute: 500, maxConcurrent: 10, requestsPerDay: null, batchRequestsPerMinute: 40 },
      idempotency: { in: 'query', name: 'requestid', maxLength: 50 },
    });
    expect(() => resolveQuickBooksSettings({ minorVersion: 60 })).toThrow(ConfigurationError);
  });

  it('refreshes once after a 401 and never puts the token into an error', async () => {
    const h = start();
    h.sim.oauth.expireAccessTokens();
    let refreshes = 0;
    const http = h.provider.createHttp({
      connectionId: 'conn-2',
      limiter: createLimiterRegistry(),
      sleep: async () => {},
      getAccessToken: async (_id, options) => {
        if (!options?.forceRefresh) return h.tokens.access_token;
        refreshes += 1;
        const response = await fetch(QUICKBOOKS_URLS.token, {
          method: 'POST',
          headers: {
            authorization: `Basic ${btoa('sim-client-id:sim-client-secret')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: h.tokens.refresh_token }),
        });
        return ((await response.json()) as { access_token: string }).access_token;
      },
    });
    const ctx = { ...h.ctx, http };
    expect(await h.provider.customers.get(ctx, '1')).toBeNull();
    expect(refreshes).toBe(1);

    h.sim.oauth.revoke(h.tokens.refresh_token);
    const failing = h.provider.createHttp({
      connectionId: 'conn-3',
      limiter: createLimiterRegistry(),
      sleep: async () => {},
      getAccessToken: async () => h.tokens.access_token,
    });
    const error = await h.provider.customers.get({ ...h.ctx, http: failing }, '1').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unauthorized' });
    const serialized = JSON.stringify({
      message: (error as Error).message,
      details: (error as { details: unknown }).details,
    });
    expect(serialized).not.toContain(h.tokens.access_token);
    expect(serialized).not.toContain(h.tokens.refresh_token);
  });
});
