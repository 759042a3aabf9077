import { expect } from 'vitest';
import { createSyncEngine } from '../../engine/engine';
import type { PaymentOperations } from '../../provider/operations';
import type { AccountingProvider } from '../../provider/spec';
import { randomReference } from '../../runtime/ids';
import { createMemoryStorage } from '../../storage/memory/memory-storage';
import { createFakeHost } from '../fake-host';
import { errorOf, newInvoice, type ProviderSuite, paymentData, required, unique } from './harness';

function paymentsOf<THttp>(p: AccountingProvider<THttp>): PaymentOperations<THttp> {
  if (!p.payments)
    throw new Error("capabilities.payments is 'api' but the provider has no payments operations");
  return p.payments;
}

/** Payments through the API (exactly once, found by our reference), or the engine's `manual` report. */
export function definePaymentClauses<THttp>(suite: ProviderSuite<THttp>): void {
  const { caps } = suite;
  const key = caps.idempotencyKey;

  if (caps.payments === 'manual') {
    suite.test(
      'manual payments: no payment operations; the engine reports the payment as manual',
      async (p, s) => {
        expect(p.payments).toBeNull();
        const storage = createMemoryStorage();
        const host = createFakeHost();
        const connection = await storage.connections.createConnection({
          provider: p.id,
          ownerId: 'conformance-owner',
          tenantId: s.context.tenantId,
          status: 'active',
        });
        const { settings: _settings, ...context } = s.context;
        const engine = createSyncEngine<THttp>({
          providers: { [p.id]: p },
          storage,
          host,
          contextFor: () => context,
        });
        const money = { amount: 1000, currency: s.currency ?? 'USD' };
        const customerId = host.addCustomer({ displayName: unique('Manual Payer') });
        const invoiceId = host.addInvoice({
          customer: { id: customerId },
          issueDate: '2026-01-05',
          status: 'OPEN',
          currency: money.currency,
          lines: [{ description: 'Labour', quantity: 1, unitPrice: money, amount: money }],
          total: money,
          balance: money,
        });
        const paymentId = host.addPayment({ amount: money, date: '2026-01-06', invoice: { id: invoiceId } });

        expect(await engine.syncPayment(connection.id, paymentId)).toMatchObject({
          status: 'manual',
          localId: paymentId,
        });
        // The invoice itself syncs; its payment is reported, never posted.
        const synced = await engine.syncInvoice(connection.id, invoiceId);
        expect(synced).toMatchObject({
          status: 'synced',
          payments: [{ status: 'manual', localId: paymentId }],
        });
        expect(await storage.links.findLinkByLocalId(connection.id, 'payment', paymentId)).toBeNull();
      },
    );
    return;
  }

  suite.test(
    'payments: create with our reference, find it by reference, get, list for invoice',
    async (p, s) => {
      const payments = paymentsOf(p);
      const invoice = await newInvoice(p, s);
      const reference = randomReference(20);
      const created = await payments.create(s.context, paymentData(s, invoice, 1000, reference), {
        reference,
      });
      const found = await payments.findByReference(s.context, reference, {
        invoiceProviderId: invoice.providerId,
      });
      expect(found?.providerId).toBe(created.providerId);
      expect((await payments.get(s.context, created.providerId))?.data.amount.amount).toBe(1000);
      expect((await payments.listForInvoice(s.context, invoice.providerId)).map((r) => r.providerId)).toEqual(
        [created.providerId],
      );
      expect((await p.invoices.get(s.context, invoice.providerId))?.data.balance.amount).toBe(2750);
      expect(
        await payments.findByReference(s.context, randomReference(20), {
          invoiceProviderId: invoice.providerId,
        }),
      ).toBeNull();
    },
  );

  if (key) {
    suite.test('payments: a repeated idempotency key does not post twice', async (p, s) => {
      const payments = paymentsOf(p);
      const invoice = await newInvoice(p, s);
      const reference = randomReference(20);
      const idempotencyKey = `conf-${randomReference(16)}`.slice(0, key.maxLength);
      const data = { ...paymentData(s, invoice, 500, reference), method: 'cash' as const };
      const first = await payments.create(s.context, data, { reference, idempotencyKey });
      const second = await payments.create(s.context, data, { reference, idempotencyKey });
      expect(second.providerId).toBe(first.providerId);
      expect(await payments.listForInvoice(s.context, invoice.providerId)).toHaveLength(1);
    });
  }

  suite.test(
    key
      ? 'payments: after a lost response, the same key posts nothing new and the reference finds the one payment'
      : 'payments: after a lost response (no idempotency key), the reference finds the one payment',
    async (p, s) => {
      const payments = paymentsOf(p);
      const faults = required(s.faults, 'faults (loseNextResponse) for the lost-response clause');
      const invoice = await newInvoice(p, s);
      const reference = randomReference(20);
      const data = paymentData(s, invoice, 1000, reference);
      const idempotencyKey = key ? `conf-${randomReference(16)}`.slice(0, key.maxLength) : undefined;
      const options = idempotencyKey ? { reference, idempotencyKey } : { reference };
      const hints = { invoiceProviderId: invoice.providerId, customerProviderId: invoice.data.customer.id };

      faults.loseNextResponse('payments.create');
      const lost = await errorOf(p, payments.create(s.context, data, options));
      if (!key) {
        // Nothing may repeat a keyless post on its own: the caller sees an outcome-unknown failure.
        expect(lost?.category, 'a lost response surfaces as network / timeout').toMatch(
          /^(network|timeout)$/,
        );
      } else if (lost) {
        // With a key, core's HTTP layer may have retried the post and got the replayed answer instead.
        expect(lost.category, 'a lost response surfaces as network / timeout').toMatch(/^(network|timeout)$/);
      }

      // What the engine does before any re-post: look the payment up by our reference.
      const found = await payments.findByReference(s.context, reference, hints);
      expect(found, 'the committed payment is found by reference').not.toBeNull();
      expect(found?.data.amount.amount).toBe(1000);
      if (idempotencyKey) {
        const repeated = await payments.create(s.context, data, { reference, idempotencyKey });
        expect(repeated.providerId, 'the key replays the first payment').toBe(found?.providerId);
      }
      const onInvoice = await payments.listForInvoice(s.context, invoice.providerId);
      expect(
        onInvoice.map((r) => r.providerId),
        'exactly one payment exists',
      ).toEqual([found?.providerId]);
      expect((await p.invoices.get(s.context, invoice.providerId))?.data.balance.amount).toBe(2750);
    },
  );
}
