import { gcm } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ConfigurationError, ValidationError, VaultError } from '../errors/index';
import { base64UrlToBytes, bytesToBase64Url, utf8Bytes, utf8Text } from './encoding';
import { KEY_ID_PATTERN, type KeyRing } from './key-ring';
import type { SealContext, TokenVault } from './types';

/**
 * Envelope format, version 2 (written by every seal):
 *
 *     bcv2.<keyId>.<nonce: 12 bytes, base64url>.<ciphertext || 16-byte GCM tag, base64url>
 *
 * AES-256-GCM under a subkey derived for this one connection and field:
 * `HKDF-SHA256(ikm = ring key, salt = "blueclerk/vault/v2", info = JSON([keyId, connectionId, field]), 32 bytes)`.
 * The additional authenticated data binds the ciphertext to the envelope version, the key id, the connection id and
 * the field name, so an envelope copied to another connection or field, or relabelled with another key id, fails to
 * open instead of decrypting.
 *
 * Why subkeys (the nonce budget): random 96-bit GCM nonces allow about 2^32 seals per key before the collision risk
 * passes NIST SP 800-38D's bound (far fewer for a comfortable margin), and one ring key seals every token of every
 * connection - 10,000 connections refreshing hourly pass 2^23 seals in weeks. A subkey seals only one field of one
 * connection, i.e. once per refresh of that connection, so its budget is out of reach (billions of refreshes of one
 * connection) without counting seals or forcing rotations.
 *
 * Version 1 envelopes (`bcv1`, sealed with the ring key itself) still open; `needsReseal` reports them so
 * `resealConnections` upgrades them.
 */
export const ENVELOPE_VERSION = 'bcv2';
const LEGACY_ENVELOPE_VERSION = 'bcv1';
const SUBKEY_SALT = utf8Bytes('blueclerk/vault/v2');
/** Subkeys derived lately, by key id + context: HKDF costs two HMACs; the cache keeps the hot path to GCM alone. */
const SUBKEY_CACHE_LIMIT = 4096;

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

interface ParsedEnvelope {
  version: typeof ENVELOPE_VERSION | typeof LEGACY_ENVELOPE_VERSION;
  keyId: string;
  nonce: Uint8Array;
  sealed: Uint8Array;
}

function fail(message: string): never {
  throw new VaultError('vault_decrypt_failed', message);
}

function describe(context: SealContext): string {
  return `field "${context.field}" of connection "${context.connectionId}"`;
}

/** Null when the text is not a well-formed v1 or v2 envelope. Never throws. */
function parseEnvelope(envelope: unknown): ParsedEnvelope | null {
  if (typeof envelope !== 'string') return null;
  const parts = envelope.split('.');
  if (parts.length !== 4) return null;
  const [version, keyId, nonceText, sealedText] = parts as [string, string, string, string];
  if ((version !== ENVELOPE_VERSION && version !== LEGACY_ENVELOPE_VERSION) || !KEY_ID_PATTERN.test(keyId)) {
    return null;
  }
  const nonce = base64UrlToBytes(nonceText);
  const sealed = base64UrlToBytes(sealedText);
  if (!nonce || nonce.length !== NONCE_BYTES || !sealed || sealed.length < TAG_BYTES) return null;
  return { version, keyId, nonce, sealed };
}

// JSON of an array is unambiguous: no choice of connection id or field can collide with another pair.
function additionalData(version: string, keyId: string, context: SealContext): Uint8Array {
  return utf8Bytes(JSON.stringify([version, keyId, context.connectionId, context.field]));
}

/** The v2 subkey of one connection's field (see the format note above). */
export function deriveFieldKey(key: Uint8Array, keyId: string, context: SealContext): Uint8Array {
  return hkdf(
    sha256,
    key,
    SUBKEY_SALT,
    utf8Bytes(JSON.stringify([keyId, context.connectionId, context.field])),
    32,
  );
}

function assertContext(context: SealContext): void {
  if (
    typeof context !== 'object' ||
    context === null ||
    typeof context.connectionId !== 'string' ||
    context.connectionId === '' ||
    typeof context.field !== 'string' ||
    context.field === ''
  ) {
    throw new ValidationError('Vault context needs a non-empty connectionId and field', [
      { path: 'context', message: 'connectionId and field must be non-empty strings' },
    ]);
  }
}

/**
 * A synchronous AES-256-GCM token vault over a key ring (see `createKeyRing`, `keyRingFromEnv`).
 *
 * @example
 * const vault = createTokenVault(keyRingFromEnv(process.env));
 * const envelope = vault.seal(accessToken, { connectionId, field: 'accessToken' });
 * vault.open(envelope, { connectionId, field: 'accessToken' }) === accessToken;
 */
export function createTokenVault(keyRing: KeyRing): TokenVault {
  if (typeof keyRing !== 'object' || keyRing === null || typeof keyRing.keyFor !== 'function') {
    throw new ConfigurationError(
      'keyRing',
      'createTokenVault needs a key ring (createKeyRing or keyRingFromEnv)',
    );
  }
  const currentKeyId = keyRing.currentKeyId;
  const currentKey = keyRing.keyFor(currentKeyId);
  if (!currentKey)
    throw new VaultError('vault_key_invalid', 'The key ring has no key for its current key id');

  const subkeys = new Map<string, Uint8Array>();
  function fieldKey(key: Uint8Array, keyId: string, context: SealContext): Uint8Array {
    const cacheKey = JSON.stringify([keyId, context.connectionId, context.field]);
    let subkey = subkeys.get(cacheKey);
    if (!subkey) {
      subkey = deriveFieldKey(key, keyId, context);
      if (subkeys.size >= SUBKEY_CACHE_LIMIT) subkeys.delete(subkeys.keys().next().value as string);
      subkeys.set(cacheKey, subkey);
    }
    return subkey;
  }

  return {
    currentKeyId,

    seal(plaintext, context) {
      assertContext(context);
      if (typeof plaintext !== 'string') {
        throw new ValidationError('Only strings can be sealed', [
          { path: 'plaintext', message: 'must be a string' },
        ]);
      }
      // A fresh random nonce per seal, under a subkey of this connection's field: its 2^32 budget is one per refresh.
      const nonce = new Uint8Array(NONCE_BYTES);
      crypto.getRandomValues(nonce);
      const sealed = gcm(
        fieldKey(currentKey, currentKeyId, context),
        nonce,
        additionalData(ENVELOPE_VERSION, currentKeyId, context),
      ).encrypt(utf8Bytes(plaintext));
      return `${ENVELOPE_VERSION}.${currentKeyId}.${bytesToBase64Url(nonce)}.${bytesToBase64Url(sealed)}`;
    },

    open(envelope, context) {
      assertContext(context);
      const parsed = parseEnvelope(envelope);
      if (!parsed) fail(`Sealed ${describe(context)} is not a valid vault envelope (malformed or truncated)`);
      const key = keyRing.keyFor(parsed.keyId);
      if (!key) {
        fail(
          `Sealed ${describe(context)} names key id "${parsed.keyId}", which is not in the key ring; ` +
            'add the old key back to open it',
        );
      }
      let plain: Uint8Array;
      try {
        const cipherKey = parsed.version === ENVELOPE_VERSION ? fieldKey(key, parsed.keyId, context) : key;
        plain = gcm(cipherKey, parsed.nonce, additionalData(parsed.version, parsed.keyId, context)).decrypt(
          parsed.sealed,
        );
      } catch {
        // The library's error is deliberately not attached: nothing about a failed tag check is safe to pass on.
        fail(
          `Sealed ${describe(context)} failed authentication: it was altered, sealed for another connection or ` +
            'field, or sealed with a different key under the same id',
        );
      }
      try {
        return utf8Text(plain);
      } catch {
        fail(`Sealed ${describe(context)} did not decrypt to text`);
      }
    },

    needsReseal(envelope) {
      const parsed = parseEnvelope(envelope);
      if (!parsed) fail('Cannot tell which key sealed this value: it is not a valid vault envelope');
      // Another key, or a version 1 envelope sealed with the ring key itself: reseal to the current format.
      return parsed.keyId !== currentKeyId || parsed.version !== ENVELOPE_VERSION;
    },
  };
}

/** The key id an envelope names, or null when it is not a well-formed envelope. Does not decrypt. */
export function envelopeKeyId(envelope: string): string | null {
  return parseEnvelope(envelope)?.keyId ?? null;
}
