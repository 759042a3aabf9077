import { gcm } from '@noble/ciphers/aes.js';
import { ValidationError, VaultError } from '../errors/index';
import { base64UrlToBytes, bytesToBase64Url, utf8Bytes, utf8Text } from './encoding';
import { KEY_ID_PATTERN, type KeyRing } from './key-ring';
import type { SealContext, TokenVault } from './types';

/**
 * Envelope format, version 1:
 *
 *     bcv1.<keyId>.<nonce: 12 bytes, base64url>.<ciphertext || 16-byte GCM tag, base64url>
 *
 * AES-256-GCM. The additional authenticated data binds the ciphertext to the envelope version, the key id, the
 * connection id and the field name, so an envelope copied to another connection or field, or relabelled with
 * another key id, fails to open instead of decrypting.
 */
export const ENVELOPE_VERSION = 'bcv1';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

interface ParsedEnvelope {
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

/** Null when the text is not a well-formed v1 envelope. Never throws. */
function parseEnvelope(envelope: unknown): ParsedEnvelope | null {
  if (typeof envelope !== 'string') return null;
  const parts = envelope.split('.');
  if (parts.length !== 4) return null;
  const [version, keyId, nonceText, sealedText] = parts as [string, string, string, string];
  if (version !== ENVELOPE_VERSION || !KEY_ID_PATTERN.test(keyId)) return null;
  const nonce = base64UrlToBytes(nonceText);
  const sealed = base64UrlToBytes(sealedText);
  if (!nonce || nonce.length !== NONCE_BYTES || !sealed || sealed.length < TAG_BYTES) return null;
  return { keyId, nonce, sealed };
}

// JSON of an array is unambiguous: no choice of connection id or field can collide with another pair.
function additionalData(keyId: string, context: SealContext): Uint8Array {
  return utf8Bytes(JSON.stringify([ENVELOPE_VERSION, keyId, context.connectionId, context.field]));
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
  const currentKeyId = keyRing.currentKeyId;
  const currentKey = keyRing.keyFor(currentKeyId);
  if (!currentKey)
    throw new VaultError('vault_key_invalid', 'The key ring has no key for its current key id');

  return {
    currentKeyId,

    seal(plaintext, context) {
      assertContext(context);
      if (typeof plaintext !== 'string') {
        throw new ValidationError('Only strings can be sealed', [
          { path: 'plaintext', message: 'must be a string' },
        ]);
      }
      // A fresh random nonce per seal. With 96-bit random nonces the collision risk stays negligible far beyond
      // any realistic number of token writes per key (NIST SP 800-38D's 2^32 bound).
      const nonce = new Uint8Array(NONCE_BYTES);
      crypto.getRandomValues(nonce);
      const sealed = gcm(currentKey, nonce, additionalData(currentKeyId, context)).encrypt(
        utf8Bytes(plaintext),
      );
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
        plain = gcm(key, parsed.nonce, additionalData(parsed.keyId, context)).decrypt(parsed.sealed);
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
      return parsed.keyId !== currentKeyId;
    },
  };
}

/** The key id an envelope names, or null when it is not a well-formed envelope. Does not decrypt. */
export function envelopeKeyId(envelope: string): string | null {
  return parseEnvelope(envelope)?.keyId ?? null;
}
