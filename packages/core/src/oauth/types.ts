import type { ProviderHttp } from '../http/types';
import type { ProviderId } from '../storage/types';
import type { TokenPolicy } from '../tokens/policy';

/**
 * What a provider declares about its OAuth 2.0 authorization-code flow. Core's connect flow and token manager do
 * the work; a provider only supplies this data (and, where the tenant is not in the callback, `resolveTenants`).
 */
export interface OAuthEndpoints {
  authorizeUrl: string;
  tokenUrl: string;
  /** Null where the provider has no revocation endpoint. */
  revokeUrl: string | null;
}

export interface ProviderOAuthConfig {
  endpoints: OAuthEndpoints;
  /** Scopes requested when the app does not choose its own. */
  defaultScopes: readonly string[];
  /** PKCE method the provider supports, or 'none' (then the client secret alone authenticates the exchange). */
  pkce: 'S256' | 'none';
  /**
   * How the client authenticates at the token and revoke endpoints: HTTP Basic (`client_secret_basic`), form body
   * fields (`client_secret_post`), or a JSON body (FreshBooks).
   */
  clientAuthentication: 'basic' | 'body' | 'json';
  /** Which token the revoke endpoint takes. */
  revokeToken: 'refresh_token' | 'access_token';
  /**
   * How the revoke request's body is encoded. Default `form` (RFC 7009: `token=...&token_type_hint=...`). `json`:
   * a JSON `{"token": "..."}` body, with the client still authenticated per `clientAuthentication` (Intuit's own
   * OAuth client revokes this way, with HTTP Basic).
   */
  revokeBody?: 'form' | 'json';
  /** Extra query parameters for the authorize URL. */
  authorizeParams?: Readonly<Record<string, string>>;
  /**
   * Reads the tenant from the callback query string (QuickBooks: `realmId`). A value from the URL is only a claim
   * (anyone can edit it), so a provider that declares this must also declare `verifyTenant`.
   */
  tenantFromCallback?: (params: URLSearchParams) => string | null;
  /**
   * Proves the new access token reaches the tenant the callback named (QuickBooks: read that realm's CompanyInfo),
   * before the connection becomes active. Resolve `false` (or throw an `AuthError`, or a `ProviderError` with status
   * 401/403/404) when it does not; core then revokes the grant and refuses with `AuthError('tenant_unverified')`.
   * May return the tenant's display name.
   */
  verifyTenant?: (context: {
    http: ProviderHttp;
    tenantId: string;
  }) => Promise<false | { tenantName?: string }>;
  /**
   * Looks the tenants up after the code exchange, when the callback does not carry them (Xero: GET /connections;
   * FreshBooks: /auth/api/v1/users/me; Wave: businesses query). `http` is core's client authenticated with the new
   * access token (limits, classification and redaction included; use `url` for identity endpoints outside the API
   * base URL). One grant may cover several tenants: core makes one connection per tenant, sharing one token set.
   */
  resolveTenants?: (context: {
    http: ProviderHttp;
    /** The callback's query parameters. */
    params: URLSearchParams;
  }) => Promise<ReadonlyArray<{ tenantId: string; tenantName?: string }>>;
}

/** Client credentials of the app registered with the provider. Validated at set-up (see `credentials/`). */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/**
 * A provider as the connect flow and the token manager see it: its id, its OAuth data and its token policy.
 * Provider packages build one (`createQuickBooksProvider(...)` exposes these fields); core does the rest.
 */
export interface OAuthProviderDefinition {
  id: ProviderId;
  oauth: ProviderOAuthConfig;
  tokenPolicy: TokenPolicy;
}
