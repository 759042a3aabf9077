import { expect } from 'vitest';
import type { ConnectionHealth } from '../../storage/index';
import { defineConnectionGrantTests } from './connection-grants';
import { defineConnectionSettingsTests } from './connection-settings';
import {
  CONCURRENCY,
  expectErrorCode,
  LONG_TTL_MS,
  newConnection,
  raceAcross,
  type SuiteContext,
  sealedTokens,
  sleep,
  unique,
} from './harness';
import { CONNECTION_TESTS } from './names';
import { defineOwnerScopeTests } from './owner-scope';

/** Enough for distinct createdAt values on stores with millisecond (or coarser server) timestamps. */
const CREATE_GAP_MS = 15;

export function defineConnectionTests(ctx: SuiteContext): void {
  defineBasicConnectionTests(ctx);
  defineConnectionSettingsTests(ctx);
  defineOwnerScopeTests(ctx);
  defineConnectionGrantTests(ctx);
}

function defineBasicConnectionTests(ctx: SuiteContext): void {
  ctx.test(CONNECTION_TESTS.create, async () => {
    const input = newConnection();
    const before = Date.now();
    const created = await ctx.storage().connections.createConnection(input);
    expect(created.id).toEqual(expect.any(String));
    expect(created.id.length).toBeGreaterThan(0);
    expect(created).toMatchObject({
      provider: input.provider,
      ownerId: input.ownerId,
      tenantId: input.tenantId,
      status: input.status,
      tokens: input.tokens,
      metadata: input.metadata,
      settings: {},
      grantId: null,
      version: 1,
    });
    expect(created.health).toEqual({
      status: 'healthy',
      lastSuccessAt: null,
      lastErrorAt: null,
      lastError: null,
      consecutiveFailures: 0,
    });
    expect(created.createdAt).toBeGreaterThanOrEqual(before - 5_000);
    expect(created.updatedAt).toBe(created.createdAt);
    const [other] = await ctx.instances(1);
    expect(await other!.connections.getConnection(created.id)).toEqual(created);

    // Defaults: pending, no tenant, no tokens, empty metadata and settings, own tokens; an explicit id is kept.
    const id = unique('conn');
    const bare = await ctx.storage().connections.createConnection({ id, provider: 'xero', ownerId: 'o' });
    expect(bare).toMatchObject({
      id,
      status: 'pending',
      tenantId: null,
      tokens: null,
      metadata: {},
      settings: {},
      grantId: null,
      version: 1,
    });
    expect(await other!.connections.getConnection(id)).toMatchObject({ settings: {}, grantId: null });
  });

  ctx.test(CONNECTION_TESTS.createDuplicate, async () => {
    const id = unique('conn');
    const first = await ctx.storage().connections.createConnection(newConnection({ id }));
    await expectErrorCode(
      ctx.storage().connections.createConnection(newConnection({ id, provider: 'wave' })),
      'conflict',
    );
    expect(await ctx.storage().connections.getConnection(id)).toEqual(first);

    const racedId = unique('conn');
    const instances = [ctx.storage(), ...(await ctx.instances(3))];
    const results = await raceAcross(instances, CONCURRENCY, (storage) =>
      storage.connections.createConnection(newConnection({ id: racedId })),
    );
    const created = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(created).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') await expectErrorCode(Promise.reject(result.reason), 'conflict');
    }
    expect(await ctx.storage().connections.getConnection(racedId)).toEqual(created[0]);
  });

  ctx.test(CONNECTION_TESTS.getUnknown, async () => {
    expect(await ctx.storage().connections.getConnection(unique('missing'))).toBeNull();
  });

  ctx.test(CONNECTION_TESTS.list, async () => {
    const ownerId = unique('owner');
    const { connections } = ctx.storage();
    const qbo = await connections.createConnection(newConnection({ ownerId, provider: 'quickbooks' }));
    await sleep(CREATE_GAP_MS);
    const xero = await connections.createConnection(newConnection({ ownerId, provider: 'xero' }));
    await sleep(CREATE_GAP_MS);
    const wave = await connections.createConnection(
      newConnection({ ownerId, provider: 'wave', status: 'needs_reconnect' }),
    );
    await connections.createConnection(newConnection({ provider: 'xero' })); // another owner

    const ids = (list: { id: string }[]) => list.map((c) => c.id);
    expect(ids(await connections.listConnections({ ownerId }))).toEqual([wave.id, xero.id, qbo.id]);
    expect(ids(await connections.listConnections({ ownerId, provider: 'xero' }))).toEqual([xero.id]);
    expect(ids(await connections.listConnections({ ownerId, status: 'needs_reconnect' }))).toEqual([wave.id]);
    expect(ids(await connections.listConnections({ ownerId, status: 'active' }))).toEqual([xero.id, qbo.id]);
    expect(await connections.listConnections({ ownerId: unique('nobody') })).toEqual([]);
    const all = ids(await connections.listConnections());
    expect(all).toEqual(expect.arrayContaining([wave.id, xero.id, qbo.id]));
  });

  ctx.test(CONNECTION_TESTS.update, async () => {
    const { connections } = ctx.storage();
    const created = await connections.createConnection(newConnection());
    await sleep(CREATE_GAP_MS);
    const tokens = sealedTokens({ refreshToken: null, scope: null });
    const updated = await connections.updateConnection(
      created.id,
      { tokens, status: 'needs_reconnect', metadata: { companyName: 'Renamed Ltd' } },
      { expectedVersion: 1 },
    );
    expect(updated).toMatchObject({
      id: created.id,
      tokens,
      status: 'needs_reconnect',
      metadata: { companyName: 'Renamed Ltd' },
      tenantId: created.tenantId,
      version: 2,
      createdAt: created.createdAt,
    });
    expect(updated.updatedAt).toBeGreaterThan(created.updatedAt);
    expect(await connections.getConnection(created.id)).toEqual(updated);

    // undefined leaves a field alone, null clears it.
    const cleared = await connections.updateConnection(
      created.id,
      { tenantId: null, tokens: null },
      { expectedVersion: 2 },
    );
    expect(cleared).toMatchObject({ tenantId: null, tokens: null, status: 'needs_reconnect', version: 3 });
    expect(cleared.metadata).toEqual({ companyName: 'Renamed Ltd' });
  });

  ctx.test(CONNECTION_TESTS.staleVersion, async () => {
    const { connections } = ctx.storage();
    const created = await connections.createConnection(newConnection());
    await connections.updateConnection(created.id, { status: 'active' }, { expectedVersion: 1 });
    const staleTokens = sealedTokens();
    const error = await expectErrorCode(
      connections.updateConnection(created.id, { tokens: staleTokens }, { expectedVersion: 1 }),
      'conflict',
    );
    // Error text is shown and logged: it must never carry a sealed token.
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(
      staleTokens.accessToken,
    );
    const stored = await connections.getConnection(created.id);
    expect(stored?.version).toBe(2);
    expect(stored?.tokens).toEqual(created.tokens);
  });

  ctx.test(CONNECTION_TESTS.concurrentCas, async () => {
    const created = await ctx.storage().connections.createConnection(newConnection());
    const instances = [ctx.storage(), ...(await ctx.instances(3))];
    const attempts = Array.from({ length: CONCURRENCY }, () => sealedTokens());
    const results = await raceAcross(instances, CONCURRENCY, (storage, index) =>
      storage.connections.updateConnection(
        created.id,
        { tokens: attempts[index]! },
        { expectedVersion: created.version },
      ),
    );
    const winners = results.flatMap((r, index) => (r.status === 'fulfilled' ? [index] : []));
    expect(winners).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') {
        await expectErrorCode(Promise.reject(result.reason), 'conflict');
      }
    }
    const stored = await ctx.storage().connections.getConnection(created.id);
    expect(stored?.version).toBe(created.version + 1);
    expect(stored?.tokens).toEqual(attempts[winners[0]!]);
  });

  ctx.test(CONNECTION_TESTS.updateUnknown, async () => {
    const id = unique('missing');
    await expectErrorCode(
      ctx.storage().connections.updateConnection(id, { status: 'active' }, { expectedVersion: 1 }),
      'conflict',
    );
    expect(await ctx.storage().connections.getConnection(id)).toBeNull();
  });

  ctx.test(CONNECTION_TESTS.health, async () => {
    const { connections } = ctx.storage();
    const [other] = await ctx.instances(1);
    const created = await connections.createConnection(newConnection());
    const degraded: ConnectionHealth = {
      status: 'degraded',
      lastSuccessAt: Date.now() - 60_000,
      lastErrorAt: Date.now(),
      lastError: { category: 'rate_limited', message: 'QuickBooks throttled the request' },
      consecutiveFailures: 2,
    };
    expect(await connections.setConnectionHealth(created.id, degraded)).toBe(true);
    const afterHealth = await other!.connections.getConnection(created.id);
    expect(afterHealth?.health).toEqual(degraded);
    expect(afterHealth?.version).toBe(created.version);

    // A token write at the pre-health version still succeeds: health never conflicts with token writes.
    const updated = await other!.connections.updateConnection(
      created.id,
      { status: 'active' },
      { expectedVersion: created.version },
    );
    expect(updated.health).toEqual(degraded);

    const healthy: ConnectionHealth = {
      status: 'healthy',
      lastSuccessAt: Date.now(),
      lastErrorAt: degraded.lastErrorAt,
      lastError: null,
      consecutiveFailures: 0,
    };
    expect(await connections.setConnectionHealth(created.id, healthy)).toBe(true);
    const final = await connections.getConnection(created.id);
    expect(final?.health).toEqual(healthy);
    expect(final?.version).toBe(updated.version);
    expect(await connections.setConnectionHealth(unique('missing'), healthy)).toBe(false);
  });

  ctx.test(CONNECTION_TESTS.delete, async () => {
    const storage = ctx.storage();
    const created = await storage.connections.createConnection(newConnection());
    const kept = await storage.connections.createConnection(newConnection({ ownerId: created.ownerId }));
    const link = {
      entityType: 'customer' as const,
      localId: unique('cust'),
      providerId: unique('qbo'),
      providerVersion: '0',
      contentHash: null,
      lastSyncedAt: Date.now(),
    };
    await storage.links.upsertLink({ ...link, connectionId: created.id });
    await storage.links.upsertLink({ ...link, connectionId: kept.id });
    await storage.syncState.setCursor(created.id, 'invoice', 'cursor-1');
    await storage.syncState.setCursor(kept.id, 'invoice', 'cursor-kept');
    const ledgerKey = unique('ledger');
    await storage.ledger.claim({
      key: ledgerKey,
      connectionId: created.id,
      operation: 'payment.create',
      requestId: unique('req'),
      reference: unique('ref'),
      ttlMs: LONG_TTL_MS,
    });
    const notification = await storage.notifications.appendNotification({
      ownerId: created.ownerId,
      connectionId: created.id,
      type: 'sync.failed',
      severity: 'error',
      category: 'network',
      entityType: null,
      localId: null,
      message: 'Could not reach QuickBooks',
      action: null,
      data: {},
    });

    expect(await storage.connections.deleteConnection(created.id)).toBe(true);
    expect(await storage.connections.getConnection(created.id)).toBeNull();
    expect(await storage.links.findLinkByLocalId(created.id, 'customer', link.localId)).toBeNull();
    expect(await storage.links.findLinkByProviderId(created.id, 'customer', link.providerId)).toBeNull();
    expect(await storage.syncState.getCursor(created.id, 'invoice')).toBeNull();
    expect(await storage.ledger.getEntry(ledgerKey)).toBeNull();
    const notifications = await storage.notifications.listNotifications({ ownerId: created.ownerId });
    expect(notifications.map((n) => n.id)).toEqual([notification.id]);
    // Only that connection's data went.
    expect(await storage.connections.getConnection(kept.id)).not.toBeNull();
    expect(await storage.links.findLinkByLocalId(kept.id, 'customer', link.localId)).not.toBeNull();
    expect(await storage.syncState.getCursor(kept.id, 'invoice')).toBe('cursor-kept');
    expect(await storage.connections.deleteConnection(created.id)).toBe(false);
  });

  ctx.test(CONNECTION_TESTS.copies, async () => {
    const { connections } = ctx.storage();
    const input = newConnection({ metadata: { companyName: 'Original' } });
    const created = await connections.createConnection(input);
    (input.metadata as Record<string, unknown>).companyName = 'Mutated input';
    created.metadata.companyName = 'Mutated output';
    created.tokens!.accessToken = 'mutated';
    const stored = await connections.getConnection(created.id);
    expect(stored?.metadata).toEqual({ companyName: 'Original' });
    expect(stored?.tokens?.accessToken).toBe(input.tokens!.accessToken);
    const listed = await connections.listConnections({ ownerId: input.ownerId });
    listed[0]!.metadata.companyName = 'Mutated list';
    expect((await connections.getConnection(created.id))?.metadata).toEqual({ companyName: 'Original' });
  });
}
