import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors/index';
import { bytesToBase64Url } from './encoding';
import { createKeyRing, keyRingFromEnv } from './key-ring';
import { createTokenVault } from './token-vault';

function randomBytes(length = 32): Uint8Array {
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  return bytes;
}

const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

function configError(run: () => unknown): ConfigurationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

function expectNoLeak(error: Error, values: string[]): void {
  const text = `${error.message}\n${error.stack}\n${JSON.stringify(error)}`;
  for (const value of values) expect(text).not.toContain(value);
}

describe('createKeyRing', () => {
  it('accepts 32-byte keys as bytes, hex, base64 (padded or not) and base64url, all equivalent', () => {
    const key = randomBytes();
    const texts = [key, toHex(key), toBase64(key), toBase64(key).replace(/=+$/, ''), bytesToBase64Url(key)];
    const sealed = createTokenVault(createKeyRing({ currentKeyId: 'k1', keys: { k1: key } })).seal('hi', {
      connectionId: 'c',
      field: 'f',
    });
    for (const text of texts) {
      const vault = createTokenVault(createKeyRing({ currentKeyId: 'k1', keys: { k1: text } }));
      expect(vault.open(sealed, { connectionId: 'c', field: 'f' })).toBe('hi');
    }
  });

  it('refuses keys of the wrong length, naming the setting and key id but not the value', () => {
    const short = toBase64(randomBytes(16));
    const long = toBase64(randomBytes(48));
    for (const [value, decoded] of [
      [short, 16],
      [long, 48],
    ] as const) {
      const error = configError(() => createKeyRing({ currentKeyId: 'k1', keys: { k1: value } }));
      expect(error.code).toBe('config_invalid');
      expect(error.setting).toBe('BLUECLERK_ENCRYPTION_KEYS');
      expect(error.message).toContain('key "k1"');
      expect(error.message).toContain(`exactly 32 bytes`);
      expect(error.message).toContain(`${decoded}`);
      expectNoLeak(error, [value]);
    }
    expect(() => createKeyRing({ currentKeyId: 'k1', keys: { k1: randomBytes(31) } })).toThrow(
      /exactly 32 bytes/,
    );
  });

  it('refuses placeholders, empty values, undecodable text and non-random keys', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['changeme', /placeholder/],
      ['', /is empty/],
      ['   ', /only whitespace/],
      [undefined, /is not set/],
      ['not base64 at all!!', /not valid base64/],
      [new Uint8Array(32), /not random/],
      [toBase64(new Uint8Array(32).fill(7)), /not random/],
    ];
    for (const [value, rule] of cases) {
      const error = configError(() =>
        createKeyRing({ currentKeyId: 'k1', keys: { k1: value as string } }, { setting: 'MY_KEYS' }),
      );
      expect(error.message).toMatch(/^MY_KEYS: key "k1" /);
      expect(error.message).toMatch(rule);
      if (typeof value === 'string' && value.trim() !== '') expectNoLeak(error, [value]);
    }
  });

  it('refuses a missing current key, bad key ids and an empty ring', () => {
    const key = randomBytes();
    expect(() => createKeyRing({ currentKeyId: 'k2', keys: { k1: key } })).toThrow(
      /current key id is not one/,
    );
    expect(() => createKeyRing({ currentKeyId: 'k.1', keys: { 'k.1': key } })).toThrow(
      /key id "k.1" must be/,
    );
    expect(() => createKeyRing({ currentKeyId: 'k1', keys: {} })).toThrow(/holds no keys/);
  });

  it('shows key ids, never key bytes, when logged or serialised', () => {
    const text = toBase64(randomBytes());
    const keyRing = createKeyRing({ currentKeyId: 'k2', keys: { k1: text, k2: randomBytes() } });
    expect(keyRing.keyIds).toEqual(['k2', 'k1']);
    expect(JSON.parse(JSON.stringify(keyRing))).toEqual({ currentKeyId: 'k2', keyIds: ['k2', 'k1'] });
    expect(JSON.stringify(keyRing)).not.toContain(text);
  });
});

describe('keyRingFromEnv', () => {
  it('reads `<id>:<key>` entries, first one current, spaces around commas allowed', () => {
    const k1 = randomBytes();
    const k2 = randomBytes();
    const env = { BLUECLERK_ENCRYPTION_KEYS: `k2:${toBase64(k2)} , k1:${bytesToBase64Url(k1)}` };
    const keyRing = keyRingFromEnv(env);
    expect(keyRing.currentKeyId).toBe('k2');
    expect(keyRing.keyIds).toEqual(['k2', 'k1']);
    expect(keyRing.keyFor('k1')).toEqual(k1);
    expect(keyRing.keyFor('k2')).toEqual(k2);
  });

  it('reads a custom variable name', () => {
    const keyRing = keyRingFromEnv({ APP_KEYS: `main:${toHex(randomBytes())}` }, 'APP_KEYS');
    expect(keyRing.currentKeyId).toBe('main');
  });

  it('says the variable is not set, empty or a placeholder, by name', () => {
    expect(configError(() => keyRingFromEnv({})).message).toBe('BLUECLERK_ENCRYPTION_KEYS is not set');
    expect(configError(() => keyRingFromEnv({ BLUECLERK_ENCRYPTION_KEYS: '' })).message).toContain(
      'is empty',
    );
    const placeholder = configError(() => keyRingFromEnv({ BLUECLERK_ENCRYPTION_KEYS: '<your-keys-here>' }));
    expect(placeholder.message).toContain('placeholder');
    expect(placeholder.setting).toBe('BLUECLERK_ENCRYPTION_KEYS');
  });

  it('refuses malformed entries without echoing them', () => {
    const key = toBase64(randomBytes());
    const cases: Array<[string, RegExp]> = [
      [key, /entry 1 is not of the form <keyId>:<base64 key>/],
      [`k1:${key},`, /entry 2 is empty/],
      [`k1:${key},k1:${toBase64(randomBytes())}`, /key id "k1" appears twice/],
      [`bad id:${key}`, /entry 1 has a key id that is not/],
      [`k1:${toBase64(randomBytes(24))}`, /key "k1" must be exactly 32 bytes/],
      [`k1:`, /key "k1" is empty/],
    ];
    for (const [value, rule] of cases) {
      const error = configError(() => keyRingFromEnv({ BLUECLERK_ENCRYPTION_KEYS: value }));
      expect(error.message).toMatch(rule);
      expect(error.setting).toBe('BLUECLERK_ENCRYPTION_KEYS');
      expectNoLeak(error, [key]);
    }
  });
});
