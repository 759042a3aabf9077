import { createManualClock } from '@blueclerk/core';
import { describe, expect, it } from 'vitest';
import { QUICKBOOKS_URLS } from './simulator';
import { useSimulatorServer } from './test-support';

const start = useSimulatorServer();
const basic = (id: string, secret: string) => `Basic ${btoa(`${id}:${secret}`)}`;

async function tokenRequest(
  form: Record<string, string>,
  auth = basic('sim-client-id', 'sim-client-secret'),
) {
  const response = await fetch(QUICKBOOKS_URLS.token, {
    method: 'POST',
    headers: {
      authorization: auth,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('simulator OAuth', () => {
  it('authorizes, redirects with code, state and realmId, and exchanges the code once', async () => {
    const { sim } = start();
    const authorize = new URL(QUICKBOOKS_URLS.authorize);
    authorize.search = new URLSearchParams({
      client_id: 'sim-client-id',
      response_type: 'code',
      scope: 'com.intuit.quickbooks.accounting',
      redirect_uri: 'https://app.example/callback',
      state: 'xyz',
    }).toString();
    const redirect = await fetch(authorize, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const callback = new URL(redirect.headers.get('location') as string);
    expect(callback.origin + callback.pathname).toBe('https://app.example/callback');
    expect(callback.searchParams.get('state')).toBe('xyz');
    expect(callback.searchParams.get('realmId')).toBe(sim.defaultRealmId);
    const code = callback.searchParams.get('code') as string;

    const exchange = { grant_type: 'authorization_code', code, redirect_uri: 'https://app.example/callback' };
    const wrongSecret = await tokenRequest(exchange, basic('sim-client-id', 'nope'));
    expect(wrongSecret).toEqual({ status: 401, body: { error: 'invalid_client' } });
    const first = await tokenRequest(exchange);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      token_type: 'bearer',
      expires_in: 3600,
      x_refresh_token_expires_in: 8726400,
    });
    const api = await fetch(
      `${QUICKBOOKS_URLS.production}/v3/company/${sim.defaultRealmId}/companyinfo/${sim.defaultRealmId}`,
      {
        headers: { authorization: `Bearer ${first.body.access_token}` },
      },
    );
    expect(api.status).toBe(200);
    expect((await tokenRequest(exchange)).body).toEqual({ error: 'invalid_grant' });
  });

  it('rotates refresh tokens and keeps the previous one alive for the grace period only', async () => {
    const clock = createManualClock();
    const { sim, tokens } = start({ clock });
    const rotated = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).not.toBe(tokens.refresh_token);
    clock.advance(23 * 3600 * 1000);
    const reuse = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(reuse.status).toBe(200);
    clock.advance(2 * 3600 * 1000);
    expect(sim.oauth.isRefreshTokenLive(tokens.refresh_token)).toBe(false);
    const late = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(late).toEqual({ status: 400, body: { error: 'invalid_grant' } });
    expect(sim.stats().tokenRequests.refresh_token).toBe(3);
  });

  it('rejects any reuse of a rotated refresh token in strict mode', async () => {
    const { tokens } = start({ strictRefreshTokenRotation: true });
    const rotated = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(rotated.status).toBe(200);
    const reuse = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(reuse).toEqual({ status: 400, body: { error: 'invalid_grant' } });
    const next = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: String(rotated.body.refresh_token),
    });
    expect(next.status).toBe(200);
  });

  it('rotates on the server even when the token response is lost', async () => {
    const { sim, tokens } = start({ strictRefreshTokenRotation: true });
    sim.faults.inject({ kind: 'lose_response', match: { path: '/tokens/bearer' } });
    await expect(
      tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
    ).rejects.toThrow();
    const retry = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(retry.body).toEqual({ error: 'invalid_grant' });
  });

  it('counts refreshes and reused refresh tokens, and expires one connection’s token set', async () => {
    const { sim, tokens } = start();
    const companyInfo = (accessToken: string) =>
      fetch(`${QUICKBOOKS_URLS.sandbox}/v3/company/${sim.defaultRealmId}/companyinfo/${sim.defaultRealmId}`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
    expect(
      (await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).status,
    ).toBe(200);
    // Inside Intuit's 24 h grace a reuse succeeds, yet it is a double send and is counted as one.
    expect(
      (await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).status,
    ).toBe(200);
    expect(sim.oauth.stats()).toMatchObject({ successfulRefreshes: 2, reusedRefreshTokens: 1, exchanges: 0 });

    const other = sim.oauth.issueTokens();
    expect(sim.oauth.expireTokenSet(other.access_token)).toBe(true);
    expect((await companyInfo(other.access_token)).status).toBe(401);
    expect((await companyInfo(tokens.access_token)).status).toBe(200);
    expect(sim.oauth.isRefreshTokenLive(other.refresh_token)).toBe(true);
    sim.oauth.expireTokenSet(other.refresh_token, { refreshToken: true });
    expect(sim.oauth.isRefreshTokenLive(other.refresh_token)).toBe(false);
  });

  it('revokes the whole grant: access token answers 401, refresh token invalid_grant', async () => {
    const { tokens, api } = start();
    const revoke = await fetch(QUICKBOOKS_URLS.revoke, {
      method: 'POST',
      headers: {
        authorization: basic('sim-client-id', 'sim-client-secret'),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ token: tokens.refresh_token }),
    });
    expect(revoke.status).toBe(200);
    expect((await api('query?query=select%20*%20from%20Customer')).status).toBe(401);
    const refresh = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(refresh.body).toEqual({ error: 'invalid_grant' });
  });

  it('answers 401 with the AuthenticationFailed fault for missing, unknown and expired tokens, 403 across realms', async () => {
    const clock = createManualClock();
    const { sim, api, realmId } = start({ clock, realms: ['111', '222'] });
    const missing = await api('customer/1', { headers: { authorization: '' } });
    expect(missing.status).toBe(401);
    // The gateway's lower-case envelope, nulls included, as Intuit sends 401s.
    expect(missing.body.fault).toEqual({
      error: [
        {
          message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
          detail: 'Token expired or invalid',
          code: '3200',
          element: null,
        },
      ],
      type: 'AUTHENTICATION',
    });
    expect(missing.body).toMatchObject({ intuitObject: null, queryResponse: null, batchItemResponse: [] });
    expect((await api('customer/1', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const other = sim.oauth.issueTokens('222');
    const cross = await api('customer/1', { headers: { authorization: `Bearer ${other.access_token}` } });
    expect(cross.status).toBe(403);
    expect(cross.body.fault).toEqual({
      error: [
        {
          message: 'message=AuthorizationFailed; errorCode=003100; statusCode=403',
          detail: null,
          code: '3100',
          element: null,
        },
      ],
      type: 'SERVICE',
    });
    expect(realmId).toBe('111');
    clock.advance(3601 * 1000);
    expect((await api('query?query=select%20*%20from%20Customer')).status).toBe(401);
  });
});
