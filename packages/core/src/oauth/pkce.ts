/**
 * PKCE (RFC 7636) with the S256 method, on Web Crypto so it runs on Node and edge runtimes alike.
 */

const VERIFIER_BYTES = 48; // 64 base64url characters; RFC 7636 allows 43..128.

export function base64UrlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A fresh high-entropy code verifier. */
export function createCodeVerifier(): string {
  const bytes = new Uint8Array(VERIFIER_BYTES);
  crypto.getRandomValues(bytes);
  return base64UrlEncode(bytes);
}

/** `BASE64URL(SHA-256(ASCII(verifier)))`, the S256 code challenge for `verifier`. */
export async function computeCodeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64UrlEncode(new Uint8Array(digest));
}

export interface PkcePair {
  codeVerifier: string;
  codeChallenge: string;
  codeChallengeMethod: 'S256';
}

export async function createPkcePair(): Promise<PkcePair> {
  const codeVerifier = createCodeVerifier();
  return {
    codeVerifier,
    codeChallenge: await computeCodeChallenge(codeVerifier),
    codeChallengeMethod: 'S256',
  };
}
