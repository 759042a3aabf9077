import { describeRequest, readOAuthParams } from '@blueclerk/core/testing/simulator';
import { bump, type SimCore } from './core';

/** Intuit's OAuth endpoints (authorize, token, revoke): core's OAuth kit behind the simulator's fault switches. */

/** Token-endpoint 5xx bodies are OAuth JSON, not Intuit API Faults. */
const renderOAuthServerError = (status: number) => Response.json({ error: 'server_error' }, { status });

function withFaults(core: SimCore, request: Request, answer: () => Promise<Response>): Promise<Response> {
  // A lost token response is the case that burns a rotated refresh token: the server rotated, the client never knew.
  return core.faults.run(request, describeRequest(request), answer, {
    renderServerError: renderOAuthServerError,
    // `latency` is the API's; token calls are slowed only by matched `latency` faults.
    baseLatency: false,
  });
}

export async function handleToken(core: SimCore, request: Request): Promise<Response> {
  const params = await readOAuthParams(request);
  bump(core.stats.tokenRequests, params.get('grant_type') ?? 'missing');
  return withFaults(core, request, () => core.oauth.handleTokenRequest(request));
}

/**
 * Intuit documents revocation as `Content-Type: application/json` with `{"token": ...}` and HTTP Basic client
 * authentication, and its own client sends exactly that (oauth-jsclient `OAuthClient.prototype.revoke`). With
 * `revokeRequests: 'json'` anything else is `400 invalid_request`.
 */
async function revokeShapeError(core: SimCore, request: Request): Promise<Response | null> {
  if (core.revokeRequests !== 'json') return null;
  const refuse = (description: string) =>
    Response.json({ error: 'invalid_request', error_description: description }, { status: 400 });
  if (!(request.headers.get('content-type') ?? '').toLowerCase().includes('application/json')) {
    return refuse('the revoke body must be JSON: {"token": "..."}');
  }
  if (!/^Basic\s+\S+$/i.test(request.headers.get('authorization') ?? '')) {
    return refuse('the client must authenticate with HTTP Basic');
  }
  try {
    const body = JSON.parse(await request.clone().text()) as unknown;
    const token = typeof body === 'object' && body !== null ? (body as { token?: unknown }).token : undefined;
    if (typeof token !== 'string' || token === '') return refuse('token is required');
  } catch {
    return refuse('the revoke body must be JSON: {"token": "..."}');
  }
  return null;
}

export async function handleRevoke(core: SimCore, request: Request): Promise<Response> {
  bump(core.stats.tokenRequests, 'revoke');
  return withFaults(
    core,
    request,
    async () => (await revokeShapeError(core, request)) ?? core.oauth.handleRevokeRequest(request),
  );
}

/** The consent screen, skipped: redirects straight back with `code`, `state` and `realmId` as Intuit does. */
export function handleAuthorize(core: SimCore, request: Request): Response {
  return core.oauth.handleAuthorizeRequest(request);
}
