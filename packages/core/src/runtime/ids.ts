/** Random identifiers from Web Crypto (edge-safe). */
export function randomId(bytes = 16): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  let out = '';
  for (const b of buf) out += b.toString(16).padStart(2, '0');
  return out;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A short random base32 reference (default 20 chars: fits QuickBooks' 21-char PaymentRefNum). */
export function randomReference(length = 20): string {
  const buf = new Uint8Array(length);
  crypto.getRandomValues(buf);
  let out = '';
  for (const b of buf) out += BASE32[b & 31];
  return out;
}
