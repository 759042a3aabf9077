import { describe, expect, it } from 'vitest';
import { ProviderError } from '../errors/index';
import { createFakeSyncSetup, type FakeSyncSetup } from '../testing/index';

const SECRET = 'whsec-test';

async function linkedInvoice(s: FakeSyncSetup, total = 10_000) {
  const customerId = s.host.addCustomer({ displayName: 'Acme', email: 'a@acme.test' });
  const invoiceId = s.host.addInvoice({
    customer: { id: customerId },
    issueDate: '2026-01-05',
    status: 'SENT',
    currency: 'USD',
    lines: [
      {
        quantity: 1,
        unitPrice: { amount: total, currency: 'USD' },
        amount: { amount: total, currency: 'USD' },
      },
    ],
    total: { amount: total, currency: 'USD' },
    balance: { amount: total, currency: 'USD' },
  });
  const result = await s.engine.syncInvoice(s.connectionId, invoiceId);
  if (result.status !== 'synced') throw new Error('setup failed');
  return { invoiceId, invoiceProviderId: result.providerId };
}

/** A payment made in the provider's own UI. */
async function providerPayment(
  s: FakeSyncSetup,
  invoiceProviderId: string,
  amount: number,
  reference: string,
) {
  const payments = s.fake.provider.payments;
  if (!payments) throw new Error('no payments');
  return payments.create(
    s.fake.context(),
    {
      amount: { amount, currency: 'USD' },
      date: '2026-01-20',
      method: 'card',
      invoice: { id: invoiceProviderId, name: null },
      customer: null,
      reference,
      memo: null,
    },
    { reference },
  );
}

describe('webhook pipeline', () => {
  it('verifies, fetches the payment and applies it to the linked invoice, marking it paid at zero balance', async () => {
    const s = await createFakeSyncSetup();
    const { invoiceId, invoiceProviderId } = await linkedInvoice(s);
    const payment = await providerPayment(s, invoiceProviderId, 10_000, 'UI-1');
    const delivery = await s.fake.webhook(
      [
        {
          id: 'evt-1',
          entity: 'payment',
          entityId: payment.providerId,
          operation: 'create',
          tenant: s.tenantId,
          at: s.clock.now(),
        },
      ],
      SECRET,
    );

    const result = await s.engine.handleWebhook(s.fake.provider.id, { ...delivery, secret: SECRET });

    expect(result).toEqual({
      verified: true,
      events: [
        {
          deliveryId: 'evt-1',
          connectionId: s.connectionId,
          status: 'applied',
          entityType: 'payment',
          providerId: payment.providerId,
        },
      ],
    });
    const local = [...s.host.payments.values()];
    expect(local).toHaveLength(1);
    expect(local[0]).toMatchObject({ amount: { amount: 10_000 }, invoice: { id: invoiceId } });
    expect(s.host.invoices.get(invoiceId)?.status).toBe('PAID');
    expect(s.events.at(-1)).toMatchObject({
      type: 'webhook.payment_applied',
      invoiceLocalId: invoiceId,
      invoicePaid: true,
    });
  });

  it('a partial payment leaves the invoice open', async () => {
    const s = await createFakeSyncSetup();
    const { invoiceId, invoiceProviderId } = await linkedInvoice(s);
    const payment = await providerPayment(s, invoiceProviderId, 4_000, 'UI-2');
    const delivery = await s.fake.webhook(
      [
        {
          id: 'evt-2',
          entity: 'payment',
          entityId: payment.providerId,
          operation: 'create',
          tenant: s.tenantId,
          at: 1,
        },
      ],
      SECRET,
    );
    await s.engine.handleWebhook(s.fake.provider.id, { ...delivery, secret: SECRET });
    expect(s.host.invoices.get(invoiceId)?.status).toBe('SENT');
    expect(s.events.at(-1)).toMatchObject({ type: 'webhook.payment_applied', invoicePaid: false });
  });

  it('de-duplicates re-deliveries', async () => {
    const s = await createFakeSyncSetup();
    const { invoiceProviderId } = await linkedInvoice(s);
    const payment = await providerPayment(s, invoiceProviderId, 4_000, 'UI-3');
    const delivery = await s.fake.webhook(
      [
        {
          id: 'evt-3',
          entity: 'payment',
          entityId: payment.providerId,
          operation: 'create',
          tenant: s.tenantId,
          at: 1,
        },
      ],
      SECRET,
    );

    const [a, b] = await Promise.all([
      s.engine.handleWebhook(s.fake.provider.id, { ...delivery, secret: SECRET }),
      s.engine.handleWebhook(s.fake.provider.id, { ...delivery, secret: SECRET }),
    ]);

    expect([a.events[0]?.status, b.events[0]?.status].sort()).toEqual(['applied', 'duplicate']);
    expect(s.host.payments.size).toBe(1);
  });

  it('applies the re-delivery of a delivery whose fetch failed; a successful delivery stays a duplicate', async () => {
    const s = await createFakeSyncSetup();
    const { invoiceId, invoiceProviderId } = await linkedInvoice(s);
    const payment = await providerPayment(s, invoiceProviderId, 10_000, 'UI-9');
    const delivery = await s.fake.webhook(
      [
        {
          id: 'evt-9',
          entity: 'payment',
          entityId: payment.providerId,
          operation: 'create',
          tenant: s.tenantId,
          at: 1,
        },
      ],
      SECRET,
    );
    s.fake.faults.inject('payments.get', {
      kind: 'fail',
      error: new ProviderError('provider_error', 'QuickBooks answered 503', { status: 503, retryable: true }),
    });

    const failed = await s.engine.handleWebhook(s.fake.provider.id, { ...delivery, secret: SECRET });
    expect(failed.events[0]).toMatchObject({ deliveryId: 'evt-9', status: 'failed' });
    expect(s.host.payments.size).toBe(0);

    const redelivered = await s.engine.handleWebhook(s.fake.provider.id, { ...delivery, secret: SECRET });
    expect(redelivered.events[0]).toEqual({
      deliveryId: 'evt-9',
      connectionId: s.connectionId,
      status: 'applied',
      entityType: 'payment',
      providerId: payment.providerId,
    });
    expect(s.host.payments.size).toBe(1);
    expect(s.host.invoices.get(invoiceId)?.status).toBe('PAID');

    const again = await s.engine.handleWebhook(s.fake.provider.id, { ...delivery, secret: SECRET });
    expect(again.events[0]).toEqual({
      deliveryId: 'evt-9',
      connectionId: s.connectionId,
      status: 'duplicate',
    });
    expect(s.host.payments.size).toBe(1);
    expect(s.fake.count('payments.get')).toBe(2);
  });

  it('rejects a tampered body or wrong secret and applies nothing', async () => {
    const s = await createFakeSyncSetup();
    const { invoiceProviderId } = await linkedInvoice(s);
    const payment = await providerPayment(s, invoiceProviderId, 4_000, 'UI-4');
    const delivery = await s.fake.webhook(
      [
        {
          id: 'evt-4',
          entity: 'payment',
          entityId: payment.providerId,
          operation: 'create',
          tenant: s.tenantId,
          at: 1,
        },
      ],
      SECRET,
    );

    const tampered = await s.engine.handleWebhook(s.fake.provider.id, {
      rawBody: delivery.rawBody.replace('evt-4', 'evt-5'),
      headers: delivery.headers,
      secret: SECRET,
    });
    const wrongSecret = await s.engine.handleWebhook(s.fake.provider.id, { ...delivery, secret: 'other' });

    expect(tampered).toEqual({ verified: false, events: [] });
    expect(wrongSecret).toEqual({ verified: false, events: [] });
    expect(s.host.payments.size).toBe(0);
    expect(s.fake.count('payments.get')).toBe(0);
  });

  it('does not re-record a payment the engine pushed itself', async () => {
    const s = await createFakeSyncSetup();
    const { invoiceId } = await linkedInvoice(s);
    const paymentId = s.host.addPayment({
      amount: { amount: 3_000, currency: 'USD' },
      date: '2026-01-09',
      invoice: { id: invoiceId },
    });
    const pushed = await s.engine.syncPayment(s.connectionId, paymentId);
    const providerId = pushed.status === 'synced' ? pushed.providerId : '';
    const delivery = await s.fake.webhook(
      [
        {
          id: 'evt-6',
          entity: 'payment',
          entityId: providerId,
          operation: 'create',
          tenant: s.tenantId,
          at: 1,
        },
      ],
      SECRET,
    );

    const result = await s.engine.handleWebhook(s.fake.provider.id, { ...delivery, secret: SECRET });

    expect(result.events[0]).toMatchObject({ status: 'ignored', reason: 'payment already recorded' });
    expect(s.host.payments.size).toBe(1);
  });

  it('updates the link version of a linked invoice and tells the host; ignores unknown tenants', async () => {
    const s = await createFakeSyncSetup();
    const { invoiceId, invoiceProviderId } = await linkedInvoice(s);
    s.fake.store.editExternally('invoice', invoiceProviderId);
    const delivery = await s.fake.webhook(
      [
        {
          id: 'evt-7',
          entity: 'invoice',
          entityId: invoiceProviderId,
          operation: 'update',
          tenant: s.tenantId,
          at: 1,
        },
        {
          id: 'evt-8',
          entity: 'invoice',
          entityId: invoiceProviderId,
          operation: 'update',
          tenant: 'someone-else',
          at: 1,
        },
      ],
      SECRET,
    );

    const result = await s.engine.handleWebhook(s.fake.provider.id, { ...delivery, secret: SECRET });

    expect(result.events.map((e) => e.status)).toEqual(['applied', 'ignored']);
    expect(
      (await s.storage.links.findLinkByLocalId(s.connectionId, 'invoice', invoiceId))?.providerVersion,
    ).toBe('1');
    expect(s.host.changes).toMatchObject([{ entityType: 'invoice', localId: invoiceId, deleted: false }]);
  });
});

describe('webhooks for a company connected more than once', () => {
  it('a second (or forged) connection to the same company does not take the first one’s webhooks', async () => {
    const s = await createFakeSyncSetup();
    const { invoiceId, invoiceProviderId } = await linkedInvoice(s);
    // Another owner (or an attacker) connects the same company later: newest first no longer decides.
    const second = await s.storage.connections.createConnection({
      provider: s.fake.provider.id,
      ownerId: 'owner-2',
      tenantId: s.tenantId,
      status: 'active',
    });
    const payment = await providerPayment(s, invoiceProviderId, 10_000, 'UI-7');
    const delivery = await s.fake.webhook(
      [
        {
          id: 'evt-shared',
          entity: 'payment',
          entityId: payment.providerId,
          operation: 'create',
          tenant: s.tenantId,
          at: s.clock.now(),
        },
      ],
      SECRET,
    );
    const result = await s.engine.handleWebhook(s.fake.provider.id, { ...delivery, secret: SECRET });
    expect(result.events.map((event) => [event.connectionId, event.status])).toEqual([
      [s.connectionId, 'applied'],
      [second.id, 'ignored'],
    ]);
    expect(s.host.invoices.get(invoiceId)?.status).toBe('PAID');

    // Each connection de-duplicates on its own: a re-delivery is a duplicate for both.
    const again = await s.engine.handleWebhook(s.fake.provider.id, { ...delivery, secret: SECRET });
    expect(again.events.map((event) => [event.connectionId, event.status])).toEqual([
      [s.connectionId, 'duplicate'],
      [second.id, 'duplicate'],
    ]);
    expect(s.host.payments.size).toBe(1);
  });
});

describe('merge webhooks', () => {
  async function mergedCustomers(s: FakeSyncSetup) {
    const { invoiceId } = await linkedInvoice(s);
    const localId = s.host.invoices.get(invoiceId)?.customer?.id as string;
    const merged = await s.storage.links.findLinkByLocalId(s.connectionId, 'customer', localId);
    const survivor = await s.fake.provider.customers.create(s.fake.context(), {
      displayName: 'Acme (merged)',
      email: 'a@acme.test',
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
    const delivery = await s.fake.webhook(
      [
        {
          id: 'evt-merge',
          entity: 'customer',
          entityId: survivor.providerId,
          operation: 'merge',
          tenant: s.tenantId,
          at: s.clock.now(),
          mergedFrom: merged?.providerId as string,
        },
      ],
      SECRET,
    );
    return { localId, mergedFrom: merged?.providerId as string, survivor: survivor.providerId, delivery };
  }

  it('re-points the local record linked to the merged-away customer at the survivor', async () => {
    const s = await createFakeSyncSetup();
    const { localId, mergedFrom, survivor, delivery } = await mergedCustomers(s);
    const result = await s.engine.handleWebhook(s.fake.provider.id, { ...delivery, secret: SECRET });
    expect(result.events[0]?.status).not.toBe('failed');
    expect((await s.storage.links.findLinkByLocalId(s.connectionId, 'customer', localId))?.providerId).toBe(
      survivor,
    );
    expect(await s.storage.links.findLinkByProviderId(s.connectionId, 'customer', mergedFrom)).toBeNull();
  });

  it('reports a conflict instead of overwriting when the survivor is linked to another local record', async () => {
    const s = await createFakeSyncSetup();
    const { localId, mergedFrom, survivor, delivery } = await mergedCustomers(s);
    await s.storage.links.upsertLink({
      connectionId: s.connectionId,
      entityType: 'customer',
      localId: 'cust-other',
      providerId: survivor,
      providerVersion: null,
      contentHash: null,
      lastSyncedAt: s.clock.now(),
    });
    const result = await s.engine.handleWebhook(s.fake.provider.id, { ...delivery, secret: SECRET });
    expect(result.events[0]).toMatchObject({ status: 'failed', failure: { category: 'conflict' } });
    expect((await s.storage.links.findLinkByLocalId(s.connectionId, 'customer', localId))?.providerId).toBe(
      mergedFrom,
    );
  });
});
