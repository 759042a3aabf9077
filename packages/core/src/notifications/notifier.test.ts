import { describe, expect, it } from 'vitest';
import type { SyncFailureCategory } from '../errors/index';
import type { BlueClerkEvent } from '../events/index';
import { createEventBus } from '../events/index';
import { createManualClock } from '../runtime/index';
import type { BlueClerkStorage } from '../storage/index';
import { createMemoryBackend, createMemoryStorage } from '../storage/memory/index';
import { createNotificationFeed } from './feed';
import { createSyncNotifier } from './notifier';

const OWNER = 'acme';
const SECRET_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWNyZXQtdXNlciJ9.c2lnbmF0dXJlLXNlY3JldA';

async function setup(options: { dedupeWindowMs?: number; recordSuccesses?: boolean } = {}) {
  const clock = createManualClock();
  const storage = createMemoryStorage({ clock });
  const connection = await storage.connections.createConnection({ provider: 'quickbooks', ownerId: OWNER });
  const notifier = createSyncNotifier({
    providerNames: { quickbooks: 'QuickBooks' },
    storage,
    clock,
    ...options,
  });
  return { clock, storage, connection, notifier };
}

function failed(
  connectionId: string,
  at: number,
  overrides: Partial<Extract<BlueClerkEvent, { type: 'sync.failed' }>> & {
    category?: SyncFailureCategory;
  } = {},
): BlueClerkEvent {
  return {
    type: 'sync.failed',
    ownerId: OWNER,
    connectionId,
    provider: 'quickbooks',
    at,
    entityType: 'invoice',
    localId: 'inv-1',
    category: 'missing_field',
    code: 'missing_field',
    message: 'Customer "Bob" has no email address',
    action: '',
    retryable: false,
    ...overrides,
  };
}

function succeeded(connectionId: string, at: number): BlueClerkEvent {
  return {
    type: 'sync.succeeded',
    ownerId: OWNER,
    connectionId,
    provider: 'quickbooks',
    at,
    entityType: 'invoice',
    localId: 'inv-1',
    providerId: '145',
    action: 'created',
  };
}

async function healthOf(storage: BlueClerkStorage, id: string) {
  return (await storage.connections.getConnection(id))?.health;
}

describe('createSyncNotifier: failures', () => {
  it('stores a failure with severity, category, safe message and action, and degrades health', async () => {
    const { clock, storage, connection, notifier } = await setup();
    const outcome = await notifier.handle(
      failed(connection.id, clock.now(), {
        message: `Customer "Bob" has no email address (request sent with Authorization: Bearer ${SECRET_TOKEN})`,
      }),
    );

    expect(outcome.failures).toEqual([]);
    expect(outcome.deduplicated).toBe(false);
    const [stored] = await storage.notifications.listNotifications({ ownerId: OWNER });
    expect(stored).toMatchObject({
      id: outcome.notification?.id,
      type: 'sync.failed',
      severity: 'error',
      category: 'missing_field',
      connectionId: connection.id,
      entityType: 'invoice',
      localId: 'inv-1',
      action: 'Fill in the missing required fields on this invoice and sync again.',
    });
    expect(stored?.message).toContain('Customer "Bob" has no email address');
    expect(JSON.stringify(stored)).not.toContain(SECRET_TOKEN);
    expect(JSON.stringify(stored)).not.toContain('c2lnbmF0dXJlLXNlY3JldA');

    expect(await healthOf(storage, connection.id)).toEqual({
      status: 'degraded',
      lastSuccessAt: null,
      lastErrorAt: clock.now(),
      lastError: { category: 'missing_field', message: stored?.message },
      consecutiveFailures: 1,
    });
    expect(outcome.health?.status).toBe('degraded');
  });

  it('keeps the action the engine sent (it names the field) and fills in one when it sent none', async () => {
    const { clock, storage, connection, notifier } = await setup();
    await notifier.handle(
      failed(connection.id, clock.now(), { action: 'Add the customer email and sync again.' }),
    );
    await notifier.handle(
      failed(connection.id, clock.now(), {
        category: 'token_expired',
        code: 'token_expired',
        localId: 'inv-2',
      }),
    );
    const actions = (await storage.notifications.listNotifications({ ownerId: OWNER })).map((n) => n.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'Add the customer email and sync again.',
        'Reconnect QuickBooks in Settings > Integrations.',
      ]),
    );
  });

  it('marks the connection needs_reconnect for token categories, and a later network error does not hide that', async () => {
    const { clock, storage, connection, notifier } = await setup();
    await notifier.handle(
      failed(connection.id, clock.now(), { category: 'token_expired', code: 'token_expired' }),
    );
    expect((await healthOf(storage, connection.id))?.status).toBe('needs_reconnect');
    clock.advance(1000);
    await notifier.handle(failed(connection.id, clock.now(), { category: 'network', code: 'network' }));
    expect(await healthOf(storage, connection.id)).toMatchObject({
      status: 'needs_reconnect',
      consecutiveFailures: 2,
      lastError: { category: 'network' },
    });
  });

  it('folds a storage outage across a bulk sync into one notification for the connection, not one per record', async () => {
    const { clock, storage, connection, notifier } = await setup();
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        notifier.handle(
          failed(connection.id, clock.now() + i, {
            category: 'storage_unavailable',
            code: 'storage_unavailable',
            localId: `inv-${i}`,
            retryable: true,
            message: 'Storage unavailable while saving the link',
          }),
        ),
      ),
    );
    const stored = await storage.notifications.listNotifications({ ownerId: OWNER });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ category: 'storage_unavailable', occurrences: 25 });
  });

  it('folds a rate-limit storm into one stored notification with a count, but counts every failure in health', async () => {
    const { clock, storage, connection, notifier } = await setup();
    const storm = Array.from({ length: 40 }, (_, i) =>
      notifier.handle(
        failed(connection.id, clock.now() + i, {
          category: 'rate_limited',
          code: 'rate_limited',
          localId: `inv-${i}`,
          retryable: true,
          message: 'QuickBooks throttled the request (429)',
        }),
      ),
    );
    const outcomes = await Promise.all(storm);

    const stored = await storage.notifications.listNotifications({ ownerId: OWNER });
    expect(stored).toHaveLength(1);
    expect(stored[0]?.severity).toBe('warning');
    // The count is in the store itself, not only in this notifier's memory.
    expect(stored[0]).toMatchObject({ occurrences: 40, lastOccurredAt: clock.now() + 39 });
    expect(outcomes.filter((o) => !o.deduplicated)).toHaveLength(1);
    expect(Math.max(...outcomes.map((o) => o.occurrences))).toBe(40);
    expect((await healthOf(storage, connection.id))?.consecutiveFailures).toBe(40);

    const [listed] = await notifier.listNotifications({ ownerId: OWNER });
    expect(listed?.data).toMatchObject({ occurrences: 40, lastAt: clock.now() + 39 });

    const banner = await notifier.recentFailuresBanner({ ownerId: OWNER });
    expect(banner.count).toBe(1);
    expect(banner.occurrences).toBe(40);
    expect(banner.items[0]).toMatchObject({
      category: 'rate_limited',
      occurrences: 40,
      providerName: 'QuickBooks',
    });
    expect(banner.items[0]?.action).toMatch(/Sync again in a minute/);
  });

  it('dedupes record failures per record, and stores the same failure again after the window', async () => {
    const { clock, storage, connection, notifier } = await setup({ dedupeWindowMs: 60_000 });
    await notifier.handle(failed(connection.id, clock.now()));
    await notifier.handle(failed(connection.id, clock.now() + 10));
    await notifier.handle(failed(connection.id, clock.now() + 20, { localId: 'inv-2' }));
    expect(await storage.notifications.listNotifications({ ownerId: OWNER })).toHaveLength(2);

    clock.advance(61_000);
    const later = await notifier.handle(failed(connection.id, clock.now()));
    expect(later.deduplicated).toBe(false);
    expect(await storage.notifications.listNotifications({ ownerId: OWNER })).toHaveLength(3);
  });

  it('dedupes across notifier instances that share one store (two worker processes)', async () => {
    const clock = createManualClock();
    const backend = createMemoryBackend();
    const storageA = createMemoryStorage({ clock, backend });
    const storageB = createMemoryStorage({ clock, backend });
    const connection = await storageA.connections.createConnection({ provider: 'xero', ownerId: OWNER });
    const a = createSyncNotifier({ providerNames: { quickbooks: 'QuickBooks' }, storage: storageA, clock });
    const b = createSyncNotifier({ providerNames: { quickbooks: 'QuickBooks' }, storage: storageB, clock });
    const event = { ...failed(connection.id, clock.now()), provider: 'xero' } as BlueClerkEvent;

    expect((await a.handle(event)).deduplicated).toBe(false);
    const second = await b.handle(event);
    expect(second.deduplicated).toBe(true);
    expect(second.occurrences).toBe(2);
    expect(await storageA.notifications.listNotifications({ ownerId: OWNER })).toHaveLength(1);

    // Each process folds into the one stored count, so neither loses the other's repeats.
    clock.advance(100);
    expect((await a.handle({ ...event, at: clock.now() })).occurrences).toBe(3);
    clock.advance(100);
    expect((await b.handle({ ...event, at: clock.now() })).occurrences).toBe(4);
    // A feed in a third process (an API server that handles no events) sees the real count.
    const standalone = createNotificationFeed({ storage: createMemoryStorage({ clock, backend }), clock });
    const banner = await standalone.recentFailuresBanner({ ownerId: OWNER });
    expect(banner.items).toHaveLength(1);
    expect(banner.items[0]).toMatchObject({ occurrences: 4, firstAt: event.at, lastAt: clock.now() });
    const [listed] = await standalone.listNotifications({ ownerId: OWNER });
    expect(listed).toMatchObject({ occurrences: 4, lastOccurredAt: clock.now(), data: { occurrences: 4 } });
  });

  it('starts a new notification when the stored one of an open burst is gone', async () => {
    const { clock, storage, connection, notifier } = await setup();
    const first = await notifier.handle(failed(connection.id, clock.now()));
    // A store that trims or expires old notifications (Redis does both) can drop the burst's notification.
    const vanishing: BlueClerkStorage = {
      ...storage,
      notifications: { ...storage.notifications, recordRepeat: async () => null },
    };
    const other = createSyncNotifier({
      providerNames: { quickbooks: 'QuickBooks' },
      storage: vanishing,
      clock,
    });
    await other.handle(failed(connection.id, clock.now()));
    const again = await other.handle(failed(connection.id, clock.now() + 1));
    expect(again).toMatchObject({ deduplicated: false, occurrences: 1 });
    expect(again.notification?.id).not.toBe(first.notification?.id);
  });

  it('never rejects when the store fails; the failure is returned and logged without secrets', async () => {
    const { clock, storage, connection } = await setup();
    const lines: string[] = [];
    const broken: BlueClerkStorage = {
      ...storage,
      notifications: {
        ...storage.notifications,
        listNotifications: () => Promise.reject(new Error(`db down; access_token=${SECRET_TOKEN}`)),
        appendNotification: () => Promise.reject(new Error('db down')),
      },
    };
    const notifier = createSyncNotifier({
      providerNames: { quickbooks: 'QuickBooks' },
      storage: broken,
      clock,
      logger: {
        log: (level, message, fields) => lines.push(`${level} ${message} ${JSON.stringify(fields)}`),
      },
    });
    const outcome = await notifier.handle(failed(connection.id, clock.now()));
    expect(outcome.notification).toBeNull();
    expect(outcome.failures).toEqual([
      { step: 'notification', error: expect.objectContaining({ code: 'internal' }) },
    ]);
    expect(outcome.health?.status).toBe('degraded');
    expect(lines.join('\n')).toContain('db down');
    expect(lines.join('\n')).not.toContain(SECRET_TOKEN);
    expect(JSON.stringify(outcome)).not.toContain(SECRET_TOKEN);
  });
});

describe('createSyncNotifier: successes and reconnects', () => {
  it('heals health on success without storing anything by default', async () => {
    const { clock, storage, connection, notifier } = await setup();
    await notifier.handle(failed(connection.id, clock.now()));
    clock.advance(5000);
    const outcome = await notifier.handle(succeeded(connection.id, clock.now()));

    expect(outcome.notification).toBeNull();
    expect(await healthOf(storage, connection.id)).toMatchObject({
      status: 'healthy',
      lastSuccessAt: clock.now(),
      consecutiveFailures: 0,
      lastError: { category: 'missing_field' },
    });
    expect(await storage.notifications.listNotifications({ ownerId: OWNER })).toHaveLength(1);
  });

  it('does not let a stale success (older than the last error) heal the connection', async () => {
    const { clock, storage, connection, notifier } = await setup();
    await notifier.handle(failed(connection.id, clock.now()));
    await notifier.handle(succeeded(connection.id, clock.now() - 1000));
    expect((await healthOf(storage, connection.id))?.status).toBe('degraded');
  });

  it('stores successes as info notifications when configured, which the banner ignores', async () => {
    const { clock, storage, connection, notifier } = await setup({ recordSuccesses: true });
    await notifier.handle(succeeded(connection.id, clock.now()));
    const [stored] = await storage.notifications.listNotifications({ ownerId: OWNER });
    expect(stored).toMatchObject({
      severity: 'info',
      type: 'sync.succeeded',
      message: 'Invoice inv-1 created in QuickBooks',
    });
    expect((await notifier.recentFailuresBanner({ ownerId: OWNER })).count).toBe(0);
  });

  it('turns needs_reconnect into one notification and health, and a reconnect resets both', async () => {
    const { clock, storage, connection, notifier } = await setup();
    await notifier.handle({
      type: 'connection.needs_reconnect',
      ownerId: OWNER,
      connectionId: connection.id,
      provider: 'quickbooks',
      at: clock.now(),
      reason: `invalid_grant for refresh_token=${SECRET_TOKEN}`,
    });
    // The engine's token failure right after is the same request to the user: no second banner line.
    const sameAsk = await notifier.handle(
      failed(connection.id, clock.now() + 1, { category: 'needs_reconnect', code: 'needs_reconnect' }),
    );
    expect(sameAsk.deduplicated).toBe(true);

    const banner = await notifier.recentFailuresBanner({ ownerId: OWNER });
    expect(banner.count).toBe(1);
    expect(banner.items[0]).toMatchObject({ title: 'QuickBooks needs to be reconnected', occurrences: 2 });
    expect(banner.connectionsNeedingReconnect).toEqual([
      expect.objectContaining({
        connectionId: connection.id,
        providerName: 'QuickBooks',
        action: 'Reconnect QuickBooks in Settings > Integrations.',
      }),
    ]);
    expect(JSON.stringify(banner)).not.toContain(SECRET_TOKEN);

    clock.advance(60_000);
    await notifier.handle({
      type: 'connection.connected',
      ownerId: OWNER,
      connectionId: connection.id,
      provider: 'quickbooks',
      at: clock.now(),
    });
    expect(await healthOf(storage, connection.id)).toMatchObject({
      status: 'healthy',
      consecutiveFailures: 0,
      lastError: null,
    });
    expect((await notifier.recentFailuresBanner({ ownerId: OWNER })).connectionsNeedingReconnect).toEqual([]);

    // Within the old window, but after a reconnect: a new token failure is news and is stored again.
    const again = await notifier.handle(
      failed(connection.id, clock.now(), { category: 'token_expired', code: 'token_expired' }),
    );
    expect(again.deduplicated).toBe(false);
  });

  it('handles events from a bus; drain waits for them', async () => {
    const { clock, storage, connection, notifier } = await setup();
    const bus = createEventBus();
    const detach = notifier.attach(bus);
    bus.emit(failed(connection.id, clock.now()));
    bus.emit(failed(connection.id, clock.now(), { localId: 'inv-9' }));
    await notifier.drain();
    expect(await storage.notifications.listNotifications({ ownerId: OWNER })).toHaveLength(2);

    detach();
    bus.emit(failed(connection.id, clock.now(), { localId: 'inv-10' }));
    await notifier.drain();
    expect(await storage.notifications.listNotifications({ ownerId: OWNER })).toHaveLength(2);
  });
});
