import { expect } from 'vitest';
import { BlueClerkError, StorageError } from '../../errors/index';
import type { BlueClerkStorage } from '../../storage/index';
import { LONG_TTL_MS, newConnection, type SuiteContext, sealedTokens, sleep, unique } from './harness';
import { OUTAGE_TESTS } from './names';

/** How the adapter's test takes its backend down and brings it back (see `StorageConformanceOptions.outage`). */
export interface StorageOutage {
  /**
   * A storage on the backend that `breakBackend` breaks (e.g. one connected through `startTcpProxy`). Default: the
   * suite's `createStorage`. Closed after the test.
   */
  createStorage?: () => Promise<BlueClerkStorage>;
  /** Makes the backend unreachable for storages from `createStorage` (cut a proxy, stop a server ...). */
  breakBackend(): Promise<void>;
  /** Undoes `breakBackend`. Always called after a test that broke the backend, even when the test failed. */
  repairBackend(): Promise<void>;
}

// The client may need a moment to reconnect after the repair: poll, bounded.
const RECOVERY_ATTEMPTS = 100;
const RECOVERY_POLL_MS = 100;

/** Message, stack, details and cause chain of an error: everything a log line of it could show. */
function exposed(value: unknown, seen = new Set<unknown>()): string {
  if (value === null || typeof value !== 'object' || seen.has(value)) return String(value ?? '');
  seen.add(value);
  const error = value as { message?: unknown; stack?: unknown; details?: unknown; cause?: unknown };
  return [
    String(error.message ?? ''),
    String(error.stack ?? ''),
    JSON.stringify(error.details ?? {}),
    exposed(error.cause, seen),
  ].join('\n');
}

/**
 * Storage failures must say what they are. With the backend down, every method of every store rejects with one
 * error class and code, `StorageError` / `storage_unavailable` (retryable), the same in every adapter: never a
 * provider's code (`network` would send a user to the provider's status page), never `internal`, never a hang.
 * Only registered when the adapter passes `outage`.
 */
export function defineOutageTests(ctx: SuiteContext, outage: StorageOutage): void {
  const open = async (): Promise<BlueClerkStorage> => {
    if (!outage.createStorage) return ctx.storage();
    const storage = await outage.createStorage();
    opened.push(storage);
    return storage;
  };
  const opened: BlueClerkStorage[] = [];
  const closeOpened = async () => {
    await Promise.all(opened.splice(0).map((storage) => storage.close().catch(() => {})));
  };

  /** What exists before the break, so every call below has a real target. */
  const probe = (ownerId: string, connectionId: string) => ({
    ownerId,
    connectionId,
    type: 'sync.failed',
    severity: 'error' as const,
    category: 'storage_unavailable',
    entityType: null,
    localId: null,
    message: 'outage probe',
    action: null,
    data: {},
  });

  async function seed(storage: BlueClerkStorage) {
    const connection = await storage.connections.createConnection(newConnection());
    const lease = (await storage.locks.acquireLease(unique('outage-lease'), { ttlMs: LONG_TTL_MS }))!;
    const claim = await storage.ledger.claim({
      key: unique('outage-ledger'),
      connectionId: connection.id,
      operation: 'payment.create',
      requestId: unique('req'),
      reference: unique('ref'),
      ttlMs: LONG_TTL_MS,
    });
    const notification = await storage.notifications.appendNotification(
      probe(connection.ownerId, connection.id),
    );
    return { connection, lease, claim, notification };
  }

  ctx.test(OUTAGE_TESTS.everyMethod, async () => {
    try {
      const storage = await open();
      const { connection, lease, claim, notification } = await seed(storage);
      const tokens = sealedTokens();
      const link = {
        connectionId: connection.id,
        entityType: 'invoice' as const,
        localId: unique('inv'),
        providerId: unique('prov'),
        providerVersion: null,
        contentHash: null,
        lastSyncedAt: Date.now(),
      };
      const token = claim.entry.claimToken ?? '';
      const { connections, locks, ledger, links, notifications, syncState } = storage;
      // Every method of every store contract (BlueClerkStorage), in contract order.
      const calls: Record<string, () => Promise<unknown>> = {
        'connections.createConnection': () => connections.createConnection(newConnection({ tokens })),
        'connections.getConnection': () => connections.getConnection(connection.id),
        'connections.listConnections': () => connections.listConnections({ ownerId: connection.ownerId }),
        'connections.updateConnection': () =>
          connections.updateConnection(
            connection.id,
            { tokens },
            { expectedVersion: 1, fence: { key: lease.key, fence: lease.fence } },
          ),
        'connections.setConnectionHealth': () =>
          connections.setConnectionHealth(connection.id, { ...connection.health, consecutiveFailures: 1 }),
        'connections.deleteConnection': () => connections.deleteConnection(connection.id),
        'locks.acquireLease': () => locks.acquireLease(unique('outage-lease'), { ttlMs: LONG_TTL_MS }),
        'locks.releaseLease': () => locks.releaseLease(lease),
        'locks.extendLease': () => locks.extendLease(lease, LONG_TTL_MS),
        'ledger.claim': () =>
          ledger.claim({
            key: unique('outage-ledger'),
            connectionId: connection.id,
            operation: 'payment.create',
            requestId: unique('req'),
            reference: unique('ref'),
            ttlMs: LONG_TTL_MS,
          }),
        'ledger.completeClaim': () => ledger.completeClaim(claim.entry.key, token, { providerId: '77' }),
        'ledger.failClaim': () =>
          ledger.failClaim(claim.entry.key, token, { code: 'network', message: 'probe' }),
        'ledger.getEntry': () => ledger.getEntry(claim.entry.key),
        'ledger.listStaleClaims': () => ledger.listStaleClaims({ expiredBefore: Date.now() }),
        'links.upsertLink': () => links.upsertLink(link),
        'links.findLinkByLocalId': () => links.findLinkByLocalId(connection.id, 'invoice', link.localId),
        'links.findLinkByProviderId': () =>
          links.findLinkByProviderId(connection.id, 'invoice', link.providerId),
        'links.deleteLink': () => links.deleteLink(connection.id, 'invoice', link.localId),
        'notifications.appendNotification': () =>
          notifications.appendNotification(probe(connection.ownerId, connection.id)),
        'notifications.listNotifications': () =>
          notifications.listNotifications({ ownerId: connection.ownerId }),
        'notifications.markNotificationsRead': () =>
          notifications.markNotificationsRead(connection.ownerId, [notification.id], Date.now()),
        'notifications.recordRepeat': () =>
          notifications.recordRepeat(connection.ownerId, notification.id, Date.now()),
        'syncState.getCursor': () => syncState.getCursor(connection.id, 'invoice'),
        'syncState.setCursor': () => syncState.setCursor(connection.id, 'invoice', 'c1'),
        'syncState.rememberDelivery': () =>
          syncState.rememberDelivery('quickbooks', unique('d'), LONG_TTL_MS),
        'syncState.forgetDelivery': () => syncState.forgetDelivery('quickbooks', unique('d')),
      };

      await outage.breakBackend();
      const names = Object.keys(calls);
      const settled = await Promise.allSettled(names.map((name) => calls[name]!()));
      const wrong: string[] = [];
      const leaked: string[] = [];
      settled.forEach((result, index) => {
        const name = names[index]!;
        if (result.status === 'fulfilled') {
          wrong.push(`${name}: resolved`);
          return;
        }
        const error = result.reason as unknown;
        if (!StorageError.isInstance(error)) {
          wrong.push(`${name}: ${BlueClerkError.isInstance(error) ? error.code : String(error)}`);
          return;
        }
        if (
          error.code !== 'storage_unavailable' ||
          !error.retryable ||
          error.category !== 'storage_unavailable'
        ) {
          wrong.push(`${name}: code ${error.code}, retryable ${error.retryable}`);
        }
        const text = exposed(error);
        // Stored values (sealed envelopes) never reach an error: they are query parameters, not messages.
        if (text.includes(tokens.accessToken) || text.includes(tokens.refreshToken ?? '\u0000'))
          leaked.push(name);
      });
      expect(wrong, 'store methods that did not reject with StorageError during the outage').toEqual([]);
      expect(leaked, 'store methods whose error carries a stored value').toEqual([]);
    } finally {
      await outage.repairBackend();
      await closeOpened();
    }
  });

  ctx.test(OUTAGE_TESTS.recovers, async () => {
    try {
      const storage = await open();
      const { connection } = await seed(storage);
      await outage.breakBackend();
      await expect(storage.connections.getConnection(connection.id)).rejects.toSatisfy(
        StorageError.isInstance,
      );
      await outage.repairBackend();
      let read: unknown;
      for (let attempt = 0; attempt < RECOVERY_ATTEMPTS; attempt++) {
        try {
          read = await storage.connections.getConnection(connection.id);
          break;
        } catch (error) {
          if (!StorageError.isInstance(error)) throw error;
          await sleep(RECOVERY_POLL_MS);
        }
      }
      expect(read).toMatchObject({ id: connection.id, version: 1 });
      const written = await storage.connections.updateConnection(
        connection.id,
        { status: 'disconnected' },
        { expectedVersion: 1 },
      );
      expect(written.version).toBe(2);
    } finally {
      await outage.repairBackend();
      await closeOpened();
    }
  });
}
