/**
 * Which property, header, query-parameter and JSON key names carry secrets.
 *
 * Names are compared after lower-casing and dropping everything but letters and digits, so `access_token`,
 * `accessToken`, `Access-Token` and `ACCESS TOKEN` are the same name.
 */

/** What a redacted value is replaced with, everywhere. */
export const REDACTED = '[REDACTED]';

// Whole names that are secret.
const EXACT = new Set([
  'auth',
  'authorization',
  'proxyauthorization',
  'cookie',
  'cookies',
  'setcookie',
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'token',
  'credential',
  'credentials',
  'sessionid',
  'session',
  'jwt',
  'assertion',
  'clientassertion',
  'sig',
]);

// Names containing one of these are secret ... (`refresh_token`, `clientSecret`, `x-api-key`, `QUICKBOOKS_CLIENT_SECRET`)
const PARTS = [
  'token',
  'secret',
  'password',
  'passwd',
  'apikey',
  'authorization',
  'cookie',
  'privatekey',
  'signingkey',
  'encryptionkey',
  'webhookkey',
  'credential',
  'authcode',
  'codeverifier',
];

// ... unless they end in one of these: expiries, types and URLs of tokens are what we need in logs, not secrets.
const NON_SECRET_SUFFIXES = [
  'expiresat',
  'expiresin',
  'expiry',
  'expires',
  'issuedat',
  'type',
  'types',
  'url',
  'uri',
  'endpoint',
  'ttl',
  'ttlsec',
  'ttldays',
  'afterdays',
  'gracesec',
  'aheadsec',
  'policy',
  'count',
  'length',
];

// Names that contain `token` but hold no secret (QuickBooks SyncToken is an optimistic-concurrency counter).
const NON_SECRET_EXACT = new Set(['synctoken', 'pagetoken', 'nextpagetoken']);

// `code` is both the OAuth authorization code and the field every error library uses for its error code. An error
// code looks like `rate_limited`, `ECONNRESET`, `invalid_grant` or `5010`; an authorization code is a long random
// string mixing cases and digits. Keep the former so logs stay useful, redact everything else.
const ERROR_CODE_SHAPES = [/^[a-z]+(?:[_.-][a-z]+)*$/, /^[A-Z]+(?:_[A-Z]+)*$/, /^\d{1,6}$/];

function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Whether a `code` value looks like an error code (kept) rather than an OAuth authorization code (redacted). */
export function looksLikeErrorCode(value: unknown): boolean {
  if (typeof value === 'number' || typeof value === 'boolean') return true;
  if (typeof value !== 'string') return false;
  return value.length <= 40 && ERROR_CODE_SHAPES.some((shape) => shape.test(value));
}

/**
 * True when a value stored under `name` must be redacted.
 *
 * `value` only matters for `code` (see `looksLikeErrorCode`); pass it when you have it. Without it, `code` counts as
 * secret.
 */
export function isSensitiveKey(name: string, value?: unknown): boolean {
  const key = normalizeName(name);
  if (key === '') return false;
  if (key === 'code') return value === undefined || !looksLikeErrorCode(value);
  if (EXACT.has(key)) return true;
  if (NON_SECRET_EXACT.has(key)) return false;
  if (!PARTS.some((part) => key.includes(part))) return false;
  return !NON_SECRET_SUFFIXES.some((suffix) => key.endsWith(suffix));
}
