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

export async function handleRevoke(core: SimCore, request: Request): Promise<Response> {
  bump(core.stats.tokenRequests, 'revoke');
  return withFaults(core, request, () => core.oauth.handleRevokeRequest(request));
}

/** The consent screen, skipped: redirects straight back with `code`, `state` and `realmId` as Intuit does. */
export function handleAuthorize(core: SimCore, request: Request): Response {
  return core.oauth.handleAuthorizeRequest(request);
}
