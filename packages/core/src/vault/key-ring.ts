import { assertSetting, checkSettingValue } from '../credentials/setting-rules';
import { ConfigurationError } from '../errors/index';
import { registerSecret } from '../redact/index';
import { decodeKeyText } from './encoding';

/**
 * Encryption keys for the token vault.
 *
 * A ring holds every key that may still be needed to open stored envelopes, and names the one new seals use.
 * Rotating: add a new key in front (it becomes current), deploy, run `resealConnections`, then drop the old key.
 *
 * Environment format (`BLUECLERK_ENCRYPTION_KEYS`): comma-separated `<keyId>:<key>` entries, the first is current:
 *
 *     BLUECLERK_ENCRYPTION_KEYS=k2:Vt0b...base64...=,k1:q9Xx...base64...=
 *
 * - key id: 1-32 characters of `A-Z a-z 0-9 _ -` (it is written into every envelope, so keep it short);
 * - key: exactly 32 random bytes as base64, base64url or 64 hex digits. Generate one with
 *   `openssl rand -base64 32` or `node -e "console.log(crypto.randomBytes(32).toString('base64url'))"`;
 * - spaces around commas are allowed; anything else malformed is refused with a `ConfigurationError` that names the
 *   setting and key id, never a key.
 */
export const DEFAULT_KEYS_SETTING = 'BLUECLERK_ENCRYPTION_KEYS';

export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export interface KeyRing {
  /** Id of the key new seals use. */
  readonly currentKeyId: string;
  /** Every key id in the ring, current first. */
  readonly keyIds: readonly string[];
  /**
   * Raw 32-byte key for an id, or undefined. For the vault; do not log or mutate. Kept behind a function so that
   * logging or serialising a ring shows ids, never bytes.
   */
  keyFor(keyId: string): Uint8Array | undefined;
}

export interface KeyRingInput {
  currentKeyId: string;
  /** Key id -> 32 bytes, or a base64 / base64url / hex string of 32 bytes. */
  keys: Readonly<Record<string, string | Uint8Array>>;
}

export interface KeyRingOptions {
  /** Name of the setting the keys came from, used in error messages. Default `BLUECLERK_ENCRYPTION_KEYS`. */
  setting?: string;
}

function keyBytes(setting: string, keyId: string, raw: unknown): Uint8Array {
  let bytes: Uint8Array | null;
  if (raw instanceof Uint8Array) {
    bytes = raw;
  } else {
    const check = checkSettingValue(raw);
    if (check) throw new ConfigurationError(setting, `${setting}: key "${keyId}" ${check.rule}`);
    bytes = decodeKeyText(raw as string);
    if (!bytes) {
      throw new ConfigurationError(
        setting,
        `${setting}: key "${keyId}" is not valid base64, base64url or hex (expected 32 random bytes)`,
      );
    }
  }
  if (bytes.length !== 32) {
    throw new ConfigurationError(
      setting,
      `${setting}: key "${keyId}" must be exactly 32 bytes for AES-256 (it decodes to ${bytes.length})`,
    );
  }
  // All-equal bytes (all zero, all 0xff ...) are a placeholder or a test fixture, never a random key.
  if (bytes.every((b) => b === bytes[0])) {
    throw new ConfigurationError(
      setting,
      `${setting}: key "${keyId}" is not random (every byte is the same)`,
    );
  }
  return Uint8Array.from(bytes);
}

/**
 * Builds a key ring from keys you hold in memory. Throws `ConfigurationError` for a missing current key, a bad
 * key id, or a key that is not exactly 32 (random) bytes.
 *
 * @example
 * const ring = createKeyRing({ currentKeyId: 'k2', keys: { k2: process.env.KEY_2!, k1: process.env.KEY_1! } });
 */
export function createKeyRing(input: KeyRingInput, options: KeyRingOptions = {}): KeyRing {
  const setting = options?.setting ?? DEFAULT_KEYS_SETTING;
  if (typeof input !== 'object' || input === null || typeof input.keys !== 'object' || input.keys === null) {
    throw new ConfigurationError(setting, `${setting}: createKeyRing needs { currentKeyId, keys }`);
  }
  const ids = Object.keys(input.keys ?? {});
  if (ids.length === 0) throw new ConfigurationError(setting, `${setting} holds no keys`);
  const keys = new Map<string, Uint8Array>();
  for (const id of ids) {
    if (!KEY_ID_PATTERN.test(id)) {
      throw new ConfigurationError(
        setting,
        `${setting}: key id "${id}" must be 1-32 characters of A-Z a-z 0-9 _ -`,
      );
    }
    const raw = input.keys[id];
    if (typeof raw === 'string') registerSecret(raw);
    keys.set(id, keyBytes(setting, id, raw));
  }
  const current = input.currentKeyId;
  if (typeof current !== 'string' || !keys.has(current)) {
    throw new ConfigurationError(
      setting,
      `${setting}: the current key id is not one of the keys in the ring`,
    );
  }
  const keyIds = Object.freeze([current, ...ids.filter((id) => id !== current)]);
  return Object.freeze({
    currentKeyId: current,
    keyIds,
    keyFor: (keyId: string) => keys.get(keyId),
    toJSON: () => ({ currentKeyId: current, keyIds }),
  });
}

/**
 * Builds a key ring from an environment variable in the format described above (first entry is current).
 *
 * @example
 * const vault = createTokenVault(keyRingFromEnv(process.env));
 */
export function keyRingFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  name: string = DEFAULT_KEYS_SETTING,
): KeyRing {
  if (typeof env !== 'object' || env === null) {
    throw new ConfigurationError(
      name,
      `keyRingFromEnv needs the environment (process.env) to read ${name} from`,
    );
  }
  const value = assertSetting(name, env[name]);
  registerSecret(value);
  const keys: Record<string, string> = {};
  let currentKeyId: string | undefined;
  const entries = value.split(',');
  for (const [index, rawEntry] of entries.entries()) {
    const entry = rawEntry.trim();
    const position = `entry ${index + 1}`;
    if (entry === '')
      throw new ConfigurationError(name, `${name}: ${position} is empty (check for a stray comma)`);
    const colon = entry.indexOf(':');
    if (colon <= 0) {
      throw new ConfigurationError(name, `${name}: ${position} is not of the form <keyId>:<base64 key>`);
    }
    const id = entry.slice(0, colon);
    if (!KEY_ID_PATTERN.test(id)) {
      // The text before the colon might be a pasted key, so it is not echoed.
      throw new ConfigurationError(
        name,
        `${name}: ${position} has a key id that is not 1-32 characters of A-Z a-z 0-9 _ -`,
      );
    }
    if (Object.hasOwn(keys, id)) throw new ConfigurationError(name, `${name}: key id "${id}" appears twice`);
    keys[id] = entry.slice(colon + 1);
    currentKeyId ??= id;
  }
  return createKeyRing({ currentKeyId: currentKeyId ?? '', keys }, { setting: name });
}
