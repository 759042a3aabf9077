import {
  type BlueClerkError,
  type BlueClerkStorage,
  ConfigurationError,
  createManualClock,
  randomId,
  StorageError,
} from '@blueclerk/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys, REDIS_URL, testKeyPrefix } from '../test/redis-test-support';
import { createRedisStorage } from './index';
import { defineLuaScript, runLuaScript } from './lua';

// Redis-specific promises the conformance suite cannot see: the key layout, expiries, bounds, client ownership and
// typed errors. The behaviour of every contract is checked by storage.redis.test.ts.

const prefix = testKeyPrefix('layout');
let redis: Redis;

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

// The CI Redis runs without persistence (--save "" --appendonly no); persistence.redis.test.ts covers the check.
function storageOn(client: Redis | string, extra: Partial<Parameters<typeof createRedisStorage>[0]> = {}) {
  return createRedisStorage({ redis: client, keyPrefix: prefix, requirePersistence: false, ...extra });
}

/** One of every kind of write, so the keyspace holds one of every kind of key. */
async function writeOneOfEverything(storage: BlueClerkStorage, tag: string) {
  const ownerId = `owner-${tag}`;
  const connection = await storage.connections.createConnection({ provider: 'quickbooks', ownerId });
  const lease = (await storage.locks.acquireLease(`refresh:${connection.id}`, { ttlMs: 30_000 }))!;
  await storage.connections.updateConnection(
    connection.id,
    { status: 'active' },
    { expectedVersion: 1, fence: { key: lease.key, fence: lease.fence } },
  );
  await storage.connections.setConnectionHealth(connection.id, {
    ...connection.health,
    consecutiveFailures: 1,
  });
  await storage.links.upsertLink({
    connectionId: connection.id,
    entityType: 'invoice',
    localId: `inv-${tag}`,
    providerId: '130',
    providerVersion: '0',
    contentHash: null,
    lastSyncedAt: Date.now(),
  });
  await storage.syncState.setCursor(connection.id, 'invoice', 'cursor');
  await storage.syncState.rememberDelivery('quickbooks', `delivery-${tag}`, 60_000);
  const pending = await storage.ledger.claim({
    key: `pending-${tag}`,
    connectionId: connection.id,
    operation: 'payment.create',
    requestId: 'r1',
    reference: 'REF1',
    ttlMs: 60_000,
  });
  const finished = await storage.ledger.claim({
    key: `finished-${tag}`,
    connectionId: connection.id,
    operation: 'invoice.create',
    requestId: 'r2',
    reference: 'REF2',
    ttlMs: 60_000,
  });
  await storage.ledger.completeClaim(finished.entry.key, finished.entry.claimToken!, { providerId: '131' });
  const note = await storage.notifications.appendNotification({
    ownerId,
    connectionId: connection.id,
    type: 'sync.failed',
    severity: 'error',
    category: 'network',
    entityType: null,
    localId: null,
    message: 'Could not reach QuickBooks',
    action: null,
    data: {},
  });
  await storage.notifications.markNotificationsRead(ownerId, [note.id], Date.now());
  await storage.notifications.recordRepeat(ownerId, note.id, Date.now());
  return { ownerId, connection, lease, pending };
}

/** A logical database nobody else is using, so "every key" can mean every key, not just those under our prefix. */
async function emptyDatabase(): Promise<Redis> {
  for (let db = 15; db >= 1; db--) {
    const client = new Redis(REDIS_URL, { db });
    if ((await client.dbsize()) === 0) return client;
    await client.quit();
  }
  throw new Error('no empty Redis database to run the key-layout test in');
}

describe('Redis key layout', () => {
  it('writes every key under the prefix and nothing outside it', async () => {
    const client = await emptyDatabase();
    try {
      const storage = storageOn(client);
      await writeOneOfEverything(storage, 'all');
      const keys = await client.keys('*'); // an otherwise empty database: KEYS is fine in this test
      expect(keys.length).toBeGreaterThanOrEqual(15);
      expect(keys.filter((key) => !key.startsWith(prefix))).toEqual([]);
    } finally {
      await deleteKeys(client, prefix);
      await client.quit();
    }
  });

  it('gives expiring things a TTL and keeps durable records and fence counters forever', async () => {
    const storage = storageOn(redis, { ledgerFinalEntryTtlMs: 86_400_000, notificationTtlMs: 3_600_000 });
    const { ownerId, connection, lease } = await writeOneOfEverything(storage, 'ttl');
    const pttl = (suffix: string) => redis.pttl(prefix + suffix);

    const lockTtl = await pttl(`lock:${lease.key}`);
    expect(lockTtl).toBeGreaterThan(0);
    expect(lockTtl).toBeLessThanOrEqual(30_000);
    expect(await pttl('delivery:quickbooks:delivery-ttl')).toBeGreaterThan(0);
    for (const key of ['notif-index', 'notif-data', 'notif-read', 'notif-seq', 'notif-repeat']) {
      const ttl = await pttl(`${key}:${ownerId}`);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(3_600_000);
    }
    const finishedTtl = await pttl('ledger:finished-ttl');
    expect(finishedTtl).toBeGreaterThan(3_600_000);
    expect(finishedTtl).toBeLessThanOrEqual(86_400_000);

    // -1: exists without expiry. A pending claim must not vanish under its holder; a fence counter that expired
    // would restart at 1 and let an old fence pass again.
    expect(await pttl('ledger:pending-ttl')).toBe(-1);
    expect(await pttl(`fence:${lease.key}`)).toBe(-1);
    expect(await pttl(`conn:${connection.id}`)).toBe(-1);
    expect(await pttl(`links:${connection.id}`)).toBe(-1);
  });

  it('indexes pending claims by expiry and drops them from the index once final', async () => {
    const storage = storageOn(redis);
    const claim = await storage.ledger.claim({
      key: 'indexed',
      connectionId: 'c',
      operation: 'payment.create',
      requestId: 'r',
      reference: 'R',
      ttlMs: 60_000,
    });
    expect(Number(await redis.zscore(`${prefix}ledger-pending`, 'indexed'))).toBe(claim.entry.claimExpiresAt);
    await storage.ledger.failClaim('indexed', claim.entry.claimToken!, { code: 'network', message: 'down' });
    expect(await redis.zscore(`${prefix}ledger-pending`, 'indexed')).toBeNull();
  });

  it("keeps only the newest maxNotificationsPerOwner of an owner's notifications", async () => {
    const storage = storageOn(redis, { maxNotificationsPerOwner: 3 });
    const ownerId = `bounded-${randomId(4)}`;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const note = await storage.notifications.appendNotification({
        ownerId,
        connectionId: null,
        type: 'invoice.synced',
        severity: 'info',
        category: null,
        entityType: 'invoice',
        localId: `inv-${i}`,
        message: `Invoice ${i} synced`,
        action: null,
        data: {},
        createdAt: 1_000 + i,
      });
      ids.push(note.id);
    }
    // A repeat count of a notification that is then trimmed away goes with it.
    await storage.notifications.recordRepeat(ownerId, ids[0]!, 2_000);
    await storage.notifications.recordRepeat(ownerId, ids[2]!, 2_000);
    for (let i = 3; i < 5; i++) {
      const note = await storage.notifications.appendNotification({
        ownerId,
        connectionId: null,
        type: 'invoice.synced',
        severity: 'info',
        category: null,
        entityType: 'invoice',
        localId: `inv-${i}`,
        message: `Invoice ${i} synced`,
        action: null,
        data: {},
        createdAt: 1_000 + i,
      });
      ids.push(note.id);
    }
    const listed = await storage.notifications.listNotifications({ ownerId });
    expect(listed.map((n) => n.id)).toEqual([ids[4], ids[3], ids[2]]);
    expect(listed.map((n) => n.occurrences)).toEqual([1, 1, 2]);
    expect(await redis.hkeys(`${prefix}notif-repeat:${ownerId}`)).toEqual([ids[2]]);
    expect(await redis.zcard(`${prefix}notif-index:${ownerId}`)).toBe(3);
    expect(await redis.hlen(`${prefix}notif-data:${ownerId}`)).toBe(3);
    // Dropped notifications can no longer be marked read.
    expect(await storage.notifications.markNotificationsRead(ownerId, [ids[0]!, ids[4]!], 5_000)).toBe(1);
  });
});

describe('Redis connections written before settings and grants', () => {
  it('read back with settings {} and grantId null, and join the tenant index on the first tenant look-up', async () => {
    const legacyPrefix = testKeyPrefix('legacy');
    const storage = createRedisStorage({ redis, keyPrefix: legacyPrefix, requirePersistence: false });
    const other = createRedisStorage({ redis, keyPrefix: legacyPrefix, requirePersistence: false });
    try {
      // As the adapter stored connections before this version: no settings or grantId in the record, no tenant index.
      const health = {
        status: 'healthy',
        lastSuccessAt: null,
        lastErrorAt: null,
        lastError: null,
        consecutiveFailures: 0,
      };
      const legacy = (id: string, tenantId: string | null, createdAt: number) => ({
        id,
        provider: 'acme-books',
        ownerId: 'legacy-owner',
        tenantId,
        status: 'active',
        tokens: null,
        metadata: {},
        createdAt,
        updatedAt: createdAt,
      });
      for (const [index, [id, tenantId]] of (
        [
          ['old-1', 'realm-1'],
          ['old-2', 'realm-1'],
          ['old-3', null],
        ] as const
      ).entries()) {
        const createdAt = 1_767_225_600_000 + index;
        await redis.hset(`${legacyPrefix}conn:${id}`, {
          record: JSON.stringify(legacy(id, tenantId, createdAt)),
          health: JSON.stringify(health),
          version: '1',
          seq: String(index + 1),
        });
        await redis.zadd(`${legacyPrefix}conns`, createdAt, id);
        await redis.zadd(`${legacyPrefix}owner-conns:legacy-owner`, createdAt, id);
      }

      expect(await storage.connections.getConnection('old-1')).toMatchObject({
        provider: 'acme-books',
        settings: {},
        grantId: null,
        version: 1,
      });
      const ids = async (filter: Parameters<typeof storage.connections.listConnections>[0]) =>
        (await storage.connections.listConnections(filter)).map((c) => c.id);
      expect(await redis.exists(`${legacyPrefix}tenant-conns-built`)).toBe(0);
      expect(await ids({ tenantId: 'realm-1' })).toEqual(['old-2', 'old-1']);
      expect(await redis.exists(`${legacyPrefix}tenant-conns-built`)).toBe(1);
      expect(await redis.zrange(`${legacyPrefix}tenant-conns:realm-1`, 0, -1)).toEqual(['old-1', 'old-2']);

      // From here on the index is kept by every write, and another instance finds the marker.
      await other.connections.updateConnection('old-1', { tenantId: 'realm-2' }, { expectedVersion: 1 });
      await other.connections.updateConnection('old-3', { tenantId: 'realm-2' }, { expectedVersion: 1 });
      expect(await ids({ tenantId: 'realm-1' })).toEqual(['old-2']);
      // Moved, not copied: the record filter would hide a stale member, the index itself must not keep it.
      expect(await redis.zrange(`${legacyPrefix}tenant-conns:realm-1`, 0, -1)).toEqual(['old-2']);
      expect(await ids({ tenantId: 'realm-2' })).toEqual(['old-3', 'old-1']);
      const member = await storage.connections.createConnection({
        provider: 'acme-books',
        ownerId: 'legacy-owner',
        tenantId: 'realm-2',
        grantId: 'old-1',
      });
      expect(await ids({ grantId: 'old-1' })).toEqual([member.id]);
      expect(await other.connections.deleteConnection('old-3')).toBe(true);
      expect(await other.connections.deleteConnection(member.id)).toBe(true);
      expect(await ids({ tenantId: 'realm-2' })).toEqual(['old-1']);
      expect(await redis.exists(`${legacyPrefix}grant-conns:old-1`)).toBe(0);
    } finally {
      await storage.close();
      await other.close();
      await deleteKeys(redis, legacyPrefix);
    }
  });

  it('indexes tenants under their own keys and removes them with the connection', async () => {
    const storage = storageOn(redis);
    const tenantId = `realm-${randomId(4)}`;
    const holder = await storage.connections.createConnection({ provider: 'xero', ownerId: 'o', tenantId });
    const member = await storage.connections.createConnection({
      provider: 'xero',
      ownerId: 'o',
      tenantId: `${tenantId}-b`,
      grantId: holder.id,
    });
    expect(await redis.zrange(`${prefix}tenant-conns:${tenantId}`, 0, -1)).toEqual([holder.id]);
    expect(await redis.zrange(`${prefix}grant-conns:${holder.id}`, 0, -1)).toEqual([member.id]);
    expect(await redis.pttl(`${prefix}tenant-conns:${tenantId}`)).toBe(-1);
    await storage.connections.deleteConnection(member.id);
    await storage.connections.deleteConnection(holder.id);
    expect(
      await redis.exists(`${prefix}tenant-conns:${tenantId}`, `${prefix}tenant-conns:${tenantId}-b`),
    ).toBe(0);
    expect(await redis.exists(`${prefix}grant-conns:${holder.id}`)).toBe(0);
  });
});

describe('Redis leases', () => {
  it("honours an injected clock: a lease past its expiresAt is taken over before Redis' own expiry fires", async () => {
    const clock = createManualClock(Date.now());
    const first = storageOn(redis, { clock });
    const second = storageOn(redis, { clock });
    const key = `clocked-${randomId(4)}`;
    const stale = (await first.locks.acquireLease(key, { ttlMs: 60_000 }))!;
    expect(await second.locks.acquireLease(key, { ttlMs: 60_000 })).toBeNull();
    clock.advance(60_001);
    const taken = await second.locks.acquireLease(key, { ttlMs: 60_000 });
    expect(taken?.fence).toBe(stale.fence + 1);
    expect(await first.locks.releaseLease(stale)).toBe(false);
    expect(await second.locks.releaseLease(taken!)).toBe(true);
  });

  it('refuses a ttl that is not a positive integer with a typed error', async () => {
    const storage = storageOn(redis);
    for (const ttlMs of [0, -5, 1.5, Number.NaN]) {
      await expect(storage.locks.acquireLease('bad-ttl', { ttlMs })).rejects.toMatchObject({
        code: 'validation_failed',
      });
    }
  });
});

describe('Redis client handling', () => {
  it('leaves a client it was given open on close, and quits one it opened from a URL', async () => {
    const given = new Redis(REDIS_URL);
    const borrowed = storageOn(given);
    await borrowed.connections.getConnection('x');
    await borrowed.close();
    expect(await given.ping()).toBe('PONG');
    await given.quit();

    const owned = storageOn(REDIS_URL);
    expect(await owned.connections.getConnection('x')).toBeNull();
    await owned.close();
    await expect(owned.connections.getConnection('x')).rejects.toMatchObject({
      code: 'storage_unavailable',
    });
  });

  it('rejects bad settings with a ConfigurationError that names the setting and never echoes a URL', () => {
    expect(() => storageOn(REDIS_URL, { keyPrefix: '' })).toThrow(ConfigurationError);
    expect(() => storageOn(REDIS_URL, { maxNotificationsPerOwner: 0 })).toThrow(ConfigurationError);
    let caught: unknown;
    try {
      createRedisStorage({ redis: 'http://admin:hunter2@cache.internal:6379' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigurationError);
    expect((caught as ConfigurationError).setting).toBe('redis');
    expect(
      JSON.stringify({ message: (caught as Error).message, details: (caught as BlueClerkError).details }),
    ).not.toContain('hunter2');
  });

  it('turns an unreachable Redis into a retryable StorageError, not a provider network error', async () => {
    const unreachable = new Redis({
      host: '127.0.0.1',
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const storage = storageOn(unreachable);
    const error = await storage.locks.acquireLease('k', { ttlMs: 1_000 }).catch((e: unknown) => e);
    expect(StorageError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'storage_unavailable',
      category: 'storage_unavailable',
      retryable: true,
      operation: 'acquireLease',
    });
    unreachable.disconnect();
  });

  it('loads a script the server has not cached (EVALSHA falls back to EVAL) and caches it', async () => {
    const script = defineLuaScript('probe', `-- ${randomId()}\nreturn ARGV[1] .. KEYS[1]`);
    expect(await redis.script('EXISTS', script.sha)).toEqual([0]);
    expect(await runLuaScript(redis, script, [`${prefix}probe`], ['key:'])).toBe(`key:${prefix}probe`);
    expect(await redis.script('EXISTS', script.sha)).toEqual([1]);
    expect(await runLuaScript(redis, script, [`${prefix}probe`], ['again:'])).toBe(`again:${prefix}probe`);
  });
});
