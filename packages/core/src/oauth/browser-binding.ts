import { ValidationError } from '../errors/index';
import { randomId } from '../runtime/ids';

/**
 * Binds an OAuth attempt to the browser that started it (RFC 6749 §10.12, login CSRF): `connect.start` returns a
 * random `browserBinding` the app sets as an HttpOnly, SameSite=Lax, Secure cookie; the sealed `state` carries only
 * its SHA-256; `handleCallback` requires the cookie's value. A state started in one browser and completed in another
 * (the attacker's consent, the victim's session) has no matching cookie and is refused before the code is exchanged.
 *
 * SameSite=Lax (not Strict) because the callback is a top-level navigation coming back from the provider's site;
 * Lax cookies are sent on it, Strict ones are not.
 */

/** Default cookie name prefix; the provider id is appended so two providers can be connected in parallel tabs. */
export const BROWSER_BINDING_COOKIE = 'blueclerk_oauth';

export interface BindingCookieOptions {
  /** Cookie name; default `blueclerk_oauth_<provider>`. */
  name?: string;
  /** Default true. Only turn it off for plain-http local development. */
  secure?: boolean;
  /** Default `/`. Narrow it to the callback route if you like. */
  path?: string;
  /** Default 600 s, the lifetime of a state. */
  maxAgeSec?: number;
}

/** A fresh binding: 32 random bytes as 64 hex characters. */
export function createBrowserBinding(): string {
  return randomId(32);
}

/** SHA-256 of a binding, base64url without padding (43 characters), as the state carries it. */
export async function hashBrowserBinding(binding: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(binding));
  let binary = '';
  for (const byte of new Uint8Array(digest)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Constant-time comparison of two equal-length strings (hashes), so timing says nothing about the expected one. */
export function sameBinding(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export function bindingCookieName(provider: string, options: BindingCookieOptions = {}): string {
  return options.name ?? `${BROWSER_BINDING_COOKIE}_${provider.replace(/[^a-z0-9]/g, '_')}`;
}

/** The `Set-Cookie` value for a binding (HttpOnly; SameSite=Lax; Secure by default). */
export function serializeBindingCookie(
  provider: string,
  binding: string,
  options: BindingCookieOptions = {},
): string {
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(binding)) {
    throw new ValidationError('browserBinding must be the value connect.start returned', [
      { path: 'browserBinding', message: 'not a binding' },
    ]);
  }
  const parts = [
    `${bindingCookieName(provider, options)}=${binding}`,
    `Path=${options.path ?? '/'}`,
    `Max-Age=${options.maxAgeSec ?? 600}`,
    'HttpOnly',
    'SameSite=Lax',
  ];
  if (options.secure !== false) parts.push('Secure');
  return parts.join('; ');
}

/** A `Set-Cookie` value that deletes the binding cookie (send it with the callback's response). */
export function clearBindingCookie(provider: string, options: BindingCookieOptions = {}): string {
  const parts = [
    `${bindingCookieName(provider, options)}=`,
    `Path=${options.path ?? '/'}`,
    'Max-Age=0',
    'HttpOnly',
    'SameSite=Lax',
  ];
  if (options.secure !== false) parts.push('Secure');
  return parts.join('; ');
}

/** Reads the binding from a `Cookie` header value; null when absent. */
export function readBindingCookie(
  cookieHeader: string | null | undefined,
  provider: string,
  options: Pick<BindingCookieOptions, 'name'> = {},
): string | null {
  if (typeof cookieHeader !== 'string') return null;
  const name = bindingCookieName(provider, options);
  for (const part of cookieHeader.split(';')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    if (part.slice(0, index).trim() !== name) continue;
    const value = part.slice(index + 1).trim();
    return /^[A-Za-z0-9_-]{16,128}$/.test(value) ? value : null;
  }
  return null;
}

/** Anything that can take a response header: Fetch `Headers` (a Next.js route handler's response) or Express `res`. */
export type HeaderTarget = { append(name: string, value: string): unknown };

/** Sets the binding cookie on a response: `setBindingCookie(res, started)` in Express, `response.headers` in Fetch. */
export function setBindingCookie(
  target: HeaderTarget | { headers: HeaderTarget },
  started: { provider: string; browserBinding: string },
  options: BindingCookieOptions = {},
): void {
  const headers =
    'headers' in target && typeof target.headers?.append === 'function' ? target.headers : target;
  (headers as HeaderTarget).append(
    'Set-Cookie',
    serializeBindingCookie(started.provider, started.browserBinding, options),
  );
}

/**
 * Reads the binding from a request: a Fetch `Request` (Next.js route handler) or a Node/Express request with
 * `headers.cookie`.
 */
export function bindingFromRequest(
  request: Request | { headers: Record<string, string | string[] | undefined> },
  provider: string,
  options: Pick<BindingCookieOptions, 'name'> = {},
): string | null {
  const headers = request.headers as Headers | Record<string, string | string[] | undefined>;
  const raw =
    typeof (headers as Headers).get === 'function'
      ? (headers as Headers).get('cookie')
      : (headers as Record<string, string | string[] | undefined>).cookie;
  return readBindingCookie(Array.isArray(raw) ? raw.join('; ') : raw, provider, options);
}
