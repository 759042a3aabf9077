import { describe, expect, it } from 'vitest';
import { computeCodeChallenge } from '../../oauth/pkce';
import { createManualClock } from '../../runtime/clock';
import { createOAuthServer, type OAuthServerOptions } from './oauth-server';

const TOKEN_URL = 'https://identity.sim.test/token';
const REVOKE_URL = 'https://identity.sim.test/revoke';
const AUTHORIZE_URL = 'https://login.sim.test/authorize';
const REDIRECT = 'https://app.test/callback';
const CLIENT = { clientId: 'app-1', clientSecret: 'app-1-secret' };

function server(options: Partial<OAuthServerOptions> = {}) {
  const clock = createManualClock();
  const oauth = createOAuthServer({
    clients: [
      { ...CLIENT, redirectUris: [REDIRECT] },
      { clientId: 'app-2', clientSecret: 'app-2-secret' },
      { clientId: 'spa', clientSecret: null },
    ],
    clock,
    ...options,
  });
  return { oauth, clock };
}

const basic = (id: string, secret: string) => `Basic ${btoa(`${id}:${secret}`)}`;

async function post(
  oauth: ReturnType<typeof server>['oauth'],
  url: string,
  fields: Record<string, string>,
  auth: 'basic' | 'body' | 'json' | 'none' = 'basic',
  client = CLIENT,
) {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: string;
  if (auth === 'json') {
    headers['content-type'] = 'application/json';
    body = JSON.stringify({ ...fields, client_id: client.clientId, client_secret: client.clientSecret });
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    const form = new URLSearchParams(fields);
    if (auth === 'basic') headers.authorization = basic(client.clientId, client.clientSecret);
    if (auth === 'body') {
      form.set('client_id', client.clientId);
      form.set('client_secret', client.clientSecret);
    }
    body = form.toString();
  }
  const request = new Request(url, { method: 'POST', headers, body });
  const response =
    url === TOKEN_URL ? await oauth.handleTokenRequest(request) : await oauth.handleRevokeRequest(request);
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, string>) : null };
}

function authorize(oauth: ReturnType<typeof server>['oauth'], params: Record<string, string>) {
  const url = new URL(AUTHORIZE_URL);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT.clientId,
    redirect_uri: REDIRECT,
    ...params,
  }).toString();
  const response = oauth.handleAuthorizeRequest(new Request(url));
  const location = response.headers.get('location');
  return { status: response.status, callback: location ? new URL(location) : null };
}

describe('OAuth simulator: authorization codes', () => {
  it('redirects with code and state; the code works once, for its client and redirect URI only', async () => {
    const { oauth } = server({
      authorize: ({ scopes }) => ({
        grant: { tenantId: 't-1' },
        redirectParams: { tenant: 't-1' },
        scope: scopes.join(' '),
      }),
    });
    const { status, callback } = authorize(oauth, { state: 's-1', scope: 'read write' });
    expect(status).toBe(302);
    expect(callback?.origin + (callback?.pathname ?? '')).toBe(REDIRECT);
    expect(callback?.searchParams.get('state')).toBe('s-1');
    expect(callback?.searchParams.get('tenant')).toBe('t-1');
    const code = callback?.searchParams.get('code') as string;

    const exchange = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT };
    const wrongRedirect = await post(oauth, TOKEN_URL, { ...exchange, redirect_uri: 'https://evil.test/cb' });
    expect(wrongRedirect.status).toBe(400);
    expect(wrongRedirect.body?.error).toBe('invalid_grant');

    const code2 = authorize(oauth, {}).callback?.searchParams.get('code') as string;
    const otherClient = await post(oauth, TOKEN_URL, { ...exchange, code: code2 }, 'basic', {
      clientId: 'app-2',
      clientSecret: 'app-2-secret',
    });
    expect(otherClient).toEqual({ status: 400, body: { error: 'invalid_grant' } });

    const code3 = authorize(oauth, { scope: 'read' }).callback?.searchParams.get('code') as string;
    const first = await post(oauth, TOKEN_URL, { ...exchange, code: code3 });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'read' });
    const check = oauth.verifyAccessToken(`Bearer ${first.body?.access_token}`);
    expect(check.ok && check.token.grant).toEqual({ tenantId: 't-1' });
    expect(await post(oauth, TOKEN_URL, { ...exchange, code: code3 })).toEqual({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    expect(oauth.stats()).toMatchObject({ codesIssued: 3, exchanges: 1 });
  });

  it('refuses unknown clients and unregistered redirect URIs without redirecting; reports other errors by redirect', () => {
    const { oauth } = server({
      authorize: () => ({ error: 'access_denied', errorDescription: 'user said no' }),
    });
    expect(authorize(oauth, { client_id: 'nobody' })).toEqual({ status: 400, callback: null });
    expect(authorize(oauth, { redirect_uri: 'https://evil.test/cb' })).toEqual({
      status: 400,
      callback: null,
    });
    const badType = authorize(oauth, { response_type: 'token', state: 'x' }).callback;
    expect(badType?.searchParams.get('error')).toBe('unsupported_response_type');
    expect(badType?.searchParams.get('state')).toBe('x');
    const denied = authorize(oauth, {}).callback;
    expect(denied?.searchParams.get('error')).toBe('access_denied');
    expect(denied?.searchParams.has('code')).toBe(false);
  });

  it('expires codes after authorizationCodeTtlSec', async () => {
    const { oauth, clock } = server({ authorizationCodeTtlSec: 60 });
    const code = oauth.createAuthorizationCode({
      clientId: CLIENT.clientId,
      redirectUri: REDIRECT,
      grant: {},
    });
    clock.advance(60_000);
    const late = await post(oauth, TOKEN_URL, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
    });
    expect(late).toEqual({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('binds a code to its S256 challenge; public clients must use PKCE', async () => {
    const { oauth } = server();
    const verifier = 'v'.repeat(64);
    const challenge = await computeCodeChallenge(verifier);
    const pkce = { code_challenge: challenge, code_challenge_method: 'S256' };
    const exchange = (code: string, extra: Record<string, string>) =>
      post(oauth, TOKEN_URL, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...extra });

    const wrong = authorize(oauth, pkce).callback?.searchParams.get('code') as string;
    expect((await exchange(wrong, { code_verifier: 'w'.repeat(64) })).body?.error).toBe('invalid_grant');
    const missing = authorize(oauth, pkce).callback?.searchParams.get('code') as string;
    expect((await exchange(missing, {})).body?.error).toBe('invalid_grant');
    const right = authorize(oauth, pkce).callback?.searchParams.get('code') as string;
    expect((await exchange(right, { code_verifier: verifier })).status).toBe(200);
    const noChallenge = authorize(oauth, {}).callback?.searchParams.get('code') as string;
    expect((await exchange(noChallenge, { code_verifier: verifier })).body?.error).toBe('invalid_grant');

    const plain = authorize(oauth, { code_challenge: verifier, code_challenge_method: 'plain' }).callback;
    expect(plain?.searchParams.get('error')).toBe('invalid_request');
    const publicClient = { client_id: 'spa', redirect_uri: 'https://spa.test/cb' };
    expect(authorize(oauth, publicClient).callback?.searchParams.get('error')).toBe('invalid_request');
    const spaCode = authorize(oauth, { ...publicClient, ...pkce }).callback?.searchParams.get(
      'code',
    ) as string;
    const spaExchange = await oauth.handleTokenRequest(
      new Request(TOKEN_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: spaCode,
          redirect_uri: 'https://spa.test/cb',
          client_id: 'spa',
          code_verifier: verifier,
        }),
      }),
    );
    expect(spaExchange.status).toBe(200);
  });

  it("requires a challenge from every client with pkce: 'required'", () => {
    const { oauth } = server({ pkce: 'required' });
    expect(authorize(oauth, {}).callback?.searchParams.get('error')).toBe('invalid_request');
  });
});

describe('OAuth simulator: refresh token rotation', () => {
  it('rotates on each refresh; a rotated token works for the grace period only, and every reuse is counted', async () => {
    const { oauth, clock } = server({ refreshTokenReuseGraceSec: 30 * 60 });
    const issued = oauth.issueTokens({ grant: { tenantId: 't-1' } });
    const refresh = (token: string) =>
      post(oauth, TOKEN_URL, { grant_type: 'refresh_token', refresh_token: token });

    const rotated = await refresh(issued.refreshToken);
    expect(rotated.status).toBe(200);
    expect(rotated.body?.refresh_token).not.toBe(issued.refreshToken);
    clock.advance(29 * 60_000);
    expect((await refresh(issued.refreshToken)).status).toBe(200);
    clock.advance(2 * 60_000);
    expect(oauth.isRefreshTokenLive(issued.refreshToken)).toBe(false);
    expect(await refresh(issued.refreshToken)).toEqual({ status: 400, body: { error: 'invalid_grant' } });
    expect(oauth.stats()).toMatchObject({ successfulRefreshes: 2, reusedRefreshTokens: 2, invalidGrants: 1 });
    expect(oauth.stats().tokenRequests).toEqual({ refresh_token: 3 });
  });

  it('with grace 0 (and in strict mode whatever the grace) a rotated token is refused at once', async () => {
    for (const options of [
      { refreshTokenReuseGraceSec: 0 },
      { refreshTokenReuseGraceSec: 3600, strictRefreshTokenRotation: true },
    ]) {
      const { oauth } = server(options);
      const issued = oauth.issueTokens({ grant: {} });
      const refresh = (token: string) =>
        post(oauth, TOKEN_URL, { grant_type: 'refresh_token', refresh_token: token });
      const rotated = await refresh(issued.refreshToken);
      expect(rotated.status).toBe(200);
      expect(await refresh(issued.refreshToken)).toEqual({ status: 400, body: { error: 'invalid_grant' } });
      // The newest token of the family still works: a reuse does not kill the connection.
      expect((await refresh(rotated.body?.refresh_token as string)).status).toBe(200);
      expect(oauth.stats()).toMatchObject({ successfulRefreshes: 2, reusedRefreshTokens: 1 });
    }
  });

  it('switches strict rotation on and off at run time', async () => {
    const { oauth } = server({ refreshTokenReuseGraceSec: 3600 });
    const issued = oauth.issueTokens({ grant: {} });
    await post(oauth, TOKEN_URL, { grant_type: 'refresh_token', refresh_token: issued.refreshToken });
    oauth.setStrictRefreshTokenRotation(true);
    expect(oauth.isRefreshTokenLive(issued.refreshToken)).toBe(false);
    oauth.setStrictRefreshTokenRotation(false);
    expect(oauth.isRefreshTokenLive(issued.refreshToken)).toBe(true);
    oauth.setRefreshTokenReuseGrace(0);
    expect(oauth.isRefreshTokenLive(issued.refreshToken)).toBe(false);
  });

  it('expires refresh tokens after refreshTokenTtlSec and refuses another client’s token', async () => {
    const { oauth, clock } = server({ refreshTokenTtlSec: 100 });
    const issued = oauth.issueTokens({ grant: {} });
    expect(issued.refreshTokenExpiresInSec).toBe(100);
    const other = await post(
      oauth,
      TOKEN_URL,
      { grant_type: 'refresh_token', refresh_token: issued.refreshToken },
      'basic',
      { clientId: 'app-2', clientSecret: 'app-2-secret' },
    );
    expect(other.body?.error).toBe('invalid_grant');
    clock.advance(100_000);
    const late = await post(oauth, TOKEN_URL, {
      grant_type: 'refresh_token',
      refresh_token: issued.refreshToken,
    });
    expect(late.body?.error).toBe('invalid_grant');
  });

  it('renders the provider’s token response', async () => {
    const { oauth } = server({
      tokenPrefixes: { refreshToken: 'RT1-' },
      renderTokenResponse: (t) => ({
        token_type: 'bearer',
        access_token: t.accessToken,
        refresh_token: t.refreshToken,
        expires_in: t.accessTokenExpiresInSec,
        x_refresh_token_expires_in: 8_726_400,
      }),
    });
    const issued = oauth.issueTokens({ grant: {} });
    const { body } = await post(oauth, TOKEN_URL, {
      grant_type: 'refresh_token',
      refresh_token: issued.refreshToken,
    });
    expect(Object.keys(body ?? {}).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'token_type',
      'x_refresh_token_expires_in',
    ]);
    expect(String(body?.refresh_token).startsWith('RT1-')).toBe(true);
  });
});

describe('OAuth simulator: client authentication', () => {
  it('accepts HTTP Basic, form body and JSON body credentials, and only the configured ones', async () => {
    const all = server().oauth;
    for (const mode of ['basic', 'body', 'json'] as const) {
      const { refreshToken } = all.issueTokens({ grant: {} });
      const answer = await post(
        all,
        TOKEN_URL,
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        mode,
      );
      expect(answer.status).toBe(200);
    }
    const jsonOnly = server({ clientAuthentication: ['json'] }).oauth;
    const { refreshToken } = jsonOnly.issueTokens({ grant: {} });
    const fields = { grant_type: 'refresh_token', refresh_token: refreshToken };
    expect(await post(jsonOnly, TOKEN_URL, fields, 'basic')).toEqual({
      status: 401,
      body: { error: 'invalid_client' },
    });
    expect((await post(jsonOnly, TOKEN_URL, fields, 'json')).status).toBe(200);
    const wrongSecret = await post(all, TOKEN_URL, fields, 'basic', {
      clientId: CLIENT.clientId,
      clientSecret: 'nope',
    });
    expect(wrongSecret).toEqual({ status: 401, body: { error: 'invalid_client' } });
    expect((await post(all, TOKEN_URL, fields, 'none')).status).toBe(401);
  });

  it('answers unsupported_grant_type and invalid_request', async () => {
    const { oauth } = server();
    expect((await post(oauth, TOKEN_URL, { grant_type: 'password' })).body?.error).toBe(
      'unsupported_grant_type',
    );
    expect((await post(oauth, TOKEN_URL, {})).body?.error).toBe('invalid_request');
  });
});

describe('OAuth simulator: access tokens and revocation', () => {
  it('verifies bearer tokens: missing, unknown, expired and revoked are 401', async () => {
    const { oauth, clock } = server({
      renderUnauthorized: (reason) => Response.json({ fault: reason }, { status: 401 }),
    });
    const issued = oauth.issueTokens({ grant: { tenantId: 't-9' }, scope: 'read' });
    const api = (auth: string | null) =>
      new Request('https://api.sim.test/x', { headers: auth ? { authorization: auth } : {} });
    const ok = oauth.verifyAccessToken(api(`Bearer ${issued.accessToken}`));
    expect(ok).toMatchObject({
      ok: true,
      token: { clientId: CLIENT.clientId, grant: { tenantId: 't-9' }, scope: 'read' },
    });
    for (const [auth, reason] of [
      [null, 'missing'],
      ['Basic abc', 'missing'],
      ['Bearer nope', 'unknown'],
    ] as const) {
      const check = oauth.verifyAccessToken(api(auth));
      expect(check.ok).toBe(false);
      if (!check.ok) {
        expect(check.reason).toBe(reason);
        expect(check.response.status).toBe(401);
        expect(await check.response.json()).toEqual({ fault: reason });
      }
    }
    clock.advance(3600_000);
    expect(oauth.verifyAccessToken(api(`Bearer ${issued.accessToken}`))).toMatchObject({
      ok: false,
      reason: 'expired',
    });

    const fresh = oauth.issueTokens({ grant: {} });
    expect(oauth.revoke(fresh.refreshToken)).toBe(true);
    expect(oauth.verifyAccessToken(`Bearer ${fresh.accessToken}`)).toMatchObject({
      ok: false,
      reason: 'revoked',
    });
    expect(oauth.revoke('unknown-token')).toBe(false);
  });

  it('revokes the whole grant through the endpoint, and only the calling client’s tokens', async () => {
    const { oauth } = server();
    const mine = oauth.issueTokens({ grant: {} });
    const theirs = oauth.issueTokens({ grant: {}, clientId: 'app-2' });
    expect(await post(oauth, REVOKE_URL, { token: mine.accessToken })).toEqual({ status: 200, body: null });
    expect(await post(oauth, REVOKE_URL, { token: theirs.refreshToken })).toEqual({
      status: 200,
      body: null,
    });
    expect(await post(oauth, REVOKE_URL, { token: 'unknown' })).toEqual({ status: 200, body: null });
    expect((await post(oauth, REVOKE_URL, {})).body?.error).toBe('invalid_request');
    const refresh = await post(oauth, TOKEN_URL, {
      grant_type: 'refresh_token',
      refresh_token: mine.refreshToken,
    });
    expect(refresh.body?.error).toBe('invalid_grant');
    expect(oauth.isRefreshTokenLive(theirs.refreshToken)).toBe(true);
    expect(oauth.stats().revokes).toBe(1);
  });

  it('expires one token set (access only, or access and refresh) or every access token', () => {
    const { oauth } = server();
    const a = oauth.issueTokens({ grant: {} });
    const b = oauth.issueTokens({ grant: {} });
    expect(oauth.expireTokenSet(a.refreshToken)).toBe(true);
    expect(oauth.verifyAccessToken(`Bearer ${a.accessToken}`)).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    expect(oauth.isRefreshTokenLive(a.refreshToken)).toBe(true);
    expect(oauth.verifyAccessToken(`Bearer ${b.accessToken}`).ok).toBe(true);
    oauth.expireTokenSet(a.accessToken, { refreshToken: true });
    expect(oauth.isRefreshTokenLive(a.refreshToken)).toBe(false);
    oauth.expireAccessTokens();
    expect(oauth.verifyAccessToken(`Bearer ${b.accessToken}`)).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    expect(oauth.expireTokenSet('unknown')).toBe(false);
  });
});
