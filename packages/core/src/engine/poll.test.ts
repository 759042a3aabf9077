import { describe, expect, it } from 'vitest';
import { ConfigurationError, ProviderError } from '../errors/index';
import { defineProvider } from '../provider/spec';
import { createFakeSyncSetup } from '../testing/index';
import { createSyncEngine } from './engine';

const DAY_MS = 24 * 3_600_000;

/** The fake posing as Xero: webhooks for customers and invoices only, payments polled, a daily budget. */
async function xeroLikeSetup() {
  const s = await createFakeSyncSetup();
  const base = s.fake.provider;
  const provider = defineProvider({
    ...base,
    capabilities: {
      ...base.capabilities,
      webhooks: { supported: true, entities: ['customer', 'invoice'], paymentEvents: 'poll' },
      limits: { requestsPerMinute: 60, concurrency: 5, requestsPerDay: 1000 },
    },
  });
  const engine = createSyncEngine<unknown>({
    providers: { [provider.id]: provider },
    storage: s.storage,
    host: s.host,
    clock: s.clock,
    contextFor: (c) => ({ connectionId: c.id, tenantId: c.tenantId ?? '', http: null }),
  });
  return { ...s, engine };
}

function addOpenInvoice(s: Awaited<ReturnType<typeof createFakeSyncSetup>>) {
  const customerId = s.host.addCustomer({ displayName: 'Acme' });
  return s.host.addInvoice({
    customer: { id: customerId },
    issueDate: '2026-01-05',
    status: 'OPEN',
    currency: 'USD',
    lines: [
      {
        quantity: 1,
        unitPrice: { amount: 5000, currency: 'USD' },
        amount: { amount: 5000, currency: 'USD' },
      },
    ],
    total: { amount: 5000, currency: 'USD' },
    balance: { amount: 5000, currency: 'USD' },
  });
}

describe('poll plan for providers that send no payment events', () => {
  it('plans what webhooks do not cover, within a tenth of the daily budget', async () => {
    const s = await xeroLikeSetup();
    const plan = await s.engine.pollPlan(s.connectionId);
    expect(plan.entityTypes).toEqual(['item', 'payment']);
    // 1,000 requests/day, a tenth for polling, two entities: every 28.8 minutes (longer than the 15-minute default).
    expect(plan.intervalMs).toBe(Math.ceil(DAY_MS / 50));
    expect(plan.reason).toContain('no events for item, payment');
  });

  it('has nothing to poll when webhooks cover every pulled entity', async () => {
    const s = await createFakeSyncSetup();
    expect(await s.engine.pollPlan(s.connectionId)).toMatchObject({ entityTypes: [], intervalMs: null });
  });

  it('a poll notices a payment made in the provider and marks the invoice paid', async () => {
    const s = await xeroLikeSetup();
    const invoiceId = addOpenInvoice(s);
    const synced = await s.engine.syncInvoice(s.connectionId, invoiceId);
    if (synced.status !== 'synced') throw new Error('invoice did not sync');
    await s.fake.provider.payments?.create(
      s.fake.context(),
      {
        amount: { amount: 5000, currency: 'USD' },
        date: '2026-01-07',
        method: 'card',
        invoice: { id: synced.providerId, name: null },
        customer: null,
        reference: 'PAID-IN-XERO',
        memo: null,
      },
      { reference: 'PAID-IN-XERO' },
    );
    const summary = await s.engine.poll(s.connectionId);
    expect(summary.pulls.map((pull) => [pull.entityType, pull.failure])).toEqual([
      ['item', null],
      ['payment', null],
    ]);
    expect(summary.pulls[1]).toMatchObject({ changes: 1, applied: 1 });
    expect(s.host.invoices.get(invoiceId)?.status).toBe('PAID');
    expect(summary.nextPollAt).toBe(s.clock.now() + Math.ceil(DAY_MS / 50));
    // The cursor moved: the next poll finds nothing new.
    const again = await s.engine.poll(s.connectionId);
    expect(again.pulls[1]).toMatchObject({ changes: 0 });
  });

  it("clamps a first pull's since to the provider's lookback window and says so", async () => {
    const s = await createFakeSyncSetup();
    const ninetyDaysAgo = s.clock.now() - 90 * DAY_MS;
    const pull = await s.engine.pullChanges(s.connectionId, 'invoice', { since: ninetyDaysAgo });
    expect(pull.failure).toBeNull();
    expect(pull.sinceClampedTo).toBe(s.clock.now() - 30 * DAY_MS);
    const recent = await createFakeSyncSetup();
    const fine = await recent.engine.pullChanges(recent.connectionId, 'invoice', {
      since: recent.clock.now() - DAY_MS,
    });
    expect(fine.sinceClampedTo).toBeUndefined();
  });
});

describe('routing by provider', () => {
  it('reports a connection of a provider the app does not configure as a typed failure naming the configured ones', async () => {
    const s = await createFakeSyncSetup();
    const stranger = await s.storage.connections.createConnection({
      provider: 'acme-books',
      ownerId: 'owner-1',
      tenantId: 't-9',
      status: 'active',
    });
    const result = await s.engine.syncInvoice(stranger.id, 'inv-1');
    expect(result).toMatchObject({ status: 'failed', failure: { code: 'config_invalid' } });
    expect(result.status === 'failed' && result.failure.message).toContain('configured with: quickbooks');
    expect(s.events.some((event) => event.type === 'sync.failed' && event.connectionId === stranger.id)).toBe(
      true,
    );
    await expect(s.engine.pollPlan(stranger.id)).rejects.toSatisfy(ConfigurationError.isInstance);
  });

  it('refuses a webhook for a provider it does not serve', async () => {
    const s = await createFakeSyncSetup();
    await expect(
      s.engine.handleWebhook('xero', { rawBody: '{}', headers: {}, secret: 's' }),
    ).rejects.toSatisfy(ConfigurationError.isInstance);
  });
});

describe('capabilities the engine reads', () => {
  it('polls a provider without a change filter (page-scan) four times less often', async () => {
    const s = await createFakeSyncSetup({ provider: { webhooks: false } });
    const base = s.fake.provider;
    const scan = defineProvider({
      ...base,
      capabilities: {
        ...base.capabilities,
        incrementalPull: { ...base.capabilities.incrementalPull, strategy: 'page-scan' },
      },
    });
    const engine = createSyncEngine<unknown>({
      providers: { [scan.id]: scan },
      storage: s.storage,
      host: s.host,
      clock: s.clock,
      contextFor: (c) => ({ connectionId: c.id, tenantId: c.tenantId ?? '', http: null }),
    });
    expect((await s.engine.pollPlan(s.connectionId)).intervalMs).toBe(15 * 60_000);
    expect((await engine.pollPlan(s.connectionId)).intervalMs).toBe(60 * 60_000);
  });

  it('retries a conflicting update of an unversioned provider once, without a pointless re-read', async () => {
    const s = await createFakeSyncSetup({ provider: { versionedUpdates: false } });
    const invoiceId = addOpenInvoice(s);
    expect((await s.engine.syncInvoice(s.connectionId, invoiceId)).status).toBe('synced');
    s.host.updateInvoice(invoiceId, { memo: 'changed here' });
    s.fake.failNext(
      'invoices.update',
      new ProviderError('conflict', 'modified concurrently', { status: 409 }),
    );
    const before = { get: s.fake.count('invoices.get'), update: s.fake.count('invoices.update') };
    expect((await s.engine.syncInvoice(s.connectionId, invoiceId)).status).toBe('synced');
    expect(s.fake.count('invoices.update') - before.update).toBe(2);
    expect(s.fake.count('invoices.get') - before.get).toBe(0);
  });
});
