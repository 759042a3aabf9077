import type { ClientCredentials, ProviderOAuthConfig } from './types';

export interface AuthorizeUrlInput {
  oauth: ProviderOAuthConfig;
  credentials: Pick<ClientCredentials, 'clientId' | 'redirectUri'>;
  state: string;
  /** Defaults to `oauth.defaultScopes`. */
  scopes?: readonly string[];
  /** S256 challenge; required when `oauth.pkce === 'S256'`. */
  codeChallenge?: string | null;
}

/** The provider's authorize URL with the standard authorization-code parameters and the provider's extras. */
export function buildAuthorizeUrl(input: AuthorizeUrlInput): string {
  const url = new URL(input.oauth.endpoints.authorizeUrl);
  const scopes = input.scopes ?? input.oauth.defaultScopes;
  // Provider extras go first so the protocol parameters below always win over a misconfigured extra.
  for (const [name, value] of Object.entries(input.oauth.authorizeParams ?? {}))
    url.searchParams.set(name, value);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', input.credentials.clientId);
  url.searchParams.set('redirect_uri', input.credentials.redirectUri);
  if (scopes.length > 0) url.searchParams.set('scope', scopes.join(' '));
  url.searchParams.set('state', input.state);
  if (input.oauth.pkce === 'S256') {
    if (!input.codeChallenge)
      throw new TypeError('buildAuthorizeUrl: this provider uses PKCE; pass codeChallenge');
    url.searchParams.set('code_challenge', input.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return url.toString();
}
