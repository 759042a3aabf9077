import type {
  ImportSummary,
  InvoiceSyncResult,
  PaymentSyncResult,
  SyncFailure,
  WebhookEventOutcome,
} from '@blueclerk/core';

/**
 * SDK results as JSON for the front end. The SDK's failures carry the classified error object for logging and
 * `instanceof`; a response gets its safe fields only (category, code, message, action, retryable).
 */
export interface PublicFailure {
  category: string;
  code: string;
  message: string;
  action: string;
  retryable: boolean;
}

export function presentFailure(failure: SyncFailure): PublicFailure {
  const { category, code, message, action, retryable } = failure;
  return { category, code, message, action, retryable };
}

type Public<T> = T extends { failure: SyncFailure } ? Omit<T, 'failure'> & { failure: PublicFailure } : T;

export function presentPaymentSync(result: PaymentSyncResult): Public<PaymentSyncResult> {
  return 'failure' in result ? { ...result, failure: presentFailure(result.failure) } : result;
}

export type PublicInvoiceSync =
  | Exclude<Public<InvoiceSyncResult>, { status: 'synced' }>
  | (Omit<Extract<InvoiceSyncResult, { status: 'synced' }>, 'payments'> & {
      payments: Array<Public<PaymentSyncResult>>;
    });

export function presentInvoiceSync(result: InvoiceSyncResult): PublicInvoiceSync {
  if (result.status === 'failed') return { ...result, failure: presentFailure(result.failure) };
  if (result.status === 'synced') return { ...result, payments: result.payments.map(presentPaymentSync) };
  return result;
}

export function presentImport(summary: ImportSummary) {
  return {
    ...summary,
    failures: summary.failures.map((f) => ({ providerId: f.providerId, failure: presentFailure(f.failure) })),
  };
}

export function presentWebhookOutcome(outcome: WebhookEventOutcome) {
  return outcome.status === 'failed' ? { ...outcome, failure: presentFailure(outcome.failure) } : outcome;
}
