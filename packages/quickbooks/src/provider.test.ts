import {
  BlueClerkError,
  type Customer,
  type Invoice,
  type Item,
  MissingFieldError,
  money,
  parseCustomer,
  parseInvoice,
  parseItem,
} from '@blueclerk/core';
import { describe, expect, it } from 'vitest';
import { useProviderHarness } from './test-support';

const start = useProviderHarness();

const customer = (name: string, email: string | null = null): Customer =>
  parseCustomer({ displayName: name, email });
const item = (name: string, extra: Partial<Item> = {}): Item =>
  parseItem({ name, unitPrice: money(7500, 'USD'), sku: `SKU-${name}`, ...extra });
function invoice(customerId: string, itemId: string, number: string | null): Invoice {
  return parseInvoice({
    number,
    customer: { id: customerId },
    issueDate: '2026-01-02',
    dueDate: '2026-02-01',
    status: 'OPEN',
    currency: 'USD',
    lines: [
      {
        description: 'Repair',
        item: { id: itemId },
        quantity: '1.5',
        unitPrice: money(8033, 'USD'),
        amount: money(12050, 'USD'),
        taxCode: { id: 'TAX' },
      },
    ],
    total: money(12050, 'USD'),
    balance: money(12050, 'USD'),
  });
}

async function expectError(promise: Promise<unknown>): Promise<BlueClerkError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(BlueClerkError.isInstance(error)).toBe(true);
  return error as BlueClerkError;
}

describe('QuickBooks provider: customers and items', () => {
  it('creates, finds by email, updates with SyncToken and reports stale versions as conflict', async () => {
    const { provider, ctx, sim } = start();
    const created = await provider.customers.create(ctx, customer('Acme Plumbing', 'Ops@Acme.test'));
    expect(created).toMatchObject({
      version: '0',
      data: { displayName: 'Acme Plumbing', email: 'Ops@Acme.test' },
    });
    expect(created.updatedAt).toBeTypeOf('number');
    const found = await provider.customers.findByEmail(ctx, ' ops@acme.TEST ');
    expect(found.map((r) => r.providerId)).toEqual([created.providerId]);

    const updated = await provider.customers.update(
      ctx,
      created.providerId,
      { ...created.data, phone: '555-0100' },
      {
        version: '0',
      },
    );
    expect(updated).toMatchObject({ version: '1', data: { phone: '555-0100' } });
    const stale = await expectError(
      provider.customers.update(ctx, created.providerId, created.data, { version: '0' }),
    );
    expect(stale).toMatchObject({ code: 'conflict', providerCode: '5010' });
    expect(await provider.customers.get(ctx, '999')).toBeNull();

    const dup = await expectError(provider.customers.create(ctx, customer('acme plumbing')));
    expect(dup).toMatchObject({ code: 'duplicate', providerCode: '6240' });
    expect(sim.stats().minorVersions).toEqual(['75']);
  });

  it('pages lists with a cursor and a total, oldest first', async () => {
    const { provider, ctx, sim } = start();
    for (let i = 0; i < 5; i += 1) sim.realm().create('Customer', { DisplayName: `C${i}` });
    const first = await provider.customers.list(ctx, { pageSize: 2 });
    expect(first.total).toBe(5);
    expect(first.records.map((r) => r.data.displayName)).toEqual(['C0', 'C1']);
    const second = await provider.customers.list(ctx, { pageSize: 2, cursor: first.nextCursor });
    const third = await provider.customers.list(ctx, { pageSize: 2, cursor: second.nextCursor });
    expect(third.records.map((r) => r.data.displayName)).toEqual(['C4']);
    expect(third.nextCursor).toBeNull();
  });

  it('refuses an item without income account before calling QuickBooks; finds items by SKU and name', async () => {
    const { provider, ctx, sim } = start({ settings: { defaultIncomeAccountId: undefined } });
    await expect(provider.items.create(ctx, item('Repair'))).rejects.toBeInstanceOf(MissingFieldError);
    expect(sim.stats().requests).toBe(0);
    const created = await provider.items.create(
      ctx,
      item('Repair', { incomeAccount: { id: '79', code: null, name: null } }),
    );
    expect(created.data).toMatchObject({
      name: 'Repair',
      unitPrice: { amount: 7500, currency: 'USD' },
      sku: 'SKU-Repair',
    });
    expect((await provider.items.findBySku(ctx, 'SKU-Repair')).map((r) => r.providerId)).toEqual([
      created.providerId,
    ]);
    expect((await provider.items.findByName(ctx, 'repair')).map((r) => r.providerId)).toEqual([
      created.providerId,
    ]);
  });
});

describe('QuickBooks provider: invoices and payments', () => {
  async function seed(start_: ReturnType<typeof start>) {
    const { provider, ctx } = start_;
    const c = await provider.customers.create(ctx, customer('Acme'));
    const i = await provider.items.create(ctx, item('Repair'));
    return { c, i };
  }

  it('creates invoices with a requestid; QuickBooks totals come back as exact Money; numbers are unique', async () => {
    const h = start({ settings: { invoiceTaxCodeId: '2' } });
    const { c, i } = await seed(h);
    const created = await h.provider.invoices.create(h.ctx, invoice(c.providerId, i.providerId, 'INV-1'));
    // 120.50 taxable at 8% = 9.64
    expect(created.data).toMatchObject({
      number: 'INV-1',
      status: 'OPEN',
      total: { amount: 13014, currency: 'USD' },
      taxTotal: { amount: 964, currency: 'USD' },
      balance: { amount: 13014, currency: 'USD' },
    });
    expect(created.data.lines[0]).toMatchObject({
      quantity: 1.5,
      amount: { amount: 12050 },
      item: { id: i.providerId },
    });
    expect(h.sim.realm().requestIds()).toHaveLength(3);
    expect((await h.provider.invoices.findByNumber(h.ctx, 'INV-1'))?.providerId).toBe(created.providerId);
    const dup = await expectError(
      h.provider.invoices.create(h.ctx, invoice(c.providerId, i.providerId, 'INV-1')),
    );
    expect(dup).toMatchObject({ code: 'duplicate', providerCode: '6140' });
  });

  it('a create whose response was lost is retried with the same requestid and exists once', async () => {
    const h = start();
    const { c, i } = await seed(h);
    h.sim.faults.inject({ kind: 'lose_response', match: { method: 'POST', path: '/invoice' } });
    const created = await h.provider.invoices.create(h.ctx, invoice(c.providerId, i.providerId, 'INV-9'));
    expect(created.data.number).toBe('INV-9');
    expect(h.sim.realm().list('Invoice')).toHaveLength(1);
    expect(h.sim.stats()).toMatchObject({ replayed: 1, faultsFired: 1 });
  });

  it('voids an invoice and maps it back as VOID', async () => {
    const h = start();
    const { c, i } = await seed(h);
    const created = await h.provider.invoices.create(h.ctx, invoice(c.providerId, i.providerId, null));
    const voided = await h.provider.invoices.void?.(h.ctx, created.providerId, { version: created.version });
    expect(voided?.data).toMatchObject({ status: 'VOID', total: { amount: 0 }, balance: { amount: 0 } });
  });

  it('posts payments with our reference, finds them again by reference and lists them per invoice', async () => {
    const h = start();
    const { c, i } = await seed(h);
    const inv = await h.provider.invoices.create(h.ctx, invoice(c.providerId, i.providerId, 'INV-2'));
    const payments = h.provider.payments;
    if (!payments) throw new Error('payments expected');
    const reference = 'ABCDEFGHIJKLMNOPQRST';
    const paid = await payments.create(
      h.ctx,
      {
        amount: money(5000, 'USD'),
        date: '2026-01-05',
        method: 'check',
        invoice: { id: inv.providerId, name: null },
        customer: null,
        reference,
        memo: null,
      },
      { reference, idempotencyKey: 'pay-key-1' },
    );
    expect(paid.data).toMatchObject({ amount: { amount: 5000 }, reference, invoice: { id: inv.providerId } });
    expect((await h.provider.invoices.get(h.ctx, inv.providerId))?.data.balance.amount).toBe(7050);
    expect(
      (await payments.findByReference(h.ctx, reference, { invoiceProviderId: inv.providerId }))?.providerId,
    ).toBe(paid.providerId);
    expect(
      (await payments.findByReference(h.ctx, reference, { customerProviderId: c.providerId }))?.providerId,
    ).toBe(paid.providerId);
    expect((await payments.findByReference(h.ctx, reference))?.providerId).toBe(paid.providerId);
    expect(await payments.findByReference(h.ctx, 'NOPE', { invoiceProviderId: inv.providerId })).toBeNull();
    expect((await payments.listForInvoice(h.ctx, inv.providerId)).map((p) => p.providerId)).toEqual([
      paid.providerId,
    ]);

    const before = h.sim.stats().requests;
    await expect(
      payments.create(
        h.ctx,
        {
          amount: money(100, 'USD'),
          date: '2026-01-05',
          method: 'other',
          invoice: { id: inv.providerId, name: null },
          customer: { id: c.providerId, name: null },
          reference: null,
          memo: null,
        },
        { reference: 'X'.repeat(22) },
      ),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    expect(h.sim.stats().requests).toBe(before);
  });
});

describe('QuickBooks provider: batch', () => {
  it('creates 30 customers in one request and classifies per-item faults', async () => {
    const h = start();
    h.sim.realm().create('Customer', { DisplayName: 'Taken' });
    const ops = Array.from({ length: 30 }, (_, n) => ({
      id: `op-${n}`,
      entityType: 'customer' as const,
      op: 'create' as const,
      data: customer(n === 7 ? 'Taken' : `Batch ${n}`),
    }));
    const results = await h.provider.batch?.(h.ctx, ops, { idempotencyKey: 'a'.repeat(50) });
    expect(h.sim.stats().requestsByOperation['POST batch']).toBe(1);
    expect(results?.filter((r) => r.ok)).toHaveLength(29);
    const failed = results?.find((r) => !r.ok);
    expect(failed).toMatchObject({ id: 'op-7', ok: false, error: { code: 'duplicate' } });
    await expect(h.provider.batch?.(h.ctx, [...ops, ops[0] as (typeof ops)[number]])).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });
});
