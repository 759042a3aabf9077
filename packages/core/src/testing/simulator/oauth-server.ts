import { type Clock, systemClock } from '../../runtime/clock';
import { createOAuthEndpoints } from './oauth-endpoints';
import { createGrantStore } from './oauth-grants';

/**
 * An OAuth 2.0 authorization server for provider simulators: authorization codes, the token endpoint
 * (`authorization_code` and `refresh_token` grants), revocation, and bearer-token checks for the simulated API.
 *
 * Refresh tokens rotate on every refresh. After a rotation the previous refresh token keeps working for
 * `refreshTokenReuseGraceSec` (QuickBooks 24 h, Xero 30 min, FreshBooks 0); with 0 - or in strict mode - any reuse
 * is `400 {"error":"invalid_grant"}`, which is what a token manager that loses a refresh response, or lets two
 * processes refresh at once, runs into. Every presentation of a rotated refresh token is counted in
 * `stats().reusedRefreshTokens`, accepted or not, so a test can prove a client never double-sends.
 *
 * Endpoints are Fetch handlers (`Request -> Response`), so a simulator mounts them on its provider's URLs:
 *
 * @example
 * const oauth = createOAuthServer({
 *   clients: [{ clientId: 'sim-client', clientSecret: 'sim-secret' }],
 *   refreshTokenReuseGraceSec: 30 * 60,
 *   renderTokenResponse: (t) => ({ access_token: t.accessToken, token_type: 'Bearer', expires_in: t.accessTokenExpiresInSec, refresh_token: t.refreshToken }),
 * });
 * const handlers = [
 *   http.get(AUTHORIZE_URL, ({ request }) => oauth.handleAuthorizeRequest(request)),
 *   http.post(TOKEN_URL, ({ request }) => oauth.handleTokenRequest(request)),
 *   http.post(REVOKE_URL, ({ request }) => oauth.handleRevokeRequest(request)),
 *   http.get(`${API}/*`, ({ request }) => {
 *     const auth = oauth.verifyAccessToken(request);
 *     return auth.ok ? answer(auth.token.grant.tenantId, request) : auth.response;
 *   }),
 * ];
 */

/** How a client authenticates at the token and revoke endpoints (the same names as core's `ProviderOAuthConfig`). */
export type OAuthClientAuthentication = 'basic' | 'body' | 'json';

/** An app registered with the simulated provider. */
export interface SimulatedOAuthClient {
  clientId: string;
  /** Null for a public client: it authenticates with its `client_id` alone and must use PKCE. */
  clientSecret: string | null;
  /** When set, authorize requests and code exchanges must use one of these. */
  redirectUris?: readonly string[];
}

/** What a token family was granted for: provider data such as `{ realmId }` or `{ tenantId }`. */
export type OAuthGrant = Readonly<Record<string, string>>;

/** One issued access + refresh token pair, as plain data; `renderTokenResponse` turns it into the provider's JSON. */
export interface IssuedTokenSet {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresInSec: number;
  /** Null when refresh tokens do not expire. */
  refreshTokenExpiresInSec: number | null;
  scope: string | null;
  clientId: string;
  grant: OAuthGrant;
}

/** What a valid bearer token belongs to. */
export interface AccessTokenInfo {
  clientId: string;
  grant: OAuthGrant;
  scope: string | null;
  expiresAt: number;
}

export type AccessTokenRejection = 'missing' | 'unknown' | 'expired' | 'revoked';

export type AccessTokenCheck =
  | { ok: true; token: AccessTokenInfo }
  | {
      ok: false;
      reason: AccessTokenRejection /** `renderUnauthorized(reason)`, ready to return. */;
      response: Response;
    };

/** The validated authorize request the provider's consent decision sees. */
export interface AuthorizeRequestInfo {
  client: SimulatedOAuthClient;
  redirectUri: string;
  scopes: string[];
  state: string | null;
  url: URL;
}

/**
 * The provider's consent: the grant the code carries and extra redirect parameters (QuickBooks adds `realmId`), or
 * an OAuth error sent back to the redirect URI.
 */
export type AuthorizeDecision =
  | { grant: OAuthGrant; scope?: string; redirectParams?: Record<string, string> }
  | { error: string; errorDescription?: string };

export interface OAuthServerStats {
  /** Authorization codes issued by the authorize endpoint or `createAuthorizationCode`. */
  codesIssued: number;
  /** Codes exchanged for tokens. */
  exchanges: number;
  /** Refresh requests answered with a new token pair. */
  successfulRefreshes: number;
  /** Refresh requests that presented a refresh token already rotated away (inside the grace period or not). */
  reusedRefreshTokens: number;
  /** `invalid_grant` answers (codes and refresh tokens). */
  invalidGrants: number;
  /** Grants revoked through the revoke endpoint or `revoke()`. */
  revokes: number;
  /** Token endpoint requests by `grant_type` (`'missing'` when absent), counted once the client authenticated. */
  tokenRequests: Record<string, number>;
}

export interface OAuthServerOptions {
  clients: readonly SimulatedOAuthClient[];
  /** Clock of every expiry; pass `createManualClock()` to move time in tests. Default: the system clock. */
  clock?: Clock;
  /** Default 3600. */
  accessTokenTtlSec?: number;
  /** Null: refresh tokens never expire. Default null. */
  refreshTokenTtlSec?: number | null;
  /** Default 600 (RFC 6749 §4.1.2 recommends at most 10 minutes). */
  authorizationCodeTtlSec?: number;
  /** How long a rotated refresh token keeps working. Default 0 (single use). */
  refreshTokenReuseGraceSec?: number;
  /** Any reuse of a rotated refresh token is `invalid_grant`, whatever the grace. Default false. */
  strictRefreshTokenRotation?: boolean;
  /** Accepted client authentication methods. Default: all three. */
  clientAuthentication?: readonly OAuthClientAuthentication[];
  /** `'required'`: every authorize request needs an S256 `code_challenge`. Default `'optional'`. */
  pkce?: 'optional' | 'required';
  /** Prefixes that make tokens look like the provider's (QuickBooks refresh tokens start `RT1-`). */
  tokenPrefixes?: { accessToken?: string; refreshToken?: string; code?: string };
  /** The provider's token response JSON. Default: RFC 6749 §5.1 fields. */
  renderTokenResponse?: (tokens: IssuedTokenSet) => Record<string, unknown>;
  /** The provider's answer to an API call with a bad bearer token. Default: RFC 6750 401 `invalid_token`. */
  renderUnauthorized?: (reason: AccessTokenRejection) => Response;
  /** The consent decision of the authorize endpoint. Default: grant `{}` with the requested scopes. */
  authorize?: (request: AuthorizeRequestInfo) => AuthorizeDecision;
}

export interface OAuthServer {
  readonly clock: Clock;
  readonly clients: ReadonlyMap<string, SimulatedOAuthClient>;
  /** `GET` authorize: the consent screen, skipped - a 302 back to the redirect URI with `code` and `state`. */
  handleAuthorizeRequest(request: Request): Response;
  /** `POST` token endpoint: form or JSON body, client authenticated per `clientAuthentication`. */
  handleTokenRequest(request: Request): Promise<Response>;
  /** `POST` revocation (RFC 7009): revokes the whole grant of an access or refresh token; unknown tokens are 200. */
  handleRevokeRequest(request: Request): Promise<Response>;
  /** Checks `Authorization: Bearer ...` of an API request (or a bare header value). */
  verifyAccessToken(request: Request | string | null): AccessTokenCheck;
  /** A fresh token pair, as if the user had just connected (skips the browser). Default client: the first one. */
  issueTokens(input: { grant: OAuthGrant; clientId?: string; scope?: string | null }): IssuedTokenSet;
  /** An authorization code, as the authorize endpoint would issue it. */
  createAuthorizationCode(input: {
    clientId: string;
    redirectUri: string;
    grant: OAuthGrant;
    scope?: string | null;
    codeChallenge?: string | null;
  }): string;
  /** Revokes the grant `token` (access or refresh) belongs to. False when the token is unknown. */
  revoke(token: string): boolean;
  /** Whether a refresh token would be accepted now. */
  isRefreshTokenLive(token: string): boolean;
  /** Expires the access token (and with `refreshToken: true` the refresh tokens) of the grant `token` belongs to. */
  expireTokenSet(token: string, options?: { refreshToken?: boolean }): boolean;
  /** Expires every access token issued so far (the next API call answers 401). */
  expireAccessTokens(): void;
  setRefreshTokenReuseGrace(seconds: number): void;
  setStrictRefreshTokenRotation(strict: boolean): void;
  stats(): OAuthServerStats;
  resetStats(): void;
}

/** Settings with their defaults applied; shared by the grant store and the endpoints. */
export interface ResolvedOAuthServerOptions {
  clients: Map<string, SimulatedOAuthClient>;
  clock: Clock;
  accessTokenTtlSec: number;
  refreshTokenTtlSec: number | null;
  authorizationCodeTtlSec: number;
  refreshTokenReuseGraceSec: number;
  strictRefreshTokenRotation: boolean;
  clientAuthentication: readonly OAuthClientAuthentication[];
  pkce: 'optional' | 'required';
  tokenPrefixes: { accessToken: string; refreshToken: string; code: string };
  renderTokenResponse: (tokens: IssuedTokenSet) => Record<string, unknown>;
  renderUnauthorized: (reason: AccessTokenRejection) => Response;
  authorize: (request: AuthorizeRequestInfo) => AuthorizeDecision;
}

export function emptyOAuthServerStats(): OAuthServerStats {
  return {
    codesIssued: 0,
    exchanges: 0,
    successfulRefreshes: 0,
    reusedRefreshTokens: 0,
    invalidGrants: 0,
    revokes: 0,
    tokenRequests: {},
  };
}

function defaultTokenResponse(tokens: IssuedTokenSet): Record<string, unknown> {
  const body: Record<string, unknown> = {
    access_token: tokens.accessToken,
    token_type: 'Bearer',
    expires_in: tokens.accessTokenExpiresInSec,
    refresh_token: tokens.refreshToken,
  };
  if (tokens.scope !== null) body.scope = tokens.scope;
  return body;
}

function defaultUnauthorized(reason: AccessTokenRejection): Response {
  const header = reason === 'missing' ? 'Bearer' : 'Bearer error="invalid_token"';
  return Response.json(reason === 'missing' ? { error: 'invalid_request' } : { error: 'invalid_token' }, {
    status: 401,
    headers: { 'www-authenticate': header },
  });
}

export function createOAuthServer(options: OAuthServerOptions): OAuthServer {
  const clients = new Map(options.clients.map((client) => [client.clientId, client]));
  if (clients.size === 0) throw new Error('createOAuthServer needs at least one client');
  const resolved: ResolvedOAuthServerOptions = {
    clients,
    clock: options.clock ?? systemClock,
    accessTokenTtlSec: options.accessTokenTtlSec ?? 3600,
    refreshTokenTtlSec: options.refreshTokenTtlSec ?? null,
    authorizationCodeTtlSec: options.authorizationCodeTtlSec ?? 600,
    refreshTokenReuseGraceSec: options.refreshTokenReuseGraceSec ?? 0,
    strictRefreshTokenRotation: options.strictRefreshTokenRotation ?? false,
    clientAuthentication: options.clientAuthentication ?? ['basic', 'body', 'json'],
    pkce: options.pkce ?? 'optional',
    tokenPrefixes: {
      accessToken: options.tokenPrefixes?.accessToken ?? 'at_',
      refreshToken: options.tokenPrefixes?.refreshToken ?? 'rt_',
      code: options.tokenPrefixes?.code ?? 'code_',
    },
    renderTokenResponse: options.renderTokenResponse ?? defaultTokenResponse,
    renderUnauthorized: options.renderUnauthorized ?? defaultUnauthorized,
    authorize:
      options.authorize ?? ((request) => ({ grant: {}, scope: request.scopes.join(' ') || undefined })),
  };
  const store = createGrantStore(resolved);
  const endpoints = createOAuthEndpoints(resolved, store);
  const firstClientId = (options.clients[0] as SimulatedOAuthClient).clientId;

  return {
    clock: resolved.clock,
    clients,
    handleAuthorizeRequest: endpoints.handleAuthorizeRequest,
    handleTokenRequest: endpoints.handleTokenRequest,
    handleRevokeRequest: endpoints.handleRevokeRequest,
    verifyAccessToken(request) {
      const header =
        typeof request === 'string' || request === null ? request : request.headers.get('authorization');
      const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
      const check = store.checkAccessToken(match ? (match[1] as string) : null);
      return check.ok ? check : { ...check, response: resolved.renderUnauthorized(check.reason) };
    },
    issueTokens({ grant, clientId = firstClientId, scope = null }) {
      if (!clients.has(clientId)) throw new Error(`OAuth simulator has no client ${clientId}`);
      return store.issue(clientId, grant, scope);
    },
    createAuthorizationCode(input) {
      if (!clients.has(input.clientId)) throw new Error(`OAuth simulator has no client ${input.clientId}`);
      return store.createCode({
        clientId: input.clientId,
        redirectUri: input.redirectUri,
        grant: input.grant,
        scope: input.scope ?? null,
        codeChallenge: input.codeChallenge ?? null,
      });
    },
    revoke: (token) => store.revoke(token),
    isRefreshTokenLive: (token) => store.isRefreshTokenLive(token),
    expireTokenSet: (token, expireOptions) =>
      store.expireFamilyOf(token, expireOptions?.refreshToken ?? false),
    expireAccessTokens: () => store.expireAllAccessTokens(),
    setRefreshTokenReuseGrace(seconds) {
      resolved.refreshTokenReuseGraceSec = seconds;
    },
    setStrictRefreshTokenRotation(strict) {
      resolved.strictRefreshTokenRotation = strict;
    },
    stats: () => structuredClone(store.stats()),
    resetStats: () => store.resetStats(),
  };
}
