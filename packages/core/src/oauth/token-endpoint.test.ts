import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/index';
import { exposedText, TEST_CREDENTIALS, testProvider, XERO_LIKE_POLICY } from '../tokens/test-support';
import { requestTokenSet } from './token-endpoint';
import type { ProviderOAuthConfig } from './types';

function capture(reply: unknown, status = 200) {
  const seen: Array<{ headers: Headers; body: string }> = [];
  const fetchFn = (async (_url: string | URL | Request, init?: RequestInit) => {
    seen.push({ headers: new Headers(init?.headers), body: String(init?.body) });
    return new Response(typeof reply === 'string' ? reply : JSON.stringify(reply), { status });
  }) as typeof fetch;
  return { seen, fetchFn };
}

function call(oauth: ProviderOAuthConfig, fetchFn: typeof fetch) {
  return requestTokenSet({
    oauth,
    credentials: TEST_CREDENTIALS,
    tokenPolicy: XERO_LIKE_POLICY,
    grant: { grantType: 'refresh_token', refreshToken: 'rt_current_123456' },
    fetch: fetchFn,
    clock: { now: () => 1_000_000 },
    timeoutMs: 1000,
  });
}

describe('requestTokenSet', () => {
  it('authenticates with a JSON body for json providers (FreshBooks)', async () => {
    const { seen, fetchFn } = capture({
      access_token: 'at_1234567890',
      refresh_token: 'rt_next_12345',
      expires_in: 43200,
    });
    await call(testProvider({ clientAuthentication: 'json' }).oauth, fetchFn);
    expect(seen[0]?.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'rt_current_123456',
      client_id: TEST_CREDENTIALS.clientId,
      client_secret: TEST_CREDENTIALS.clientSecret,
    });
  });

  it('authenticates with HTTP Basic for basic providers and keeps the secret out of the body', async () => {
    const { seen, fetchFn } = capture({ access_token: 'at_1234567890', expires_in: 3600 });
    await call(testProvider({ clientAuthentication: 'basic' }).oauth, fetchFn);
    const expected = btoa(`${TEST_CREDENTIALS.clientId}:${TEST_CREDENTIALS.clientSecret}`);
    expect(seen[0]?.headers.get('authorization')).toBe(`Basic ${expected}`);
    expect(seen[0]?.body).not.toContain(TEST_CREDENTIALS.clientSecret);
  });

  it('turns a QuickBooks-style response into a TokenSet with both expiries', async () => {
    const { fetchFn } = capture({
      token_type: 'bearer',
      access_token: 'at_1234567890',
      refresh_token: 'rt_next_12345',
      expires_in: 3600,
      x_refresh_token_expires_in: '8726400',
    });
    const result = await call(testProvider().oauth, fetchFn);
    expect(result).toEqual({
      ok: true,
      tokens: {
        accessToken: 'at_1234567890',
        refreshToken: 'rt_next_12345',
        accessTokenExpiresAt: 1_000_000 + 3600_000,
        refreshTokenExpiresAt: 1_000_000 + 8_726_400_000,
        refreshTokenIssuedAt: 1_000_000,
        scope: null,
        accessTokenIssuedAt: 1_000_000,
      },
    });
  });

  it('returns OAuth errors as data and rejects malformed bodies without echoing them', async () => {
    const refused = await call(testProvider().oauth, capture({ error: 'invalid_grant' }, 400).fetchFn);
    expect(refused).toEqual({ ok: false, status: 400, oauthError: 'invalid_grant' });
    const error = await call(
      testProvider().oauth,
      capture({ access_token: 'at_leak_me_please', token_type: 'mac', expires_in: -5 }).fetchFn,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(exposedText(error)).not.toContain('at_leak_me_please');
  });
});
