import { describe, expect, it } from 'vitest';
import { createFakeSyncSetup, type FakeSyncSetup } from '../testing/index';

function seed(s: FakeSyncSetup, count: number): string[] {
  const customerId = s.host.addCustomer({ displayName: 'Bulk Co', email: 'bulk@x.test' });
  return Array.from({ length: count }, (_, i) =>
    s.host.addInvoice({
      number: `B-${i + 1}`,
      customer: { id: customerId },
      issueDate: '2026-01-05',
      status: i === 0 ? 'DRAFT' : 'OPEN',
      currency: 'USD',
      lines: [
        {
          quantity: 1,
          unitPrice: { amount: 100 * (i + 1), currency: 'USD' },
          amount: { amount: 100 * (i + 1), currency: 'USD' },
        },
      ],
      total: { amount: 100 * (i + 1), currency: 'USD' },
      balance: { amount: 100 * (i + 1), currency: 'USD' },
    }),
  );
}

describe('bulk sync', () => {
  it('uses the batch endpoint in chunks of its maximum size', async () => {
    const s = await createFakeSyncSetup({ provider: { batchSize: 2 } });
    const ids = seed(s, 6); // one draft + five open

    const summary = await s.engine.syncInvoices(s.connectionId, ids);

    expect(summary).toMatchObject({ synced: 5, skipped: 1, failed: 0, batchRequests: 3 });
    expect(s.fake.count('invoices.create')).toBe(0);
    expect(s.fake.store.invoices.size).toBe(5);
    expect(summary.results.map((r) => r.localId)).toEqual(ids);

    // A second run after an edit batches only the changed invoice, as an update with its version.
    s.host.updateInvoice(ids[3] as string, { memo: 'changed' });
    const again = await s.engine.syncInvoices(s.connectionId, ids);
    expect(again.batchRequests).toBe(1);
    expect(
      again.results.filter((r) => r.status === 'synced' && r.action === 'updated').map((r) => r.localId),
    ).toEqual([ids[3]]);
  });

  it('without a batch endpoint stays within the provider concurrency limit', async () => {
    const s = await createFakeSyncSetup({
      provider: { latencyMs: 2, limits: { concurrency: 2 } },
      engine: { bulkConcurrency: 8 },
    });
    const ids = seed(s, 7);

    const summary = await s.engine.syncInvoices(s.connectionId, ids);

    expect(summary).toMatchObject({ synced: 6, skipped: 1, batchRequests: 0 });
    expect(s.fake.maxInFlight).toBeLessThanOrEqual(2);
    expect(s.fake.maxInFlight).toBe(2);
    expect(s.fake.store.customers.size).toBe(1);
  });

  it('reports per-invoice batch failures and keeps the others', async () => {
    const s = await createFakeSyncSetup({ provider: { batchSize: 10 } });
    const ids = seed(s, 3);
    // An invoice number already used in the provider makes one create fail as a duplicate.
    await s.engine.syncInvoice(s.connectionId, ids[1] as string);
    s.host.addInvoice(
      {
        number: 'B-2',
        customer: { id: s.host.customers.keys().next().value as string },
        issueDate: '2026-01-05',
        status: 'OPEN',
        currency: 'USD',
        lines: [
          { quantity: 1, unitPrice: { amount: 1, currency: 'USD' }, amount: { amount: 1, currency: 'USD' } },
        ],
        total: { amount: 1, currency: 'USD' },
        balance: { amount: 1, currency: 'USD' },
      },
      'dup-invoice',
    );

    const summary = await s.engine.syncInvoices(s.connectionId, [ids[2] as string, 'dup-invoice']);

    expect(summary.results.map((r) => r.status)).toEqual(['synced', 'failed']);
    expect(summary.results[1]?.status === 'failed' && summary.results[1].failure.category).toBe('duplicate');
  });
});
