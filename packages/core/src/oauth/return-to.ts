import { ValidationError } from '../errors/index';

/**
 * Where the callback may send the browser: an origin-relative path with a strict grammar, or an absolute https URL
 * on an allowed origin. Browsers strip tab, CR and LF from URLs and treat `\` like `/`, so `/\t/evil.test` or
 * `/\evil.test` would become `//evil.test` - another host. Only RFC 3986 path/query/fragment characters are allowed
 * and the second character may not be a slash or backslash.
 */
const RELATIVE = /^\/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@%/?#]*$/;
const MAX_LENGTH = 2048;

function refuse(message: string): ValidationError {
  return new ValidationError(`returnTo ${message}`, [{ path: 'returnTo', message }]);
}

/** Returns the accepted `returnTo`, null when absent, or throws `ValidationError('returnTo')`. */
export function checkReturnTo(value: unknown, allowedOrigins: readonly string[]): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw refuse('must be a string');
  if (value.length === 0 || value.length > MAX_LENGTH) throw refuse(`must be 1 to ${MAX_LENGTH} characters`);
  if (value.startsWith('/')) {
    if (RELATIVE.test(value)) return value;
    throw refuse('must be a path of this app (no //, backslashes, spaces or control characters)');
  }
  // An absolute URL: the string itself must be clean (the URL parser would silently drop tabs and newlines).
  if (!/^[\x21-\x7e]+$/.test(value)) throw refuse('contains characters a URL may not');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse('is neither a path of this app nor an absolute URL');
  }
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) throw refuse('must use https');
  if (url.username || url.password) throw refuse('may not carry credentials');
  if (!allowedOrigins.includes(url.origin)) throw refuse('is not on an allowed origin (returnToOrigins)');
  return url.href;
}
