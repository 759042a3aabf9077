import { HttpResponse } from 'msw';
import { bump, type SimCore } from './core';
import type { SimClient, TokenOutcome } from './oauth-server';

/** Intuit's OAuth endpoints (authorize, token, revoke) backed by `SimOAuthServer`. */

function clientFromRequest(core: SimCore, request: Request, form: URLSearchParams): SimClient | null {
  const header = request.headers.get('authorization');
  const basic = header ? /^Basic\s+(\S+)$/i.exec(header) : null;
  if (basic) {
    let decoded = '';
    try {
      decoded = atob(basic[1] as string);
    } catch {
      return null;
    }
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    return core.oauth.authenticateClient(
      decodeURIComponent(decoded.slice(0, colon)),
      decodeURIComponent(decoded.slice(colon + 1)),
    );
  }
  return core.oauth.authenticateClient(form.get('client_id'), form.get('client_secret'));
}

async function readForm(request: Request): Promise<URLSearchParams> {
  const text = await request.text();
  const type = request.headers.get('content-type') ?? '';
  if (type.includes('application/json')) {
    try {
      const json = JSON.parse(text) as Record<string, unknown>;
      return new URLSearchParams(Object.entries(json).map(([k, v]) => [k, String(v)]));
    } catch {
      return new URLSearchParams();
    }
  }
  return new URLSearchParams(text);
}

function tokenJson(outcome: TokenOutcome): Response {
  const init = { status: outcome.ok ? 200 : outcome.status, headers: { 'cache-control': 'no-store' } };
  return HttpResponse.json(outcome.body as unknown as Record<string, unknown>, init);
}

async function applyOAuthFault(core: SimCore, request: Request, commit: () => Response | Promise<Response>) {
  const url = new URL(request.url);
  const facts = { method: request.method, pathAndQuery: url.pathname + url.search, realmId: null };
  const before = core.faults.take(facts, ['server_error', 'network_error', 'hang']);
  if (before) {
    core.stats.faultsFired += 1;
    if (before.kind === 'server_error')
      return HttpResponse.json({ error: 'server_error' }, { status: before.status ?? 503 });
    if (before.kind === 'hang') await core.faults.hang(request.signal, core.maxHangMs);
    return HttpResponse.error();
  }
  const response = await commit();
  // A lost token response is the case that burns a rotated refresh token: the server rotated, the client never knew.
  const after = core.faults.take(facts, ['lose_response', 'hang_after_commit']);
  if (after) {
    core.stats.faultsFired += 1;
    if (after.kind === 'hang_after_commit') await core.faults.hang(request.signal, core.maxHangMs);
    return HttpResponse.error();
  }
  return response;
}

export async function handleToken(core: SimCore, request: Request): Promise<Response> {
  const form = await readForm(request);
  const grantType = form.get('grant_type') ?? 'missing';
  bump(core.stats.tokenRequests, grantType);
  return applyOAuthFault(core, request, () => {
    const client = clientFromRequest(core, request, form);
    if (!client) return HttpResponse.json({ error: 'invalid_client' }, { status: 401 });
    const now = core.clock.now();
    if (grantType === 'authorization_code') {
      return tokenJson(core.oauth.exchangeCode(client, form.get('code'), form.get('redirect_uri'), now));
    }
    if (grantType === 'refresh_token')
      return tokenJson(core.oauth.refresh(client, form.get('refresh_token'), now));
    return HttpResponse.json({ error: 'unsupported_grant_type' }, { status: 400 });
  });
}

export async function handleRevoke(core: SimCore, request: Request): Promise<Response> {
  const form = await readForm(request);
  bump(core.stats.tokenRequests, 'revoke');
  return applyOAuthFault(core, request, () => {
    const client = clientFromRequest(core, request, form);
    if (!client) return HttpResponse.json({ error: 'invalid_client' }, { status: 401 });
    const token = form.get('token');
    if (!token) return HttpResponse.json({ error: 'invalid_request' }, { status: 400 });
    core.oauth.revoke(token);
    return new HttpResponse(null, { status: 200 });
  });
}

/** The consent screen, skipped: redirects straight back with `code`, `state` and `realmId` as Intuit does. */
export function handleAuthorize(core: SimCore, request: Request): Response {
  const url = new URL(request.url);
  const client = core.oauth.clients.get(url.searchParams.get('client_id') ?? '');
  const redirectUri = url.searchParams.get('redirect_uri');
  if (!client || !redirectUri) return new HttpResponse('Invalid client_id or redirect_uri', { status: 400 });
  if (client.redirectUris && !client.redirectUris.includes(redirectUri)) {
    return new HttpResponse('redirect_uri is not registered for this app', { status: 400 });
  }
  const target = new URL(redirectUri);
  const state = url.searchParams.get('state');
  if (state !== null) target.searchParams.set('state', state);
  const scopes = (url.searchParams.get('scope') ?? '').split(/\s+/).filter(Boolean);
  if (
    url.searchParams.get('response_type') !== 'code' ||
    !scopes.includes('com.intuit.quickbooks.accounting')
  ) {
    target.searchParams.set(
      'error',
      url.searchParams.get('response_type') !== 'code' ? 'unsupported_response_type' : 'invalid_scope',
    );
    return new HttpResponse(null, { status: 302, headers: { location: target.toString() } });
  }
  const code = core.oauth.createCode(client, redirectUri, core.authorizeRealmId, core.clock.now());
  target.searchParams.set('code', code);
  target.searchParams.set('realmId', core.authorizeRealmId);
  return new HttpResponse(null, { status: 302, headers: { location: target.toString() } });
}
