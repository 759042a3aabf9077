import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/index';
import { createManualClock } from '../runtime/index';
import { createMemoryStorage } from '../storage/memory/index';
import { createNotificationFeed } from './feed';
import { createSyncNotifier } from './notifier';

const HOUR = 60 * 60 * 1000;

async function setup() {
  const clock = createManualClock();
  const storage = createMemoryStorage({ clock });
  const qbo = await storage.connections.createConnection({ provider: 'quickbooks', ownerId: 'acme' });
  const xero = await storage.connections.createConnection({ provider: 'xero', ownerId: 'acme' });
  const other = await storage.connections.createConnection({ provider: 'wave', ownerId: 'globex' });
  const notifier = createSyncNotifier({ providerNames: { quickbooks: 'QuickBooks' }, storage, clock });
  const fail = (
    connectionId: string,
    localId: string,
    category: 'missing_field' | 'duplicate' = 'missing_field',
  ) =>
    notifier.handle({
      type: 'sync.failed',
      ownerId: connectionId === other.id ? 'globex' : 'acme',
      connectionId,
      provider: connectionId === qbo.id ? 'quickbooks' : connectionId === xero.id ? 'xero' : 'wave',
      at: clock.now(),
      entityType: 'customer',
      localId,
      category,
      code: category,
      message: `Customer ${localId} failed`,
      action: '',
      retryable: false,
    });
  return { clock, storage, qbo, xero, other, notifier, fail };
}

describe('recentFailuresBanner', () => {
  it('lists unread failures in the window, newest first, per owner, with a total count beyond the limit', async () => {
    const { clock, notifier, fail, qbo, xero, other } = await setup();
    await fail(qbo.id, 'old');
    clock.advance(3 * HOUR);
    await fail(qbo.id, 'c-1');
    clock.advance(1000);
    await fail(xero.id, 'c-2', 'duplicate');
    clock.advance(1000);
    await fail(qbo.id, 'c-3');
    await fail(other.id, 'foreign');

    const banner = await notifier.recentFailuresBanner({ ownerId: 'acme', windowMs: 2 * HOUR, limit: 2 });
    expect(banner.count).toBe(3);
    expect(banner.items.map((item) => item.localId)).toEqual(['c-3', 'c-2']);
    expect(banner.items[1]).toMatchObject({
      providerName: 'Xero',
      title: 'Duplicate customer in Xero',
      action:
        'A matching customer already exists in Xero. Link to it or rename this customer, then sync again.',
    });
    expect(banner.connectionsNeedingReconnect).toEqual([]);
  });

  it('drops a line once it is marked read, and shows it again with includeRead', async () => {
    const { notifier, fail, qbo } = await setup();
    await fail(qbo.id, 'c-1');
    await fail(qbo.id, 'c-2');
    const before = await notifier.recentFailuresBanner({ ownerId: 'acme' });
    const line = before.items.find((item) => item.localId === 'c-1');
    expect(line).toBeDefined();

    expect(await notifier.markRead('globex', line?.notificationIds ?? [])).toBe(0);
    expect(await notifier.markRead('acme', line?.notificationIds ?? [])).toBe(1);
    const after = await notifier.recentFailuresBanner({ ownerId: 'acme' });
    expect(after.items.map((item) => item.localId)).toEqual(['c-2']);
    expect((await notifier.recentFailuresBanner({ ownerId: 'acme', includeRead: true })).count).toBe(2);
    const listed = await notifier.listNotifications({ ownerId: 'acme', unreadOnly: true });
    expect(listed.map((n) => n.localId)).toEqual(['c-2']);
  });

  it('folds copies of one burst stored by different processes into one line', async () => {
    const { clock, storage, qbo } = await setup();
    const base = {
      ownerId: 'acme',
      connectionId: qbo.id,
      type: 'sync.failed',
      severity: 'warning' as const,
      category: 'rate_limited',
      entityType: null,
      localId: null,
      message: 'Throttled',
      action: 'QuickBooks asked us to slow down.',
    };
    const dedupeKey = `acme|${qbo.id}|rate_limited`;
    const first = await storage.notifications.appendNotification({
      ...base,
      data: { dedupeKey, provider: 'quickbooks' },
    });
    clock.advance(10);
    const second = await storage.notifications.appendNotification({
      ...base,
      data: { dedupeKey, provider: 'quickbooks' },
    });
    await storage.notifications.recordRepeat('acme', first.id, clock.now());
    await storage.notifications.recordRepeat('acme', first.id, clock.now() + 5);
    await storage.notifications.recordRepeat('acme', second.id, clock.now() + 1);

    const banner = await createNotificationFeed({ storage, clock }).recentFailuresBanner({ ownerId: 'acme' });
    expect(banner.count).toBe(1);
    expect(banner.occurrences).toBe(5);
    expect(banner.items[0]?.notificationIds).toHaveLength(2);
    expect(banner.items[0]).toMatchObject({ firstAt: first.createdAt, lastAt: clock.now() + 5 });
  });
});

describe('connection health read side', () => {
  it('returns health per connection, scoped to its owner, without token material', async () => {
    const { storage, notifier, fail, qbo, other } = await setup();
    await storage.connections.updateConnection(
      qbo.id,
      {
        status: 'active',
        tokens: {
          accessToken: 'sealed-envelope-access',
          refreshToken: 'sealed-envelope-refresh',
          accessTokenExpiresAt: 1,
          refreshTokenExpiresAt: null,
          refreshTokenIssuedAt: null,
          scope: null,
        },
      },
      { expectedVersion: 1 },
    );
    await fail(qbo.id, 'c-1');

    expect((await notifier.getConnectionHealth(qbo.id))?.status).toBe('degraded');
    expect(await notifier.getConnectionHealth(qbo.id, { ownerId: 'globex' })).toBeNull();
    expect(await notifier.getConnectionHealth('missing')).toBeNull();

    const list = await notifier.listConnectionHealth({ ownerId: 'acme' });
    expect(list.map((c) => c.providerName).sort()).toEqual(['QuickBooks', 'Xero']);
    expect(list.find((c) => c.connectionId === qbo.id)).toMatchObject({
      connectionStatus: 'active',
      health: { status: 'degraded', consecutiveFailures: 1 },
      action: null,
    });
    expect(JSON.stringify(list)).not.toContain('sealed-envelope');
    expect((await notifier.listConnectionHealth({ ownerId: 'acme', provider: 'xero' })).length).toBe(1);
    expect((await notifier.listConnectionHealth({ ownerId: 'globex' }))[0]?.connectionId).toBe(other.id);
  });
});

describe('owner-scoped reads fail closed', () => {
  it("a missing owner is a typed error, never every owner's connections or notifications", async () => {
    const { notifier, other } = await setup();
    const missing: unknown[] = [undefined, null, '', '   ', 42];
    for (const ownerId of missing) {
      const asOwner = ownerId as string;
      for (const read of [
        () => notifier.listConnectionHealth({ ownerId: asOwner }),
        () => notifier.recentFailuresBanner({ ownerId: asOwner }),
        () => notifier.listNotifications({ ownerId: asOwner }),
        () => notifier.markRead(asOwner, ['n-1']),
        () => notifier.getConnectionHealth(other.id, { ownerId: asOwner }),
      ]) {
        const error = await read().catch((e: unknown) => e);
        expect(ValidationError.isInstance(error), String(ownerId)).toBe(true);
        expect((error as ValidationError).issues[0]?.path).toBe('ownerId');
      }
    }
    // The owner's own reads still work, and only show that owner's connections.
    const own = await notifier.listConnectionHealth({ ownerId: 'acme' });
    expect(own.map((c) => c.provider).sort()).toEqual(['quickbooks', 'xero']);
  });
});
