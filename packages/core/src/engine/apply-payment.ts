import type { Payment } from '../model/payment';
import { parsePayment } from '../model/payment';
import type { ProviderRecord } from '../provider/records';
import { classify } from './failures';
import { runLedgeredWrite } from './ledgered';
import type { ConnectionScope, EngineRuntime } from './runtime';

export type ApplyPaymentOutcome =
  | { status: 'applied'; invoiceLocalId: string; paymentLocalId: string; invoicePaid: boolean }
  /** Already known locally: we pushed it, or an earlier delivery applied it. */
  | { status: 'known'; paymentLocalId: string }
  | { status: 'ignored'; reason: string };

/**
 * Records a payment made in the provider (webhook or pull) against the linked local invoice, once. The ledger
 * (`payment.apply:<connection>:<provider id>`) makes concurrent deliveries of the same payment record it once; the
 * invoice is marked paid when the recorded payments cover its total.
 */
export async function applyProviderPayment<THttp>(
  rt: EngineRuntime<THttp>,
  scope: ConnectionScope<THttp>,
  record: ProviderRecord<Payment>,
): Promise<ApplyPaymentOutcome> {
  const { connection } = scope;
  const links = rt.storage.links;
  const known = await links.findLinkByProviderId(connection.id, 'payment', record.providerId);
  if (known) return { status: 'known', paymentLocalId: known.localId };
  const payment = parsePayment(record.data);
  const invoiceProviderId = payment.invoice?.id;
  if (!invoiceProviderId) return { status: 'ignored', reason: 'payment is not applied to an invoice' };
  const invoiceLink = await links.findLinkByProviderId(connection.id, 'invoice', invoiceProviderId);
  if (!invoiceLink)
    return { status: 'ignored', reason: `invoice ${invoiceProviderId} is not linked to a local invoice` };
  const invoiceLocalId = invoiceLink.localId;
  const customerLink = payment.customer
    ? await links.findLinkByProviderId(connection.id, 'customer', payment.customer.id)
    : null;

  const outcome = await runLedgeredWrite(
    rt,
    {
      key: `payment.apply:${connection.id}:${record.providerId}`,
      connectionId: connection.id,
      operation: 'payment.apply',
      ttlMs: rt.options.paymentClaimTtlMs ?? 150_000,
      lookup: async () => {
        const link = await links.findLinkByProviderId(connection.id, 'payment', record.providerId);
        return link ? { providerId: link.localId, value: null } : null;
      },
      perform: async () => {
        const local = await rt.host.recordPayment(
          {
            ...payment,
            invoice: { id: invoiceLocalId, name: null },
            customer: customerLink ? { id: customerLink.localId, name: null } : null,
          },
          { connectionId: connection.id, provider: connection.provider, providerId: record.providerId },
        );
        await links.upsertLink({
          connectionId: connection.id,
          entityType: 'payment',
          localId: local.localId,
          providerId: record.providerId,
          providerVersion: record.version,
          contentHash: null,
          lastSyncedAt: rt.clock.now(),
        });
        return { providerId: local.localId, value: local.localId };
      },
    },
    (error) => classify(rt.provider, error),
  );
  if (outcome.kind === 'failed' || outcome.kind === 'unknown') throw outcome.error;
  if (outcome.kind === 'in_progress')
    return { status: 'ignored', reason: 'another worker is applying this payment' };
  // `unrecorded`: the host has the payment and its link, only the ledger's record of it failed; carry on as done.
  if (outcome.kind === 'already' || outcome.recovered)
    return { status: 'known', paymentLocalId: outcome.providerId };

  const invoicePaid = await settleInvoiceIfPaid(rt, invoiceLocalId);
  rt.emit(connection, {
    type: 'webhook.payment_applied',
    invoiceLocalId,
    paymentProviderId: record.providerId,
    invoicePaid,
  });
  return { status: 'applied', invoiceLocalId, paymentLocalId: outcome.providerId, invoicePaid };
}

/** Marks the invoice paid when its recorded payments reach its total. Returns whether it is paid now. */
export async function settleInvoiceIfPaid<THttp>(
  rt: EngineRuntime<THttp>,
  invoiceLocalId: string,
): Promise<boolean> {
  const invoice = await rt.host.getInvoice(invoiceLocalId);
  if (!invoice) return false;
  if (invoice.data.status === 'PAID') return true;
  const payments = await rt.host.listInvoicePayments(invoiceLocalId);
  const paid = payments
    .filter((p) => p.data.amount.currency === invoice.data.currency)
    .reduce((sum, p) => sum + p.data.amount.amount, 0);
  if (paid < invoice.data.total.amount) return false;
  await rt.host.markInvoicePaid(invoiceLocalId);
  return true;
}
