import { invalidArgument } from './arguments';

// Web Crypto refuses more than 65,536 bytes per getRandomValues call (with a DOMException, not a typed error).
const MAX_RANDOM_BYTES = 65_536;

function sizeArgument(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_RANDOM_BYTES) {
    throw invalidArgument(fn, name, `an integer from 1 to ${MAX_RANDOM_BYTES}`, value);
  }
  return value;
}

/** Random identifiers from Web Crypto (edge-safe): `bytes` random bytes as lower-case hex. */
export function randomId(bytes = 16): string {
  const buf = new Uint8Array(sizeArgument('randomId', 'bytes', bytes));
  crypto.getRandomValues(buf);
  let out = '';
  for (const b of buf) out += b.toString(16).padStart(2, '0');
  return out;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A short random base32 reference (default 20 chars: fits QuickBooks' 21-char PaymentRefNum). */
export function randomReference(length = 20): string {
  const buf = new Uint8Array(sizeArgument('randomReference', 'length', length));
  crypto.getRandomValues(buf);
  let out = '';
  for (const b of buf) out += BASE32[b & 31];
  return out;
}
