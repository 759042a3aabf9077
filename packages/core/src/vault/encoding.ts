/*
 * Byte <-> text encodings for envelopes and keys, without Node's Buffer (core is edge-safe).
 *
 * Decoding is strict and canonical: exactly one text per byte string. Otherwise a flipped character in the last
 * position of a base64 field could change only unused padding bits and still decode to the same bytes, and an
 * altered envelope would open.
 */

const URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const URL_DECODE = new Int16Array(128).fill(-1);
const ANY_DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i += 1) {
  URL_DECODE[URL_ALPHABET.charCodeAt(i)] = i;
  ANY_DECODE[URL_ALPHABET.charCodeAt(i)] = i;
}
// Standard base64 (keys from `openssl rand -base64 32`) uses + and / where base64url uses - and _.
ANY_DECODE['+'.charCodeAt(0)] = 62;
ANY_DECODE['/'.charCodeAt(0)] = 63;

/** base64url without padding. Uses the runtime's native `btoa` (Node, browsers and edge runtimes all have it). */
export function bytesToBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decode(text: string, table: Int16Array): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let buffer = 0;
  let o = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? table[code]! : -1;
    if (value < 0) return null;
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o] = (buffer >>> bits) & 0xff;
      o += 1;
    }
  }
  // Canonical form: the bits left over after the last whole byte must be zero.
  if (bits > 0 && (buffer & ((1 << bits) - 1)) !== 0) return null;
  return out;
}

const BASE64URL_TEXT = /^[A-Za-z0-9_-]*$/;

/** Strict, canonical base64url without padding. Null when the text is not exactly that. */
export function base64UrlToBytes(text: string): Uint8Array | null {
  // `atob` is lenient (it skips whitespace and accepts either padding), so strictness is checked here first.
  if (!BASE64URL_TEXT.test(text)) return null;
  const tail = text.length % 4;
  if (tail === 1) return null;
  if (tail !== 0) {
    const last = URL_DECODE[text.charCodeAt(text.length - 1)]!;
    // Canonical form: the bits after the last whole byte must be zero (4 spare bits for 2 chars, 2 for 3 chars).
    if ((last & (tail === 2 ? 0x0f : 0x03)) !== 0) return null;
  }
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) out[i] = binary.charCodeAt(i);
  return out;
}

const HEX_32 = /^[0-9a-fA-F]{64}$/;

/**
 * Decodes key material written as hex (64 digits), base64 (with or without `=` padding) or base64url.
 * Hex is tried first: 64 hex digits are also valid base64, but of 48 bytes, never 32.
 */
export function decodeKeyText(text: string): Uint8Array | null {
  if (HEX_32.test(text)) {
    const out = new Uint8Array(32);
    for (let i = 0; i < 32; i += 1) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
    return out;
  }
  let body = text;
  if (body.length % 4 === 0 && body.endsWith('='))
    body = body.endsWith('==') ? body.slice(0, -2) : body.slice(0, -1);
  if (body.includes('=')) return null;
  return decode(body, ANY_DECODE);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Throws on invalid UTF-8 (only reachable after a successful GCM open, i.e. never for envelopes we sealed). */
export function utf8Text(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
