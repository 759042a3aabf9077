import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * A short, stable hash of a record's content: SHA-256 over key-sorted JSON, the first 128 bits in hex. Stored in
 * `EntityLink.contentHash` so a resync of an unchanged record skips the provider update call. SHA-256 from
 * `@noble/hashes` is synchronous and edge-safe and costs a few microseconds per invoice (the BigInt FNV loop it
 * replaces cost more per character than the rest of planning). Links stored with the old 16-character hashes simply
 * differ once: that record gets one update on its next sync.
 */
export function contentHash(value: unknown): string {
  return bytesToHex(sha256(utf8ToBytes(stableStringify(value)))).slice(0, 32);
}

function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}
