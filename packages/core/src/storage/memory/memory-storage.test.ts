import { describe, expect, it } from 'vitest';
import { BlueClerkError } from '../../errors/index';
import { createManualClock } from '../../runtime/index';
import { runStorageConformance } from '../../testing/storage-conformance';
import type { MemoryBackend } from './index';
import { createMemoryBackend, createMemoryStorage } from './index';

// One backend shared by every instance the suite creates: several "processes" on one store.
const backend = createMemoryBackend();

runStorageConformance({
  name: 'memory',
  createStorage: async () => createMemoryStorage({ backend }),
  reset: async () => backend.clear(),
  rawSnapshot: async () => backend.snapshot(),
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (BlueClerkError.isInstance(error)) return error.code;
    throw error;
  }
  throw new Error('expected a rejection');
}

const connection = {
  provider: 'quickbooks' as const,
  ownerId: 'owner-1',
  tokens: null,
};

describe('memory storage (injected clock)', () => {
  it('expires leases, claims and deliveries on the injected clock, exactly at their expiry time', async () => {
    const clock = createManualClock();
    const storage = createMemoryStorage({ clock });
    const lease = await storage.locks.acquireLease('k', { ttlMs: 1_000 });
    expect(lease?.expiresAt).toBe(clock.now() + 1_000);
    clock.advance(999);
    expect(await storage.locks.acquireLease('k', { ttlMs: 1_000 })).toBeNull();
    clock.advance(1);
    expect((await storage.locks.acquireLease('k', { ttlMs: 1_000 }))?.fence).toBe(2);

    const input = {
      key: 'l',
      connectionId: 'c',
      operation: 'payment.create',
      requestId: 'r',
      reference: 'ref',
      ttlMs: 500,
    };
    await storage.ledger.claim(input);
    clock.advance(499);
    expect((await storage.ledger.claim(input)).outcome).toBe('in_progress');
    expect(await storage.ledger.listStaleClaims({ expiredBefore: clock.now() + 1 })).toEqual([]);
    clock.advance(1);
    expect(
      (await storage.ledger.listStaleClaims({ expiredBefore: clock.now() + 1 })).map((e) => e.key),
    ).toEqual(['l']);
    expect((await storage.ledger.claim(input)).outcome).toBe('recover');

    expect(await storage.syncState.rememberDelivery('wave', 'd', 100)).toBe(true);
    clock.advance(100);
    expect(await storage.syncState.rememberDelivery('wave', 'd', 100)).toBe(true);
  });

  it('stamps records with the injected clock', async () => {
    const clock = createManualClock(Date.UTC(2026, 5, 1));
    const storage = createMemoryStorage({ clock });
    const created = await storage.connections.createConnection(connection);
    expect(created.createdAt).toBe(Date.UTC(2026, 5, 1));
    clock.advance(10);
    const updated = await storage.connections.updateConnection(
      created.id,
      { status: 'active' },
      { expectedVersion: 1 },
    );
    expect(updated.updatedAt).toBe(Date.UTC(2026, 5, 1) + 10);
  });
});

describe('memory storage specifics', () => {
  it('keeps separate backends apart and shares one backend between instances', async () => {
    const shared = createMemoryBackend();
    const a = createMemoryStorage({ backend: shared });
    const b = createMemoryStorage({ backend: shared });
    const alone = createMemoryStorage();
    const created = await a.connections.createConnection(connection);
    expect(await b.connections.getConnection(created.id)).toEqual(created);
    expect(await alone.connections.getConnection(created.id)).toBeNull();
    shared.clear();
    expect(await b.connections.getConnection(created.id)).toBeNull();
  });

  it('rejects something that is not a backend with a typed error', () => {
    expect(() => createMemoryStorage({ backend: {} as MemoryBackend })).toThrow(/createMemoryBackend/);
  });

  it('reports a fenced-out write as lease_lost even when its version is also stale', async () => {
    const clock = createManualClock();
    const storage = createMemoryStorage({ clock });
    const created = await storage.connections.createConnection(connection);
    const stale = (await storage.locks.acquireLease('refresh', { ttlMs: 10 }))!;
    clock.advance(10);
    const current = (await storage.locks.acquireLease('refresh', { ttlMs: 10 }))!;
    await storage.connections.updateConnection(
      created.id,
      { status: 'active' },
      { expectedVersion: 1, fence: { key: 'refresh', fence: current.fence } },
    );
    expect(
      await codeOf(
        storage.connections.updateConnection(
          created.id,
          { status: 'disconnected' },
          { expectedVersion: 1, fence: { key: 'refresh', fence: stale.fence } },
        ),
      ),
    ).toBe('lease_lost');
  });

  it('accepts a fence on a key that was never leased, and a fence after its lease was released', async () => {
    const storage = createMemoryStorage();
    const created = await storage.connections.createConnection(connection);
    const updated = await storage.connections.updateConnection(
      created.id,
      { status: 'active' },
      { expectedVersion: 1, fence: { key: 'never-leased', fence: 0 } },
    );
    expect(updated.version).toBe(2);
    const lease = (await storage.locks.acquireLease('k', { ttlMs: 1_000 }))!;
    await storage.locks.releaseLease(lease);
    // Released, not taken over: the holder's last write is still in order.
    const again = await storage.connections.updateConnection(
      created.id,
      { status: 'needs_reconnect' },
      { expectedVersion: 2, fence: { key: 'k', fence: lease.fence } },
    );
    expect(again.version).toBe(3);
  });

  it('refuses bad input with validation errors and writes nothing', async () => {
    const storage = createMemoryStorage();
    expect(await codeOf(storage.locks.acquireLease('k', { ttlMs: 0 }))).toBe('validation_failed');
    expect(await codeOf(storage.syncState.rememberDelivery('xero', 'd', -1))).toBe('validation_failed');
    expect(
      await codeOf(
        storage.ledger.claim({
          key: 'l',
          connectionId: 'c',
          operation: 'o',
          requestId: 'r',
          reference: 'f',
          ttlMs: Number.NaN,
        }),
      ),
    ).toBe('validation_failed');
    expect(await storage.ledger.getEntry('l')).toBeNull();

    const created = await storage.connections.createConnection(connection);
    const notPlainData = { callback: () => 'x' };
    expect(
      await codeOf(
        storage.connections.updateConnection(created.id, { metadata: notPlainData }, { expectedVersion: 1 }),
      ),
    ).toBe('validation_failed');
    expect(
      await codeOf(
        storage.connections.updateConnection(created.id, { status: 'active' }, { expectedVersion: 1.5 }),
      ),
    ).toBe('validation_failed');
    expect(await storage.connections.getConnection(created.id)).toEqual(created);
    expect(
      await codeOf(storage.connections.createConnection({ ...connection, metadata: notPlainData })),
    ).toBe('validation_failed');
    expect(
      await codeOf(storage.connections.createConnection({ ...connection, provider: 'Sage Books' })),
    ).toBe('validation_failed');
    expect(await codeOf(storage.connections.createConnection({ ...connection, ownerId: '' }))).toBe(
      'validation_failed',
    );
    expect(await storage.connections.listConnections()).toHaveLength(1);
  });

  it('does not hand out a lease twice to the same holder while it is held', async () => {
    const storage = createMemoryStorage();
    const lease = await storage.locks.acquireLease('k', { ttlMs: 1_000, holder: 'me' });
    expect(lease?.holder).toBe('me');
    expect(await storage.locks.acquireLease('k', { ttlMs: 1_000, holder: 'me' })).toBeNull();
  });
});
