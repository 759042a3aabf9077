import {
  createKeyRing,
  createTokenVault,
  openTokenSet,
  randomId,
  resealConnections,
  sealTokenSet,
  type TokenSet,
} from '@blueclerk/core';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { deleteKeys, dumpValues, REDIS_URL, testKeyPrefix } from '../test/redis-test-support';
import { createRedisStorage } from './index';

// Tokens reach Redis only as vault envelopes: after connecting, refreshing and rotating the key, a dump of every key
// under the prefix (strings, hashes, sorted sets, sets) holds no token and no key in any common encoding.

const keyPrefix = testKeyPrefix('at-rest');
const admin = new Redis(REDIS_URL);

afterAll(async () => {
  await deleteKeys(admin, keyPrefix);
  await admin.quit();
});

function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

function tokenSet(label: string): TokenSet {
  const now = Date.now();
  return {
    // Shaped like real ones: QuickBooks access tokens are JWT-like, refresh tokens short opaque strings.
    accessToken: `eyJlbmMiOiJBMTI4Q0JDLUhTMjU2${label}${randomId(24)}`,
    refreshToken: `AB11${label}${randomId(20)}`,
    accessTokenExpiresAt: now + 3_600_000,
    refreshTokenExpiresAt: now + 100 * 86_400_000,
    refreshTokenIssuedAt: now,
    scope: 'com.intuit.quickbooks.accounting',
  };
}

/** The plaintext and the encodings a careless store might use instead of encryption. */
function encodings(secret: string | Uint8Array): string[] {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  const base64 = Buffer.from(bytes).toString('base64');
  return [
    ...(typeof secret === 'string' ? [secret] : []),
    Buffer.from(bytes).toString('hex'),
    base64.replace(/=+$/, ''),
    Buffer.from(bytes).toString('base64url'),
  ];
}

it('stores tokens only as vault envelopes through connect, refresh and key rotation', async () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const oldVault = createTokenVault(createKeyRing({ currentKeyId: 'k1', keys: { k1: oldKey } }));
  const storage = createRedisStorage({ redis: REDIS_URL, keyPrefix, requirePersistence: false });
  try {
    const connectionId = `conn-${randomId(6)}`;
    const connected = tokenSet('connected');
    const created = await storage.connections.createConnection({
      id: connectionId,
      provider: 'quickbooks',
      ownerId: 'owner-1',
      tenantId: '9130355',
      status: 'active',
      tokens: sealTokenSet(oldVault, connectionId, connected),
    });

    // A refresh writes a new token set with compare-and-set under the refresh lease, as the token manager does.
    const refreshed = tokenSet('refreshed');
    const lease = (await storage.locks.acquireLease(`refresh:${connectionId}`, { ttlMs: 30_000 }))!;
    await storage.connections.updateConnection(
      connectionId,
      { tokens: sealTokenSet(oldVault, connectionId, refreshed) },
      { expectedVersion: created.version, fence: { key: lease.key, fence: lease.fence } },
    );
    await storage.locks.releaseLease(lease);

    // Key rotation: the new key goes in front, every connection is re-sealed with it.
    const newVault = createTokenVault(
      createKeyRing({ currentKeyId: 'k2', keys: { k2: newKey, k1: oldKey } }),
    );
    const resealed = await resealConnections(storage.connections, newVault);
    expect(resealed).toMatchObject({ resealed: 1, failed: 0 });

    const stored = (await storage.connections.getConnection(connectionId))!;
    expect(stored.tokens!.accessToken.startsWith('bcv2.k2.')).toBe(true);
    expect(stored.tokens!.refreshToken!.startsWith('bcv2.k2.')).toBe(true);
    expect(openTokenSet(newVault, connectionId, stored.tokens!)).toEqual(refreshed);

    const dump = await dumpValues(admin, keyPrefix);
    expect(dump.size).toBeGreaterThan(0);
    const everything = [...dump].map(([key, value]) => `${key}\n${value}`).join('\n');
    // The envelopes are what is there, byte for byte.
    expect(everything).toContain(stored.tokens!.accessToken);
    expect(everything).toContain(stored.tokens!.refreshToken!);
    const secrets = [
      connected.accessToken,
      connected.refreshToken!,
      refreshed.accessToken,
      refreshed.refreshToken!,
      oldKey,
      newKey,
    ];
    for (const secret of secrets) {
      for (const encoded of encodings(secret)) expect(everything).not.toContain(encoded);
    }
  } finally {
    await storage.close();
  }
});
