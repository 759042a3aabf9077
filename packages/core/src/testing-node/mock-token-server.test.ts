import { afterEach, describe, expect, it } from 'vitest';
import { type MockTokenServer, startMockTokenServer } from './mock-token-server';

let server: MockTokenServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function refresh(url: string, refreshToken: string, auth = 'Basic ' + btoa('client-1:secret-1')) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('startMockTokenServer', () => {
  it('rotates refresh tokens and answers invalid_grant to a reused one, counting it', async () => {
    server = await startMockTokenServer({
      clientId: 'client-1',
      clientSecret: 'secret-1',
      accessTokenTtlSec: 120,
    });
    const seeded = server.seedRefreshToken();
    const first = await refresh(server.tokenUrl, seeded);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ token_type: 'bearer', expires_in: 120 });
    expect(first.body.refresh_token).not.toBe(seeded);
    expect(server.isCurrentAccessToken(first.body.access_token as string)).toBe(true);

    const reused = await refresh(server.tokenUrl, seeded);
    expect(reused).toEqual({ status: 400, body: { error: 'invalid_grant' } });
    const unknown = await refresh(server.tokenUrl, 'rt_never_issued');
    expect(unknown.status).toBe(400);

    const second = await refresh(server.tokenUrl, first.body.refresh_token as string);
    expect(second.status).toBe(200);
    expect(server.isCurrentAccessToken(first.body.access_token as string)).toBe(false);
    expect(server.stats).toEqual({
      refreshCalls: 4,
      successfulRefreshes: 2,
      invalidGrantAnswers: 2,
      reusedRefreshTokens: 1,
      hungRequests: 0,
    });
  });

  it('refuses bad client credentials', async () => {
    server = await startMockTokenServer({ clientId: 'client-1', clientSecret: 'secret-1' });
    const result = await refresh(
      server.tokenUrl,
      server.seedRefreshToken(),
      'Basic ' + btoa('client-1:wrong'),
    );
    expect(result).toEqual({ status: 401, body: { error: 'invalid_client' } });
  });

  it('hang mode holds a refresh open without consuming its refresh token', async () => {
    server = await startMockTokenServer();
    const seeded = server.seedRefreshToken();
    server.hangNextRefreshes(1);
    const controller = new AbortController();
    const hung = fetch(server.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: seeded }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    await expect.poll(() => server?.stats.hungRequests).toBe(1);
    controller.abort();
    expect(await hung).toBeInstanceOf(Error);
    // The hung request never reached the token store: the same refresh token still works once.
    expect((await refresh(server.tokenUrl, seeded, '')).status).toBe(200);
  });
});
