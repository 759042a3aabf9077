import { describe, expect, it } from 'vitest';
import { createFakeSyncSetup, type FakeHost, FakeWireError } from '../testing/index';

function seedInvoice(
  host: FakeHost,
  options: { status?: 'DRAFT' | 'OPEN' | 'SENT' | 'VOID'; email?: string; sku?: string } = {},
) {
  const customerId = host.addCustomer({
    displayName: 'Acme Plumbing',
    email: options.email ?? 'ap@acme.test',
  });
  const itemId = host.addItem({
    name: 'Labour',
    sku: options.sku ?? 'LAB-1',
    unitPrice: { amount: 8000, currency: 'USD' },
    incomeAccount: { id: 'acc-income' },
  });
  const invoiceId = host.addInvoice({
    number: 'INV-1001',
    customer: { id: customerId },
    issueDate: '2026-01-05',
    dueDate: '2026-02-04',
    status: options.status ?? 'OPEN',
    currency: 'USD',
    lines: [
      {
        description: 'Repair, 1.5 h',
        item: { id: itemId },
        quantity: 1.5,
        unitPrice: { amount: 8000, currency: 'USD' },
        amount: { amount: 12000, currency: 'USD' },
      },
    ],
    total: { amount: 12000, currency: 'USD' },
    balance: { amount: 12000, currency: 'USD' },
  });
  return { customerId, itemId, invoiceId };
}

describe('invoice sync', () => {
  it('first sync pushes customer, item and invoice and stores the links', async () => {
    const s = await createFakeSyncSetup();
    const { customerId, itemId, invoiceId } = seedInvoice(s.host);

    const result = await s.engine.syncInvoice(s.connectionId, invoiceId);

    expect(result.status).toBe('synced');
    if (result.status !== 'synced') return;
    expect(result.action).toBe('created');
    expect(result.dependencies.map((d) => [d.entityType, d.action])).toEqual([
      ['customer', 'created'],
      ['item', 'created'],
    ]);
    const stored = s.fake.store.invoices.get(result.providerId);
    expect(stored?.data.total.amount).toBe(12000);
    expect(stored?.data.lines[0]?.quantity).toBe(1.5);
    const customerLink = await s.storage.links.findLinkByLocalId(s.connectionId, 'customer', customerId);
    const itemLink = await s.storage.links.findLinkByLocalId(s.connectionId, 'item', itemId);
    expect(stored?.data.customer.id).toBe(customerLink?.providerId);
    expect(stored?.data.lines[0]?.item?.id).toBe(itemLink?.providerId);
    const invoiceLink = await s.storage.links.findLinkByLocalId(s.connectionId, 'invoice', invoiceId);
    expect(invoiceLink?.providerId).toBe(result.providerId);
    expect(invoiceLink?.providerVersion).toBe('0');
    expect(
      s.events
        .filter((e) => e.type === 'sync.succeeded')
        .map((e) => e.type === 'sync.succeeded' && e.entityType),
    ).toEqual(['customer', 'item', 'invoice']);
  });

  it('links an existing provider customer with the same email instead of creating one', async () => {
    const s = await createFakeSyncSetup();
    const existing = await s.fake.provider.customers.create(s.fake.context(), {
      displayName: 'Acme (from books)',
      email: 'AP@Acme.test',
      companyName: null,
      givenName: null,
      familyName: null,
      phone: null,
      billingAddress: null,
      shippingAddress: null,
      currency: null,
      notes: null,
      externalIds: {},
      active: true,
    });
    const { invoiceId } = seedInvoice(s.host, { email: '  ap@acme.TEST ' });

    const result = await s.engine.syncInvoice(s.connectionId, invoiceId);

    expect(result.status === 'synced' && result.dependencies[0]).toMatchObject({
      action: 'linked',
      providerId: existing.providerId,
    });
    expect(s.fake.store.customers.size).toBe(1);
  });

  it('skips drafts with a reason and makes no provider call', async () => {
    const s = await createFakeSyncSetup();
    const { invoiceId } = seedInvoice(s.host, { status: 'DRAFT' });

    const result = await s.engine.syncInvoice(s.connectionId, invoiceId);

    expect(result).toMatchObject({ status: 'skipped', reason: 'draft' });
    expect(s.fake.calls).toEqual([]);
    expect(s.events.at(-1)).toMatchObject({
      type: 'sync.skipped',
      entityType: 'invoice',
      localId: invoiceId,
    });
  });

  it('skips a void invoice that was never synced', async () => {
    const s = await createFakeSyncSetup();
    const { invoiceId } = seedInvoice(s.host, { status: 'VOID' });
    expect(await s.engine.syncInvoice(s.connectionId, invoiceId)).toMatchObject({
      status: 'skipped',
      reason: 'void_not_synced',
    });
    expect(s.fake.calls).toEqual([]);
  });

  it('carries voiding of a synced invoice to the provider, once', async () => {
    const s = await createFakeSyncSetup();
    const { invoiceId } = seedInvoice(s.host);
    const first = await s.engine.syncInvoice(s.connectionId, invoiceId);
    s.host.updateInvoice(invoiceId, { status: 'VOID' });

    const voided = await s.engine.syncInvoice(s.connectionId, invoiceId);
    const again = await s.engine.syncInvoice(s.connectionId, invoiceId);

    expect(voided).toMatchObject({
      status: 'voided',
      providerId: first.status === 'synced' ? first.providerId : '',
    });
    expect(s.fake.store.invoices.get(first.status === 'synced' ? first.providerId : '')?.data.status).toBe(
      'VOID',
    );
    expect(again).toMatchObject({ status: 'skipped', reason: 'already_void' });
    expect(s.fake.count('invoices.void')).toBe(1);
  });

  it('reports void as unsupported where the provider cannot void', async () => {
    const s = await createFakeSyncSetup({ provider: { voidInvoices: false } });
    const { invoiceId } = seedInvoice(s.host);
    await s.engine.syncInvoice(s.connectionId, invoiceId);
    s.host.updateInvoice(invoiceId, { status: 'VOID' });

    const result = await s.engine.syncInvoice(s.connectionId, invoiceId);

    expect(result).toMatchObject({ status: 'skipped', reason: 'void_unsupported' });
    expect(result.status === 'skipped' && result.message).toContain('Fake Books');
  });

  it('resync updates with the version token and skips unchanged invoices', async () => {
    const s = await createFakeSyncSetup();
    const { invoiceId } = seedInvoice(s.host);
    await s.engine.syncInvoice(s.connectionId, invoiceId);

    const unchanged = await s.engine.syncInvoice(s.connectionId, invoiceId);
    expect(unchanged).toMatchObject({ status: 'synced', action: 'unchanged' });
    expect(s.fake.count('invoices.update')).toBe(0);

    s.host.updateInvoice(invoiceId, { memo: 'Thanks!' });
    const updated = await s.engine.syncInvoice(s.connectionId, invoiceId);
    expect(updated).toMatchObject({ status: 'synced', action: 'updated' });
    const link = await s.storage.links.findLinkByLocalId(s.connectionId, 'invoice', invoiceId);
    expect(link?.providerVersion).toBe('1');
    expect(s.fake.store.invoices.get(link?.providerId ?? '')?.data.memo).toBe('Thanks!');
  });

  it('on a stale version re-reads and retries exactly once', async () => {
    const s = await createFakeSyncSetup();
    const { invoiceId } = seedInvoice(s.host);
    await s.engine.syncInvoice(s.connectionId, invoiceId);
    s.host.updateInvoice(invoiceId, { memo: 'edited here' });
    s.fake.staleVersionNext('invoices.update');

    const result = await s.engine.syncInvoice(s.connectionId, invoiceId);

    expect(result).toMatchObject({ status: 'synced', action: 'updated' });
    expect(s.fake.count('invoices.update')).toBe(2);
    expect(s.fake.count('invoices.get')).toBe(1);
    const link = await s.storage.links.findLinkByLocalId(s.connectionId, 'invoice', invoiceId);
    expect(link?.providerVersion).toBe('2'); // someone else's edit (1) + ours (2)
  });

  it('fails as a conflict when the version is stale twice', async () => {
    const s = await createFakeSyncSetup();
    const { invoiceId } = seedInvoice(s.host);
    await s.engine.syncInvoice(s.connectionId, invoiceId);
    s.host.updateInvoice(invoiceId, { memo: 'edited here' });
    s.fake.faults.inject('invoices.update', { kind: 'stale-version' }, 2);

    const result = await s.engine.syncInvoice(s.connectionId, invoiceId);

    expect(result.status === 'failed' && result.failure.category).toBe('conflict');
    expect(s.fake.count('invoices.update')).toBe(2);
    expect(s.events.at(-1)).toMatchObject({
      type: 'sync.failed',
      category: 'conflict',
      entityType: 'invoice',
    });
  });

  it('resync pushes every payment not yet synced', async () => {
    const s = await createFakeSyncSetup();
    const { invoiceId } = seedInvoice(s.host);
    await s.engine.syncInvoice(s.connectionId, invoiceId);
    const first = s.host.addPayment({
      amount: { amount: 5000, currency: 'USD' },
      date: '2026-01-10',
      invoice: { id: invoiceId },
    });
    await s.engine.syncPayment(s.connectionId, first);
    s.host.addPayment({
      amount: { amount: 7000, currency: 'USD' },
      date: '2026-01-12',
      invoice: { id: invoiceId },
    });

    const result = await s.engine.syncInvoice(s.connectionId, invoiceId);

    expect(result.status === 'synced' && result.payments.map((p) => p.status)).toEqual([
      'already_synced',
      'synced',
    ]);
    expect(s.fake.store.payments.size).toBe(2);
    expect(s.fake.count('payments.create')).toBe(2);
    const invoiceLink = await s.storage.links.findLinkByLocalId(s.connectionId, 'invoice', invoiceId);
    expect(s.fake.store.invoices.get(invoiceLink?.providerId ?? '')?.data.balance.amount).toBe(0);
  });

  it('classifies a missing item account as missing_field with an action', async () => {
    const s = await createFakeSyncSetup({ provider: { requireIncomeAccount: true } });
    const customerId = s.host.addCustomer({ displayName: 'Bo', email: 'bo@x.test' });
    const itemId = s.host.addItem({ name: 'Gadget', unitPrice: { amount: 100, currency: 'USD' } });
    const invoiceId = s.host.addInvoice({
      customer: { id: customerId },
      issueDate: '2026-01-05',
      status: 'SENT',
      currency: 'USD',
      lines: [
        {
          item: { id: itemId },
          quantity: 1,
          unitPrice: { amount: 100, currency: 'USD' },
          amount: { amount: 100, currency: 'USD' },
        },
      ],
      total: { amount: 100, currency: 'USD' },
      balance: { amount: 100, currency: 'USD' },
    });

    const result = await s.engine.syncInvoice(s.connectionId, invoiceId);

    expect(result.status === 'failed' && result.failure).toMatchObject({
      category: 'missing_field',
      code: 'missing_field',
    });
    const failed = s.events.find((e) => e.type === 'sync.failed');
    expect(failed).toMatchObject({ entityType: 'invoice', localId: invoiceId, category: 'missing_field' });
    expect(failed?.type === 'sync.failed' && failed.action).toContain('income account');
    expect(s.fake.store.invoices.size).toBe(0);
  });

  it("fills a missing income account from the connection's settings", async () => {
    const s = await createFakeSyncSetup({
      provider: { requireIncomeAccount: true },
      settings: { incomeAccountId: 'acc-default' },
    });
    const customerId = s.host.addCustomer({ displayName: 'Bo' });
    const itemId = s.host.addItem({ name: 'Gadget' });
    const invoiceId = s.host.addInvoice({
      customer: { id: customerId },
      issueDate: '2026-01-05',
      status: 'OPEN',
      currency: 'USD',
      lines: [
        {
          item: { id: itemId },
          quantity: 1,
          unitPrice: { amount: 100, currency: 'USD' },
          amount: { amount: 100, currency: 'USD' },
        },
      ],
      total: { amount: 100, currency: 'USD' },
      balance: { amount: 100, currency: 'USD' },
    });
    expect((await s.engine.syncInvoice(s.connectionId, invoiceId)).status).toBe('synced');
    expect([...s.fake.store.items.values()][0]?.data.incomeAccount?.id).toBe('acc-default');
  });

  it('classifies a duplicate in the provider', async () => {
    const s = await createFakeSyncSetup();
    const { invoiceId } = seedInvoice(s.host);
    s.fake.duplicateNext('invoices.create');
    const result = await s.engine.syncInvoice(s.connectionId, invoiceId);
    expect(result.status === 'failed' && result.failure.category).toBe('duplicate');
    expect(result.status === 'failed' && result.failure.action).toMatch(/already exists/);
  });

  it('reports a connection that needs reconnecting without calling the provider', async () => {
    const s = await createFakeSyncSetup({ connectionStatus: 'needs_reconnect' });
    const { invoiceId } = seedInvoice(s.host);
    const result = await s.engine.syncInvoice(s.connectionId, invoiceId);
    expect(result.status === 'failed' && result.failure.category).toBe('needs_reconnect');
    expect(s.events.at(-1)).toMatchObject({
      type: 'sync.failed',
      category: 'needs_reconnect',
      connectionId: s.connectionId,
    });
    expect(s.fake.calls).toEqual([]);
  });

  it('classifies wire errors through the provider and rate limits as retryable', async () => {
    const s = await createFakeSyncSetup();
    const { invoiceId } = seedInvoice(s.host);
    s.fake.rateLimitNext('customers.findByEmail', 3000);
    const result = await s.engine.syncInvoice(s.connectionId, invoiceId);
    expect(result.status === 'failed' && result.failure).toMatchObject({
      category: 'rate_limited',
      retryable: true,
    });
    expect(result.status === 'failed' && result.failure.action).toContain('3 s');
  });

  it('never puts a token from a provider error message into events or results', async () => {
    const s = await createFakeSyncSetup();
    const { invoiceId } = seedInvoice(s.host);
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNlY3JldA';
    s.fake.failNext(
      'customers.findByEmail',
      new FakeWireError(500, 'x', `upstream echoed Authorization: Bearer ${token}`),
    );

    const result = await s.engine.syncInvoice(s.connectionId, invoiceId);

    expect(result.status === 'failed' && result.failure.category).toBe('provider_error');
    expect(JSON.stringify(s.events)).not.toContain(token);
    expect(result.status === 'failed' && result.failure.message).not.toContain(token);
  });
  it('a customer create whose response was lost is not duplicated on the next sync (same idempotency key)', async () => {
    const s = await createFakeSyncSetup();
    const { invoiceId } = seedInvoice(s.host);
    // No email: the retry cannot find the customer by email, only the idempotency key protects it.
    const customerId = s.host.addCustomer({ displayName: 'Walk-in client' });
    const invoice = s.host.invoices.get(invoiceId)!;
    s.host.invoices.set(invoiceId, { ...invoice, customer: { id: customerId, name: null } });
    s.fake.loseNextResponse('customers.create');

    const first = await s.engine.syncInvoice(s.connectionId, invoiceId);
    expect(first.status).toBe('failed');
    const second = await s.engine.syncInvoice(s.connectionId, invoiceId);

    expect(second.status === 'failed' ? second.failure : null).toBeNull();
    expect(second.status).toBe('synced');
    const named = [...s.fake.store.customers.values()].filter((c) => c.data.displayName === 'Walk-in client');
    expect(named).toHaveLength(1);
    expect(s.fake.count('customers.create')).toBe(2);
  });
});
