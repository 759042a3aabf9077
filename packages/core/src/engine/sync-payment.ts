import { BlueClerkError, MissingFieldError } from '../errors/index';
import { syncInvoiceInScope } from './invoice-sync';
import { MANUAL_PAYMENT_REASON, pushPayment } from './payment-sync';
import type { PaymentSyncResult } from './results';
import type { ConnectionScope, EngineRuntime } from './runtime';

/**
 * Pushes one local payment. When its invoice was never synced, the invoice (with customer and items) goes first,
 * without its other payments; a draft or void invoice blocks the payment with a `missing_field` failure.
 */
export async function syncPaymentInScope<THttp>(
  rt: EngineRuntime<THttp>,
  scope: ConnectionScope<THttp>,
  paymentLocalId: string,
): Promise<PaymentSyncResult> {
  const { connection } = scope;
  if (rt.provider.capabilities.payments === 'manual') {
    rt.emit(connection, {
      type: 'sync.skipped',
      entityType: 'payment',
      localId: paymentLocalId,
      reason: MANUAL_PAYMENT_REASON,
    });
    return { status: 'manual', localId: paymentLocalId, reason: MANUAL_PAYMENT_REASON };
  }
  try {
    const local = await rt.host.getPayment(paymentLocalId);
    if (!local) throw new BlueClerkError('not_found', `Payment ${paymentLocalId} does not exist in the app`);
    const invoiceLocalId = local.data.invoice?.id;
    if (!invoiceLocalId)
      throw new MissingFieldError(
        'payment.invoice',
        `Payment ${paymentLocalId} is not applied to an invoice`,
      );

    const links = rt.storage.links;
    let invoiceLink = await links.findLinkByLocalId(connection.id, 'invoice', invoiceLocalId);
    if (!invoiceLink) {
      const synced = await syncInvoiceInScope(rt, scope, invoiceLocalId, { pushPayments: false });
      if (synced.status === 'failed')
        return { status: 'failed', localId: paymentLocalId, failure: synced.failure };
      invoiceLink = await links.findLinkByLocalId(connection.id, 'invoice', invoiceLocalId);
    }
    if (!invoiceLink || invoiceLink.contentHash === 'voided') {
      throw new MissingFieldError(
        'payment.invoice',
        `Invoice ${invoiceLocalId} is not open in the provider (draft or void), so payment ${paymentLocalId} cannot be pushed`,
        { action: 'Open or send the invoice, sync it, then sync the payment again.' },
      );
    }
    const invoice = await rt.host.getInvoice(invoiceLocalId);
    const customerLink = invoice
      ? await links.findLinkByLocalId(connection.id, 'customer', invoice.data.customer.id)
      : null;
    return await pushPayment(rt, scope, local, invoiceLink, customerLink?.providerId ?? null);
  } catch (error) {
    return {
      status: 'failed',
      localId: paymentLocalId,
      failure: rt.fail(connection, 'payment', paymentLocalId, error),
    };
  }
}
