import { describe, expect, it } from 'vitest';
import { createFakeSyncSetup } from '../testing/index';
import { pullCursorScope } from './pull';

describe('incremental pull', () => {
  it('applies changes since the stored cursor, per connection and entity', async () => {
    const s = await createFakeSyncSetup();
    const customerId = s.host.addCustomer({ displayName: 'Acme' });
    const invoiceId = s.host.addInvoice({
      customer: { id: customerId },
      issueDate: '2026-01-05',
      status: 'OPEN',
      currency: 'USD',
      lines: [
        {
          quantity: 3,
          unitPrice: { amount: 1000, currency: 'USD' },
          amount: { amount: 3000, currency: 'USD' },
        },
      ],
      total: { amount: 3000, currency: 'USD' },
      balance: { amount: 3000, currency: 'USD' },
    });
    const synced = await s.engine.syncInvoice(s.connectionId, invoiceId);
    const invoiceProviderId = synced.status === 'synced' ? synced.providerId : '';

    const first = await s.engine.pullChanges(s.connectionId, 'invoice');
    expect(first).toMatchObject({ changes: 1, applied: 1, failure: null });
    expect(await s.storage.syncState.getCursor(s.connectionId, pullCursorScope('invoice'))).toBe(
      first.cursor,
    );

    const nothing = await s.engine.pullChanges(s.connectionId, 'invoice');
    expect(nothing).toMatchObject({ changes: 0, cursor: first.cursor });

    // A payment made in the provider UI shows up in the payment pull and settles the local invoice.
    await s.fake.provider.payments?.create(
      s.fake.context(),
      {
        amount: { amount: 3000, currency: 'USD' },
        date: '2026-01-07',
        method: 'cash',
        invoice: { id: invoiceProviderId, name: null },
        customer: null,
        reference: 'UI-9',
        memo: null,
      },
      { reference: 'UI-9' },
    );
    const payments = await s.engine.pullChanges(s.connectionId, 'payment');
    expect(payments).toMatchObject({ changes: 1, applied: 1 });
    expect(s.host.invoices.get(invoiceId)?.status).toBe('PAID');

    const invoices = await s.engine.pullChanges(s.connectionId, 'invoice');
    expect(invoices.changes).toBe(1); // the balance change
    expect(
      (await s.storage.links.findLinkByLocalId(s.connectionId, 'invoice', invoiceId))?.providerVersion,
    ).toBe('1');
  });

  it('keeps the cursor when a pull fails, and reports the failure', async () => {
    const s = await createFakeSyncSetup();
    s.host.addCustomer({ displayName: 'X' });
    await s.fake.provider.customers.create(s.fake.context(), {
      displayName: 'Y',
      email: null,
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
    s.fake.failNext('pullChanges', new TypeError('fetch failed'));

    const result = await s.engine.pullChanges(s.connectionId, 'customer');

    expect(result.failure?.category).toBe('network');
    expect(await s.storage.syncState.getCursor(s.connectionId, pullCursorScope('customer'))).toBeNull();
    expect((await s.engine.pullChanges(s.connectionId, 'customer')).changes).toBe(1);
  });
});
