import type { ClientCredentials, ProviderOAuthConfig } from './types';

/**
 * Builds a POST to a token or revoke endpoint with the client authenticated the way the provider wants:
 * HTTP Basic (`client_secret_basic`), form fields (`client_secret_post`) or a JSON body (FreshBooks).
 */
export function buildClientAuthenticatedRequest(
  method: ProviderOAuthConfig['clientAuthentication'],
  credentials: Pick<ClientCredentials, 'clientId' | 'clientSecret'>,
  fields: Record<string, string>,
): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method === 'json') {
    headers['content-type'] = 'application/json';
    const body = { ...fields, client_id: credentials.clientId, client_secret: credentials.clientSecret };
    return { headers, body: JSON.stringify(body) };
  }
  headers['content-type'] = 'application/x-www-form-urlencoded';
  const form = new URLSearchParams(fields);
  if (method === 'basic') {
    headers.authorization = `Basic ${encodeBasic(credentials.clientId, credentials.clientSecret)}`;
  } else {
    form.set('client_id', credentials.clientId);
    form.set('client_secret', credentials.clientSecret);
  }
  return { headers, body: form.toString() };
}

function encodeBasic(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
