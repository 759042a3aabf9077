import type { Clock } from '@blueclerk/core';
import {
  type AccessTokenRejection,
  createOAuthServer,
  type IssuedTokenSet,
  type OAuthServer,
} from '@blueclerk/core/testing/simulator';

/**
 * Intuit's OAuth 2.0 server as the simulator plays it, on core's OAuth kit: confidential clients (HTTP Basic or body
 * credentials), single-use authorization codes, 1 h access tokens, rotating refresh tokens. After a rotation the
 * previous refresh token keeps working for a grace period (Intuit: "previous refresh tokens expire 24 hours after
 * you receive a new one"); in strict mode any reuse is `400 {"error":"invalid_grant"}`, which is what a token
 * manager that loses a refresh response must survive.
 */

export interface SimClient {
  clientId: string;
  clientSecret: string;
  /** When set, authorization requests and code exchanges must use one of these. */
  redirectUris?: string[];
}

export interface TokenResponse {
  token_type: 'bearer';
  access_token: string;
  expires_in: number;
  refresh_token: string;
  x_refresh_token_expires_in: number;
}

/** The scope every accounting app asks for; Intuit refuses an authorize request without it. */
const ACCOUNTING_SCOPE = 'com.intuit.quickbooks.accounting';

export interface QuickBooksOAuthOptions {
  clients: SimClient[];
  clock: Clock;
  accessTokenTtlSec: number;
  refreshTokenTtlSec: number;
  authorizationCodeTtlSec: number;
  refreshTokenGraceSec: number;
  strictRefreshTokenRotation: boolean;
  /** Realm the consent screen grants next. */
  authorizeRealmId: () => string;
  /** The API's 401 Fault. */
  renderUnauthorized: (reason: AccessTokenRejection) => Response;
}

/** Token response JSON as Intuit sends it [sdk oauth-jsclient test/mocks/refreshResponse.json]. */
export function quickBooksTokenResponse(tokens: IssuedTokenSet): TokenResponse {
  return {
    token_type: 'bearer',
    access_token: tokens.accessToken,
    expires_in: tokens.accessTokenExpiresInSec,
    refresh_token: tokens.refreshToken,
    x_refresh_token_expires_in: tokens.refreshTokenExpiresInSec ?? 0,
  };
}

export function createQuickBooksOAuthServer(options: QuickBooksOAuthOptions): OAuthServer {
  return createOAuthServer({
    clients: options.clients.map((client) => ({ ...client })),
    clock: options.clock,
    accessTokenTtlSec: options.accessTokenTtlSec,
    refreshTokenTtlSec: options.refreshTokenTtlSec,
    authorizationCodeTtlSec: options.authorizationCodeTtlSec,
    refreshTokenReuseGraceSec: options.refreshTokenGraceSec,
    strictRefreshTokenRotation: options.strictRefreshTokenRotation,
    clientAuthentication: ['basic', 'body', 'json'],
    tokenPrefixes: { accessToken: 'eyJ', refreshToken: 'RT1-', code: 'AB' },
    renderTokenResponse: (tokens) => ({ ...quickBooksTokenResponse(tokens) }),
    renderUnauthorized: options.renderUnauthorized,
    authorize: ({ scopes }) => {
      if (!scopes.includes(ACCOUNTING_SCOPE)) return { error: 'invalid_scope' };
      const realmId = options.authorizeRealmId();
      // Intuit's callback carries the company: `?code=...&state=...&realmId=...`.
      return { grant: { realmId }, scope: scopes.join(' '), redirectParams: { realmId } };
    },
  });
}
