import { describe, expect, it } from 'vitest';
import { NetworkError } from '../errors/index';
import { createFakeSyncSetup, type FakeSyncSetup } from '../testing/index';
import { paymentLedgerKey } from './payment-sync';

async function syncedInvoiceWithPayment(s: FakeSyncSetup, amount = 5000) {
  const customerId = s.host.addCustomer({ displayName: 'Acme', email: 'a@acme.test' });
  const invoiceId = s.host.addInvoice({
    number: 'INV-7',
    customer: { id: customerId },
    issueDate: '2026-01-05',
    status: 'SENT',
    currency: 'USD',
    lines: [
      {
        quantity: 1,
        unitPrice: { amount: 10000, currency: 'USD' },
        amount: { amount: 10000, currency: 'USD' },
      },
    ],
    total: { amount: 10000, currency: 'USD' },
    balance: { amount: 10000, currency: 'USD' },
  });
  const sync = await s.engine.syncInvoice(s.connectionId, invoiceId);
  expect(sync.status).toBe('synced');
  const paymentId = s.host.addPayment({
    amount: { amount, currency: 'USD' },
    date: '2026-01-09',
    method: 'check',
    reference: 'CHK-118',
    invoice: { id: invoiceId },
  });
  return { invoiceId, paymentId };
}

/** Lets pending promise callbacks run (the fake and memory storage are promise-based, no timers). */
async function settle(rounds = 50) {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

describe('payment sync', () => {
  it('posts once with our reference and idempotency key, then answers from the ledger without a call', async () => {
    const s = await createFakeSyncSetup();
    const { paymentId } = await syncedInvoiceWithPayment(s);

    const first = await s.engine.syncPayment(s.connectionId, paymentId);
    const second = await s.engine.syncPayment(s.connectionId, paymentId);

    expect(first).toMatchObject({ status: 'synced', action: 'created' });
    const providerId = first.status === 'synced' ? first.providerId : '';
    expect(second).toEqual({ status: 'already_synced', localId: paymentId, providerId });
    expect(s.fake.count('payments.create')).toBe(1);
    const entry = await s.storage.ledger.getEntry(paymentLedgerKey(s.connectionId, paymentId));
    const stored = s.fake.store.payments.get(providerId);
    expect(entry?.reference).toHaveLength(20);
    expect(stored?.data.reference).toBe(entry?.reference);
    expect(stored?.data.memo).toContain('CHK-118');
    expect(s.fake.store.idempotency.get(`payment:${entry?.requestId}`)).toBe(providerId);
    expect((await s.storage.links.findLinkByLocalId(s.connectionId, 'payment', paymentId))?.providerId).toBe(
      providerId,
    );
  });

  it('concurrent calls in one process make one provider call', async () => {
    const s = await createFakeSyncSetup();
    const { paymentId } = await syncedInvoiceWithPayment(s);

    const results = await Promise.all(
      [1, 2, 3, 4].map(() => s.engine.syncPayment(s.connectionId, paymentId)),
    );

    expect(s.fake.count('payments.create')).toBe(1);
    expect(new Set(results.map((r) => r.status === 'synced' && r.providerId)).size).toBe(1);
    expect(s.fake.store.payments.size).toBe(1);
  });

  it('concurrent workers on one database make one provider call', async () => {
    const s = await createFakeSyncSetup();
    const { paymentId } = await syncedInvoiceWithPayment(s);
    const workers = [s.engine, s.createWorker(), s.createWorker()];

    const results = await Promise.all(workers.map((w) => w.syncPayment(s.connectionId, paymentId)));

    expect(s.fake.count('payments.create')).toBe(1);
    expect(s.fake.store.payments.size).toBe(1);
    expect(results.map((r) => r.status).sort()).toEqual(['in_progress', 'in_progress', 'synced']);
  });

  it('recovers a committed payment whose response was lost, without a duplicate', async () => {
    const s = await createFakeSyncSetup();
    const { paymentId } = await syncedInvoiceWithPayment(s);
    s.fake.loseNextResponse('payments.create');

    const result = await s.engine.syncPayment(s.connectionId, paymentId);

    expect(result).toMatchObject({ status: 'synced', action: 'recovered' });
    expect(s.fake.count('payments.create')).toBe(1);
    expect(s.fake.count('payments.findByReference')).toBe(1);
    expect(s.fake.store.payments.size).toBe(1);
    expect(await s.engine.syncPayment(s.connectionId, paymentId)).toMatchObject({ status: 'already_synced' });
  });

  it('crash window: a worker dies after the provider committed; the next worker finds it by reference', async () => {
    const s = await createFakeSyncSetup();
    const { paymentId } = await syncedInvoiceWithPayment(s);
    s.fake.hangNextAfterCommit('payments.create');

    // Worker A posts; the provider commits; A never hears back (it crashed).
    void s.engine.syncPayment(s.connectionId, paymentId);
    await settle();
    expect(s.fake.store.payments.size).toBe(1);
    const pending = await s.storage.ledger.getEntry(paymentLedgerKey(s.connectionId, paymentId));
    expect(pending?.status).toBe('pending');

    // Within the claim TTL another worker must not post.
    const worker = s.createWorker();
    expect(await worker.syncPayment(s.connectionId, paymentId)).toMatchObject({ status: 'in_progress' });

    // After the claim expired, the next worker recovers by reference instead of posting again.
    s.clock.advance(151_000);
    const recovered = await worker.syncPayment(s.connectionId, paymentId);

    expect(recovered).toMatchObject({ status: 'synced', action: 'recovered' });
    expect(s.fake.count('payments.create')).toBe(1);
    expect(s.fake.store.payments.size).toBe(1);
    expect((await s.storage.ledger.getEntry(paymentLedgerKey(s.connectionId, paymentId)))?.status).toBe(
      'succeeded',
    );
  });

  it('an unknown outcome that did not commit waits out the claim, then looks up and posts once', async () => {
    const s = await createFakeSyncSetup();
    const { paymentId } = await syncedInvoiceWithPayment(s);
    s.fake.failNext('payments.create', new NetworkError('timeout', 'socket timeout'));

    const first = await s.engine.syncPayment(s.connectionId, paymentId);
    expect(first.status === 'unknown' && first.failure.category).toBe('timeout');
    expect(s.events.at(-1)).toMatchObject({
      type: 'sync.failed',
      entityType: 'payment',
      category: 'timeout',
    });
    expect(await s.engine.syncPayment(s.connectionId, paymentId)).toMatchObject({ status: 'in_progress' });

    s.clock.advance(151_000);
    const retried = await s.engine.syncPayment(s.connectionId, paymentId);

    expect(retried).toMatchObject({ status: 'synced', action: 'created' });
    expect(s.fake.count('payments.findByReference')).toBe(2); // after the timeout, and before re-posting
    expect(s.fake.count('payments.create')).toBe(2);
    expect(s.fake.store.payments.size).toBe(1);
  });

  it('a definite rejection fails the claim; the retry looks up first, then posts', async () => {
    const s = await createFakeSyncSetup();
    const { paymentId } = await syncedInvoiceWithPayment(s, 20_000); // more than the 100.00 balance

    const rejected = await s.engine.syncPayment(s.connectionId, paymentId);
    expect(rejected.status === 'failed' && rejected.failure.category).toBe('validation');
    expect((await s.storage.ledger.getEntry(paymentLedgerKey(s.connectionId, paymentId)))?.status).toBe(
      'failed',
    );

    const stored = s.host.payments.get(paymentId);
    if (!stored) throw new Error('payment missing');
    s.host.payments.set(paymentId, { ...stored, amount: { amount: 10_000, currency: 'USD' } });
    const retried = await s.engine.syncPayment(s.connectionId, paymentId);

    expect(retried).toMatchObject({ status: 'synced', action: 'created' });
    expect(s.fake.count('payments.findByReference')).toBe(1);
    expect(s.fake.store.payments.size).toBe(1);
  });

  it('manual payment providers get a manual result and no call', async () => {
    const s = await createFakeSyncSetup({
      provider: { id: 'wave', payments: 'manual', idempotencyKey: null },
    });
    const { paymentId } = await syncedInvoiceWithPayment(s);
    const callsBefore = s.fake.calls.length;

    const result = await s.engine.syncPayment(s.connectionId, paymentId);

    expect(result).toMatchObject({ status: 'manual' });
    expect(result.status === 'manual' && result.reason).toMatch(/record the payment/);
    expect(s.fake.calls.length).toBe(callsBefore);
    expect(s.events.at(-1)).toMatchObject({ type: 'sync.skipped', entityType: 'payment' });
  });

  it('syncs a never-synced invoice before its payment', async () => {
    const s = await createFakeSyncSetup();
    const customerId = s.host.addCustomer({ displayName: 'Late Co' });
    const invoiceId = s.host.addInvoice({
      customer: { id: customerId },
      issueDate: '2026-01-05',
      status: 'OPEN',
      currency: 'USD',
      lines: [
        {
          quantity: 2,
          unitPrice: { amount: 500, currency: 'USD' },
          amount: { amount: 1000, currency: 'USD' },
        },
      ],
      total: { amount: 1000, currency: 'USD' },
      balance: { amount: 1000, currency: 'USD' },
    });
    const paymentId = s.host.addPayment({
      amount: { amount: 1000, currency: 'USD' },
      date: '2026-01-06',
      invoice: { id: invoiceId },
    });

    const result = await s.engine.syncPayment(s.connectionId, paymentId);

    expect(result).toMatchObject({ status: 'synced' });
    expect(s.fake.store.invoices.size).toBe(1);
    expect([...s.fake.store.invoices.values()][0]?.data.balance.amount).toBe(0);
  });

  it('refuses a payment whose invoice is a draft, with an action', async () => {
    const s = await createFakeSyncSetup();
    const customerId = s.host.addCustomer({ displayName: 'Draft Co' });
    const invoiceId = s.host.addInvoice({
      customer: { id: customerId },
      issueDate: '2026-01-05',
      status: 'DRAFT',
      currency: 'USD',
      lines: [
        {
          quantity: 1,
          unitPrice: { amount: 500, currency: 'USD' },
          amount: { amount: 500, currency: 'USD' },
        },
      ],
      total: { amount: 500, currency: 'USD' },
      balance: { amount: 500, currency: 'USD' },
    });
    const paymentId = s.host.addPayment({
      amount: { amount: 500, currency: 'USD' },
      date: '2026-01-06',
      invoice: { id: invoiceId },
    });

    const result = await s.engine.syncPayment(s.connectionId, paymentId);

    expect(result.status === 'failed' && result.failure).toMatchObject({ category: 'missing_field' });
    expect(result.status === 'failed' && result.failure.action).toMatch(/Open or send the invoice/);
    expect(s.fake.count('payments.create')).toBe(0);
  });
});
