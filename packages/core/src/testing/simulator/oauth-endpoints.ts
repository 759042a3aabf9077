import { computeCodeChallenge } from '../../oauth/pkce';
import type { GrantStore } from './oauth-grants';
import type {
  OAuthClientAuthentication,
  ResolvedOAuthServerOptions,
  SimulatedOAuthClient,
} from './oauth-server';

/** The HTTP side of the OAuth simulator: parses token, revoke and authorize requests and renders the answers. */

/**
 * The parameters of a token or revoke request: form-encoded (RFC 6749) or a JSON object (FreshBooks). Reads a clone,
 * so the request stays readable; an unreadable body gives no parameters.
 */
export async function readOAuthParams(request: Request): Promise<URLSearchParams> {
  const text = await request.clone().text();
  if (!isJson(request)) return new URLSearchParams(text);
  try {
    const json = JSON.parse(text) as unknown;
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return new URLSearchParams();
    const entries = Object.entries(json as Record<string, unknown>).filter(
      ([, value]) => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean',
    );
    return new URLSearchParams(entries.map(([key, value]) => [key, String(value)]));
  } catch {
    return new URLSearchParams();
  }
}

function isJson(request: Request): boolean {
  return (request.headers.get('content-type') ?? '').toLowerCase().includes('application/json');
}

function tokenJson(status: number, body: Record<string, unknown>): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store', pragma: 'no-cache' } });
}

function oauthError(status: number, error: string, description?: string): Response {
  return tokenJson(status, description ? { error, error_description: description } : { error });
}

function decodeBasic(value: string): { id: string; secret: string } | null {
  try {
    const decoded = atob(value);
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    // RFC 6749 §2.3.1: both halves are form-urlencoded before base64.
    return {
      id: decodeURIComponent(decoded.slice(0, colon)),
      secret: decodeURIComponent(decoded.slice(colon + 1)),
    };
  } catch {
    return null;
  }
}

export function createOAuthEndpoints(options: ResolvedOAuthServerOptions, store: GrantStore) {
  const authenticateClient = (request: Request, params: URLSearchParams): SimulatedOAuthClient | null => {
    const header = request.headers.get('authorization');
    const basic = header ? /^Basic\s+(\S+)$/i.exec(header) : null;
    let presented: { id: string | null; secret: string | null; method: OAuthClientAuthentication | null };
    if (basic) {
      const decoded = decodeBasic(basic[1] as string);
      if (!decoded) return null;
      presented = { id: decoded.id, secret: decoded.secret, method: 'basic' };
    } else if (params.has('client_secret')) {
      presented = {
        id: params.get('client_id'),
        secret: params.get('client_secret'),
        method: isJson(request) ? 'json' : 'body',
      };
    } else {
      presented = { id: params.get('client_id'), secret: null, method: null };
    }
    const client = presented.id === null ? undefined : options.clients.get(presented.id);
    if (!client) return null;
    if (client.clientSecret === null) return presented.secret ? null : client;
    if (presented.method === null || !options.clientAuthentication.includes(presented.method)) return null;
    return presented.secret === client.clientSecret ? client : null;
  };

  const tokenResponse = (tokens: Parameters<ResolvedOAuthServerOptions['renderTokenResponse']>[0]) =>
    tokenJson(200, options.renderTokenResponse(tokens));

  const exchangeCode = async (client: SimulatedOAuthClient, params: URLSearchParams): Promise<Response> => {
    const taken = store.takeCode(client.clientId, params.get('code'), params.get('redirect_uri'));
    if (!taken.ok) return oauthError(400, 'invalid_grant', taken.description);
    const verifier = params.get('code_verifier');
    const challenge = taken.code.codeChallenge;
    if (challenge !== null && (!verifier || (await computeCodeChallenge(verifier)) !== challenge)) {
      store.invalidGrant();
      return oauthError(400, 'invalid_grant', 'PKCE verification failed');
    }
    if (challenge === null && verifier) {
      store.invalidGrant();
      return oauthError(400, 'invalid_grant', 'code_verifier sent for a code issued without code_challenge');
    }
    return tokenResponse(store.completeExchange(taken.code));
  };

  return {
    async handleTokenRequest(request: Request): Promise<Response> {
      const params = await readOAuthParams(request);
      const client = authenticateClient(request, params);
      if (!client) return oauthError(401, 'invalid_client');
      const grantType = params.get('grant_type');
      store.countTokenRequest(grantType ?? 'missing');
      if (grantType === null) return oauthError(400, 'invalid_request', 'grant_type is required');
      if (grantType === 'authorization_code') return exchangeCode(client, params);
      if (grantType === 'refresh_token') {
        const outcome = store.refresh(client.clientId, params.get('refresh_token'));
        return outcome.ok
          ? tokenResponse(outcome.tokens)
          : oauthError(400, outcome.error, outcome.description);
      }
      return oauthError(400, 'unsupported_grant_type');
    },

    async handleRevokeRequest(request: Request): Promise<Response> {
      const params = await readOAuthParams(request);
      const client = authenticateClient(request, params);
      if (!client) return oauthError(401, 'invalid_client');
      const token = params.get('token');
      if (!token) return oauthError(400, 'invalid_request', 'token is required');
      store.revokeFor(client.clientId, token);
      return new Response(null, { status: 200 });
    },

    handleAuthorizeRequest(request: Request): Response {
      const url = new URL(request.url);
      const query = url.searchParams;
      const client = options.clients.get(query.get('client_id') ?? '');
      const redirectUri = query.get('redirect_uri');
      // Never redirect to an unverified URI (RFC 6749 §4.1.2.1): these errors are shown to the user instead.
      if (!client || !redirectUri) return new Response('Invalid client_id or redirect_uri', { status: 400 });
      if (client.redirectUris && !client.redirectUris.includes(redirectUri)) {
        return new Response('redirect_uri is not registered for this app', { status: 400 });
      }
      let target: URL;
      try {
        target = new URL(redirectUri);
      } catch {
        return new Response('redirect_uri is not an absolute URL', { status: 400 });
      }
      const state = query.get('state');
      if (state !== null) target.searchParams.set('state', state);
      const redirect = () => new Response(null, { status: 302, headers: { location: target.toString() } });
      const fail = (error: string, description?: string) => {
        target.searchParams.set('error', error);
        if (description) target.searchParams.set('error_description', description);
        return redirect();
      };

      if (query.get('response_type') !== 'code') return fail('unsupported_response_type');
      const challenge = query.get('code_challenge');
      if (challenge !== null && query.get('code_challenge_method') !== 'S256') {
        return fail('invalid_request', 'code_challenge_method must be S256');
      }
      if (challenge === null && (options.pkce === 'required' || client.clientSecret === null)) {
        return fail('invalid_request', 'code_challenge is required');
      }
      const scopes = (query.get('scope') ?? '').split(/\s+/).filter(Boolean);
      const decision = options.authorize({ client, redirectUri, scopes, state, url });
      if ('error' in decision) return fail(decision.error, decision.errorDescription);
      const code = store.createCode({
        clientId: client.clientId,
        redirectUri,
        grant: decision.grant,
        scope: decision.scope ?? (scopes.length > 0 ? scopes.join(' ') : null),
        codeChallenge: challenge,
      });
      target.searchParams.set('code', code);
      for (const [key, value] of Object.entries(decision.redirectParams ?? {})) {
        target.searchParams.set(key, value);
      }
      return redirect();
    },
  };
}
