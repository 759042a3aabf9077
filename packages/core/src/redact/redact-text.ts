import { redactRegisteredSecrets } from './secret-registry';
import { isSensitiveKey, REDACTED } from './sensitive-keys';

/*
 * Text patterns. Each one targets a shape secrets take in messages, stacks and bodies that SDK code and provider
 * libraries produce: HTTP headers, URLs and form bodies, JSON (also JSON escaped inside JSON), `util.inspect` output.
 * Over-redacting a word of prose is an acceptable price; leaking a token is not.
 */

const PEM_BEGIN = /-----BEGIN [A-Z ]*PRIVATE KEY-----/g;
const PEM_END = /-----END [A-Z ]*PRIVATE KEY-----/g;

/**
 * PEM private keys, from BEGIN to the next END. Not one lazy regex (`BEGIN[\s\S]*?END`): on text holding many BEGIN
 * lines and no END it rescans to the end from every BEGIN, quadratic (half a megabyte took seconds). Here each
 * character is scanned once. A BEGIN with no END (a key cut off by a length limit) is redacted to the end of the text:
 * half a key is still key material.
 */
function redactPemKeys(text: string): string {
  if (!text.includes('-----BEGIN ')) return text;
  let out = '';
  let from = 0;
  while (from < text.length) {
    PEM_BEGIN.lastIndex = from;
    const begin = PEM_BEGIN.exec(text);
    if (!begin) break;
    PEM_END.lastIndex = begin.index + begin[0].length;
    const end = PEM_END.exec(text);
    out += text.slice(from, begin.index) + REDACTED;
    from = end ? PEM_END.lastIndex : text.length;
  }
  return from === 0 ? text : out + text.slice(from);
}

// `Bearer <token>`. A value of letters only and shorter than 16 is a word of prose ("bearer authorization"), not a
// token; `Basic` is checked by decoding, so "Basic authentication" survives too.
const BEARER = /\b(Bearer)(\s+)([A-Za-z0-9\-._~+/]{8,}=*)/gi;
const BASIC = /\b(Basic)(\s+)([A-Za-z0-9+/]{4,}={0,2})/gi;

// JWTs and JWEs (Xero access tokens are JWTs, QuickBooks access tokens are JWEs): base64url of `{"` starts `eyJ`.
const JWT = /\beyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){1,4}/g;

// `https://user:password@host`.
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi;

// Header lines: `Authorization: Bearer ...`, `Cookie: a=b; c=d`. A quoted value is left to QUOTED_PAIR below.
const HEADER_LINE =
  /(?<![\w-])(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key)(\s*:\s*)(?!["'\\\s])([^\r\n]+)/gi;

// `name=value` in URLs, fragments and form bodies: `?code=...&state=...`, `refresh_token=...`.
const PARAM = /(?<=^|[?&;#\s,(])([A-Za-z_][\w.-]*)=([^&\s#"'<>,;)]*)/g;

// `"key": "value"`, `key: 'value'` (util.inspect), `key="value"`.
const QUOTED_PAIR = /(?<![\w$\\])(["']?)([A-Za-z_$][\w$.-]*)\1(\s*[:=]\s*)(["'`])((?:(?!\4)[^\\\n]|\\.)*)\4/g;

// JSON escaped inside JSON: `{\"access_token\":\"...\"}`. The look-behind starts a match only at the first backslash
// of a run; without it every backslash of a long run rescans the run (quadratic: 80 kB of backslashes took seconds).
const ESCAPED_JSON_PAIR = /(?<!\\)(\\+")([A-Za-z_$][\w$.-]*)\\+"(\s*:\s*)(\\+")([^"\\]*)\\+"/g;

function decodesToCredentialPair(candidate: string): boolean {
  try {
    return atob(candidate).includes(':');
  } catch {
    return false;
  }
}

// A non-secret value is scanned again, because it may itself hold text like `"message": "access_token: 'abc'"`.
function redactQuotedPairs(text: string): string {
  return text.replace(
    QUOTED_PAIR,
    (_m, keyQuote: string, key: string, separator: string, quote: string, value: string) => {
      const head = `${keyQuote}${key}${keyQuote}${separator}${quote}`;
      if (value === '') return `${head}${quote}`;
      return isSensitiveKey(key, value)
        ? `${head}${REDACTED}${quote}`
        : `${head}${redactQuotedPairs(value)}${quote}`;
    },
  );
}

/**
 * Removes secrets from a string: registered secret values (see `registerSecret`), Authorization header values
 * (`Bearer`, `Basic` ...), JWTs, passwords in URLs, secret query/form parameters (`code=`, `access_token=`,
 * `refresh_token=`, `client_secret=` ...), and values under secret keys in JSON-looking and `util.inspect`-looking
 * text. Returns the input unchanged when nothing matched.
 */
export function redactText(text: string): string {
  if (typeof text !== 'string' || text.length === 0) return text;
  let out = redactRegisteredSecrets(text);
  out = redactPemKeys(out);
  out = out.replace(BEARER, (match, scheme: string, space: string, value: string) =>
    value.length >= 16 || /[^A-Za-z]/.test(value) ? `${scheme}${space}${REDACTED}` : match,
  );
  out = out.replace(BASIC, (match, scheme: string, space: string, value: string) =>
    decodesToCredentialPair(value) ? `${scheme}${space}${REDACTED}` : match,
  );
  out = out.replace(JWT, REDACTED);
  out = out.replace(
    URL_USERINFO,
    (_m, head: string, _password: string, at: string) => `${head}${REDACTED}${at}`,
  );
  out = out.replace(HEADER_LINE, (_m, name: string, separator: string) => `${name}${separator}${REDACTED}`);
  // In a URL or form body `code` is always the authorization code, so it is redacted whatever it looks like.
  out = out.replace(PARAM, (match, name: string, value: string) =>
    value !== '' && (name.toLowerCase() === 'code' || isSensitiveKey(name, value))
      ? `${name}=${REDACTED}`
      : match,
  );
  out = redactQuotedPairs(out);
  out = out.replace(
    ESCAPED_JSON_PAIR,
    (match, keyQuote: string, key: string, separator: string, quote: string, value: string) =>
      value !== '' && isSensitiveKey(key, value)
        ? `${keyQuote}${key}${keyQuote}${separator}${quote}${REDACTED}${quote}`
        : match,
  );
  return out;
}
