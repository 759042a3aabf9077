import { hkdfSync } from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import { describe, expect, it } from 'vitest';
import { BlueClerkError, VaultError } from '../errors/index';
import { base64UrlToBytes, bytesToBase64Url } from './encoding';
import { createKeyRing, type KeyRing, keyRingFromEnv } from './key-ring';
import { resealConnections } from './reseal';
import { openTokenSet, sealTokenSet } from './token-set';
import { createTokenVault, deriveFieldKey } from './token-vault';

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
    expect(version).toBe('bcv2');
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
      'bcv2',
      'bcv2.k1..',
      `${envelope}.extra`,
      // Relabelled as a version 1 envelope (sealed with the ring key itself), or as an unknown version.
      `bcv1${envelope.slice(4)}`,
      `bcv9${envelope.slice(4)}`,
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
    const relabelled = envelope.replace('bcv2.k1.', 'bcv2.k2.');
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
    expect(fresh.startsWith('bcv2.k2.')).toBe(true);
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

describe('nonce budget: a subkey per connection and field', () => {
  const key = new Uint8Array(32).map((_, i) => (i * 7 + 3) & 0xff);
  const ring = createKeyRing({ currentKeyId: 'k1', keys: { k1: key } });
  const vault = createTokenVault(ring);
  const ctx = { connectionId: 'conn_a', field: 'accessToken' as const };

  it('seals under HKDF-SHA256(ring key, "blueclerk/vault/v2", [keyId, connection, field]), checked with node:crypto', () => {
    const envelope = vault.seal('at_hkdf_check_value', ctx);
    const [, , nonceText, sealedText] = envelope.split('.') as [string, string, string, string];
    const expected = new Uint8Array(
      hkdfSync('sha256', key, 'blueclerk/vault/v2', JSON.stringify(['k1', ctx.connectionId, ctx.field]), 32),
    );
    const aad = new TextEncoder().encode(JSON.stringify(['bcv2', 'k1', ctx.connectionId, ctx.field]));
    const nonce = Buffer.from(nonceText, 'base64url');
    const sealed = Buffer.from(sealedText, 'base64url');
    const plain = gcm(expected, nonce, aad).decrypt(sealed);
    expect(new TextDecoder().decode(plain)).toBe('at_hkdf_check_value');
    // The ring key itself cannot open it: no two connections or fields share a GCM key.
    expect(() => gcm(key, nonce, aad).decrypt(sealed)).toThrow();
    const other = deriveFieldKey(key, 'k1', { connectionId: 'conn_b', field: 'accessToken' });
    const otherField = deriveFieldKey(key, 'k1', { connectionId: 'conn_a', field: 'refreshToken' });
    expect(Buffer.from(other).equals(Buffer.from(expected))).toBe(false);
    expect(Buffer.from(otherField).equals(Buffer.from(expected))).toBe(false);
  });

  it('still opens version 1 envelopes (ring key, no subkey) and marks them for resealing', () => {
    // A v1 envelope as core 0.1 wrote it: AES-256-GCM under the ring key, AAD ["bcv1", keyId, connection, field].
    const nonce = new Uint8Array(12).fill(9);
    const aad = new TextEncoder().encode(JSON.stringify(['bcv1', 'k1', ctx.connectionId, ctx.field]));
    const sealed = gcm(key, nonce, aad).encrypt(new TextEncoder().encode('at_written_by_v1'));
    const legacy = `bcv1.k1.${Buffer.from(nonce).toString('base64url')}.${Buffer.from(sealed).toString('base64url')}`;
    expect(vault.open(legacy, ctx)).toBe('at_written_by_v1');
    expect(vault.needsReseal(legacy)).toBe(true);
    const fresh = vault.seal('at_written_by_v2', ctx);
    expect(fresh.startsWith('bcv2.k1.')).toBe(true);
    expect(vault.needsReseal(fresh)).toBe(false);
  });
});

describe('wrong argument types', () => {
  it('are typed errors naming what is wrong, never a TypeError', async () => {
    const vault = createTokenVault(createKeyRing({ currentKeyId: 'k1', keys: { k1: randomKey() } }));
    const calls: Array<() => unknown> = [
      () => createKeyRing(null as never),
      () => createKeyRing({ currentKeyId: 'k1', keys: null } as never),
      () => keyRingFromEnv(null as never),
      () => createTokenVault(null as never),
      () => createTokenVault({} as never),
      () => sealTokenSet(vault, 'conn_1', null as never),
      () => sealTokenSet(null as never, 'conn_1', { accessToken: 'at_x_12345678' } as never),
      () => openTokenSet(vault, 'conn_1', null as never),
      () => openTokenSet(null as never, 'conn_1', {} as never),
    ];
    for (const call of calls) {
      let error: unknown;
      try {
        call();
      } catch (caught) {
        error = caught;
      }
      expect(BlueClerkError.isInstance(error), String(call)).toBe(true);
    }
    await expect(resealConnections({} as never, vault)).rejects.toSatisfy(BlueClerkError.isInstance);
  });
});
