import { ProviderError } from '../errors/index';
import { buildClientAuthenticatedRequest } from './client-auth';
import { postWithTimeout } from './token-endpoint';
import type { ClientCredentials, ProviderOAuthConfig } from './types';

/**
 * Revokes a token at the provider (RFC 7009 shape: `token=...` plus client authentication). Throws typed errors;
 * the connect flow treats revocation as best effort and reports the failure instead of throwing it.
 */
export async function revokeToken(options: {
  oauth: ProviderOAuthConfig;
  credentials: ClientCredentials;
  token: string;
  fetch: typeof fetch;
  timeoutMs: number;
}): Promise<void> {
  const url = options.oauth.endpoints.revokeUrl;
  if (url === null) return;
  const fields: Record<string, string> = { token: options.token };
  const jsonBody = options.oauth.revokeBody === 'json';
  // RFC 7009 servers accept the hint; it lets them skip a lookup. A JSON revoke body carries the token alone.
  if (options.oauth.clientAuthentication !== 'json' && !jsonBody)
    fields.token_type_hint = options.oauth.revokeToken;
  let { headers, body } = buildClientAuthenticatedRequest(
    options.oauth.clientAuthentication,
    options.credentials,
    fields,
  );
  if (jsonBody && options.oauth.clientAuthentication !== 'json') {
    // Client authentication as configured (HTTP Basic), the token as JSON.
    const form = new URLSearchParams(body);
    const json: Record<string, string> = { token: options.token };
    const clientId = form.get('client_id');
    const clientSecret = form.get('client_secret');
    if (clientId !== null) json.client_id = clientId;
    if (clientSecret !== null) json.client_secret = clientSecret;
    headers = { ...headers, 'content-type': 'application/json' };
    body = JSON.stringify(json);
  }
  const response = await postWithTimeout(options.fetch, url, {
    headers,
    body,
    timeoutMs: options.timeoutMs,
    what: 'revocation endpoint',
  });
  const text = await response.text().catch(() => '');
  // RFC 7009: an already invalid token is answered 200; some servers say 400 invalid_token, which means the same.
  if (!response.ok && !(response.status === 400 && /"invalid_token"/.test(text))) {
    throw new ProviderError('provider_error', `The revocation endpoint answered HTTP ${response.status}`, {
      status: response.status,
      retryable: response.status >= 500,
    });
  }
}
