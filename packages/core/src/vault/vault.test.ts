import { describe, expect, it } from 'vitest';
import { BlueClerkError, VaultError } from '../errors/index';
import { base64UrlToBytes, bytesToBase64Url } from './encoding';
import { createKeyRing, type KeyRing } from './key-ring';
import { createTokenVault } from './token-vault';

function randomKey(): Uint8Array {
  const key = new Uint8Array(32);
  crypto.getRandomValues(key);
  return key;
}

function ring(keys: Record<string, Uint8Array>, currentKeyId = Object.keys(keys)[0]!): KeyRing {
  return createKeyRing({ currentKeyId, keys });
}

const ctx = { connectionId: 'conn_1', field: 'accessToken' };
const SECRET = 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0..secret-access-token-value';

function openError(run: () => unknown): VaultError {
  try {
    run();
  } catch (error) {
    expect(BlueClerkError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(VaultError);
    return error as VaultError;
  }
  throw new Error('expected open to fail');
}

describe('createTokenVault', () => {
  const k1 = randomKey();
  const vault = createTokenVault(ring({ k1 }));

  it('round-trips text, including unicode and the empty string', () => {
    for (const text of [SECRET, 'ünïcødé ✓ 🔑', '', 'x'.repeat(5000)]) {
      expect(vault.open(vault.seal(text, ctx), ctx)).toBe(text);
    }
  });

  it('writes a versioned envelope naming the key id, with a 12-byte nonce and a 16-byte tag', () => {
    const envelope = vault.seal('hello', ctx);
    const [version, keyId, nonce, sealed] = envelope.split('.');
    expect(version).toBe('bcv1');
    expect(keyId).toBe('k1');
    expect(base64UrlToBytes(nonce!)?.length).toBe(12);
    expect(base64UrlToBytes(sealed!)?.length).toBe('hello'.length + 16);
    expect(envelope).not.toContain('hello');
  });

  it('uses a fresh nonce for every seal of the same plaintext', () => {
    const envelopes = new Set<string>();
    const nonces = new Set<string>();
    for (let i = 0; i < 500; i += 1) {
      const envelope = vault.seal(SECRET, ctx);
      envelopes.add(envelope);
      nonces.add(envelope.split('.')[2]!);
    }
    expect(envelopes.size).toBe(500);
    expect(nonces.size).toBe(500);
  });

  it('refuses an envelope moved to another connection or another field', () => {
    const envelope = vault.seal(SECRET, ctx);
    const otherConnection = openError(() => vault.open(envelope, { ...ctx, connectionId: 'conn_2' }));
    expect(otherConnection.code).toBe('vault_decrypt_failed');
    expect(otherConnection.message).toContain('failed authentication');
    const otherField = openError(() => vault.open(envelope, { ...ctx, field: 'refreshToken' }));
    expect(otherField.code).toBe('vault_decrypt_failed');
    // Concatenation tricks cannot move the boundary between connection id and field.
    const tricky = vault.seal(SECRET, { connectionId: 'a', field: 'bc' });
    openError(() => vault.open(tricky, { connectionId: 'ab', field: 'c' }));
  });

  it('refuses an envelope with any single character changed', () => {
    const envelope = vault.seal('short secret', ctx);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    for (let i = 0; i < envelope.length; i += 1) {
      const original = envelope[i]!;
      const replacement = alphabet[(alphabet.indexOf(original) + 1) % alphabet.length]!;
      const altered = envelope.slice(0, i) + replacement + envelope.slice(i + 1);
      expect(() => vault.open(altered, ctx), `position ${i}`).toThrow(VaultError);
    }
  });

  it('refuses an envelope with any bit of its nonce, ciphertext or tag flipped', () => {
    const envelope = vault.seal('short secret', ctx);
    const [version, keyId, nonceText, sealedText] = envelope.split('.') as [string, string, string, string];
    const fields = [base64UrlToBytes(nonceText)!, base64UrlToBytes(sealedText)!];
    for (const [which, bytes] of fields.entries()) {
      for (let i = 0; i < bytes.length; i += 1) {
        for (const bit of [0x01, 0x80]) {
          const copy = Uint8Array.from(bytes);
          copy[i]! ^= bit;
          const parts =
            which === 0 ? [bytesToBase64Url(copy), sealedText] : [nonceText, bytesToBase64Url(copy)];
          const altered = [version, keyId, ...parts].join('.');
          expect(() => vault.open(altered, ctx)).toThrow(VaultError);
        }
      }
    }
  });

  it('refuses every truncation and malformed input', () => {
    const envelope = vault.seal('short secret', ctx);
    for (let length = 0; length < envelope.length; length += 1) {
      expect(() => vault.open(envelope.slice(0, length), ctx), `length ${length}`).toThrow(VaultError);
    }
    for (const bad of [
      '',
      'bcv1',
      'bcv1.k1..',
      `${envelope}.extra`,
      `bcv2${envelope.slice(4)}`,
      ' '.repeat(10),
    ]) {
      const error = openError(() => vault.open(bad, ctx));
      expect(error.code).toBe('vault_decrypt_failed');
    }
    const notString = openError(() => vault.open(42 as unknown as string, ctx));
    expect(notString.message).toContain('not a valid vault envelope');
  });

  it('refuses an envelope sealed with another key under the same id, and names an unknown key id', () => {
    const envelope = vault.seal(SECRET, ctx);
    const impostor = createTokenVault(ring({ k1: randomKey() }));
    expect(openError(() => impostor.open(envelope, ctx)).code).toBe('vault_decrypt_failed');

    const other = createTokenVault(ring({ k9: randomKey() }));
    const unknown = openError(() => other.open(envelope, ctx));
    expect(unknown.code).toBe('vault_decrypt_failed');
    expect(unknown.message).toContain('"k1"');
    expect(unknown.message).toContain('not in the key ring');
  });

  it('refuses an envelope relabelled with another key id of the same ring', () => {
    const both = createTokenVault(ring({ k1, k2: k1 }));
    const envelope = both.seal(SECRET, ctx);
    const relabelled = envelope.replace('bcv1.k1.', 'bcv1.k2.');
    expect(() => both.open(relabelled, ctx)).toThrow(VaultError);
  });

  it('never puts plaintext, key bytes or envelope contents into its errors', () => {
    const envelope = vault.seal(SECRET, ctx);
    const keyTexts = [bytesToBase64Url(k1), Array.from(k1, (b) => b.toString(16).padStart(2, '0')).join('')];
    const errors = [
      openError(() => vault.open(envelope, { ...ctx, connectionId: 'conn_2' })),
      openError(() => vault.open(envelope.slice(0, -3), ctx)),
      openError(() => createTokenVault(ring({ k1: randomKey() })).open(envelope, ctx)),
    ];
    for (const error of errors) {
      const text = `${error.message}\n${error.stack}\n${JSON.stringify(error)}`;
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('secret-access-token-value');
      expect(text).not.toContain(envelope.split('.')[3]!.slice(0, 16));
      for (const keyText of keyTexts) expect(text).not.toContain(keyText);
      expect(error.cause).toBeUndefined();
    }
  });

  it('validates its inputs', () => {
    expect(() => vault.seal(SECRET, { connectionId: '', field: 'accessToken' })).toThrow(
      /connectionId and field/,
    );
    expect(() => vault.seal(undefined as unknown as string, ctx)).toThrow(/Only strings/);
  });
});

describe('key rotation', () => {
  const k1 = randomKey();
  const k2 = randomKey();
  const before = createTokenVault(ring({ k1 }));
  const after = createTokenVault(ring({ k2, k1 }, 'k2'));

  it('opens envelopes sealed with the old key and seals new ones with the current key', () => {
    const old = before.seal(SECRET, ctx);
    expect(after.currentKeyId).toBe('k2');
    expect(after.open(old, ctx)).toBe(SECRET);
    const fresh = after.seal(SECRET, ctx);
    expect(fresh.startsWith('bcv1.k2.')).toBe(true);
    expect(after.open(fresh, ctx)).toBe(SECRET);
    // The old vault cannot read what the new key sealed.
    expect(() => before.open(fresh, ctx)).toThrow(VaultError);
  });

  it('reports which envelopes need re-sealing', () => {
    expect(after.needsReseal(before.seal(SECRET, ctx))).toBe(true);
    expect(after.needsReseal(after.seal(SECRET, ctx))).toBe(false);
    expect(before.needsReseal(before.seal(SECRET, ctx))).toBe(false);
    expect(() => after.needsReseal('not-an-envelope')).toThrow(VaultError);
  });

  it('fails to open old envelopes once the old key is removed from the ring', () => {
    const old = before.seal(SECRET, ctx);
    const withoutOld = createTokenVault(ring({ k2 }));
    expect(() => withoutOld.open(old, ctx)).toThrow(/"k1", which is not in the key ring/);
  });
});
