import type { ProviderOAuthConfig } from '@blueclerk/core/provider';

/** Intuit's OAuth 2.0 endpoints (oauth-jsclient `OAuthClient.js`). Sandbox and production share them. */
export const QUICKBOOKS_OAUTH_ENDPOINTS = {
  authorizeUrl: 'https://appcenter.intuit.com/connect/oauth2',
  tokenUrl: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
  revokeUrl: 'https://developer.api.intuit.com/v2/oauth2/tokens/revoke',
} as const;

/** Covers customers, items, invoices and payments. */
export const QUICKBOOKS_ACCOUNTING_SCOPE = 'com.intuit.quickbooks.accounting';

/**
 * QuickBooks OAuth as core's connect flow needs it: a confidential client authenticating with HTTP Basic, no PKCE
 * (Intuit's discovery document lists no code_challenge method), and the company id (`realmId`) delivered on the
 * callback URL next to `code` and `state`.
 */
export const quickBooksOAuth: ProviderOAuthConfig = {
  endpoints: QUICKBOOKS_OAUTH_ENDPOINTS,
  defaultScopes: [QUICKBOOKS_ACCOUNTING_SCOPE],
  pkce: 'none',
  clientAuthentication: 'basic',
  // Revoking the refresh token ends the whole grant, access token included.
  revokeToken: 'refresh_token',
  // Intuit's own OAuth client (oauth-jsclient OAuthClient.revoke) sends {"token": ...} as JSON with HTTP Basic.
  revokeBody: 'json',
  tenantFromCallback: (params) => {
    const realmId = params.get('realmId');
    return realmId && /^\d+$/.test(realmId) ? realmId : null;
  },
};
