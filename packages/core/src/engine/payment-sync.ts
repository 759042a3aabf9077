import type { Payment } from '../model/payment';
import { parsePayment } from '../model/payment';
import type { EntityLink } from '../storage/links';
import { isTransientStorageFailure } from '../storage/transient';
import { classify, toSyncFailure } from './failures';
import type { LocalRecord } from './host';
import { runLedgeredWrite } from './ledgered';
import type { PaymentSyncResult } from './results';
import type { ConnectionScope, EngineRuntime } from './runtime';

export const MANUAL_PAYMENT_REASON =
  'This provider has no API to apply a payment to an invoice; record the payment in its web app.';

/** Ledger key of a payment push: one per connection and local payment. */
export function paymentLedgerKey(connectionId: string, paymentLocalId: string): string {
  return `payment.create:${connectionId}:${paymentLocalId}`;
}

/**
 * Pushes one local payment whose invoice is already linked. Exactly-once across retries, crashes and concurrent
 * callers through `runLedgeredWrite`: the provider idempotency key AND our reference in the payment, with a look-up
 * by reference before any re-post.
 */
export async function pushPayment<THttp>(
  rt: EngineRuntime<THttp>,
  scope: ConnectionScope<THttp>,
  local: LocalRecord<Payment>,
  invoiceLink: EntityLink,
  customerProviderId: string | null,
): Promise<PaymentSyncResult> {
  const { connection } = scope;
  const localId = local.localId;
  if (rt.provider.capabilities.payments === 'manual' || !rt.provider.payments) {
    rt.emit(connection, {
      type: 'sync.skipped',
      entityType: 'payment',
      localId,
      reason: MANUAL_PAYMENT_REASON,
    });
    return { status: 'manual', localId, reason: MANUAL_PAYMENT_REASON };
  }
  const payments = rt.provider.payments;
  const key = paymentLedgerKey(connection.id, localId);

  return rt.singleFlight(key, async () => {
    let payment: Payment;
    try {
      payment = parsePayment(local.data);
    } catch (error) {
      return { status: 'failed', localId, failure: rt.fail(connection, 'payment', localId, error) };
    }
    const hints = {
      invoiceProviderId: invoiceLink.providerId,
      customerProviderId: customerProviderId ?? undefined,
    };
    const keyLimit = rt.provider.capabilities.idempotencyKey?.maxLength;
    const outcome = await runLedgeredWrite(
      rt,
      {
        key,
        connectionId: connection.id,
        operation: 'payment.create',
        ttlMs: rt.options.paymentClaimTtlMs ?? 150_000,
        lookup: async (entry) => {
          const found = await rt.call(scope, (ctx) => payments.findByReference(ctx, entry.reference, hints));
          return found ? { providerId: found.providerId, value: found } : null;
        },
        perform: async (entry) => {
          // The app's own reference (a cheque number ...) moves to the memo: the reference field carries ours.
          const memo = [payment.reference ? `Ref ${payment.reference}` : null, payment.memo]
            .filter(Boolean)
            .join(' - ');
          const data: Payment = {
            ...payment,
            invoice: { id: invoiceLink.providerId, name: null },
            customer: customerProviderId ? { id: customerProviderId, name: null } : null,
            reference: entry.reference,
            memo: memo || null,
          };
          const created = await rt.call(scope, (ctx) =>
            payments.create(ctx, data, {
              reference: entry.reference,
              idempotencyKey: keyLimit ? entry.requestId.slice(0, keyLimit) : undefined,
            }),
          );
          return { providerId: created.providerId, value: created };
        },
      },
      (error) => classify(rt.provider, error),
    );

    // Posted, but not recorded here: the one outcome a person must not read as "failed" (see PaymentSyncResult).
    const pending = (providerId: string, error: unknown): PaymentSyncResult => {
      rt.logger.log(
        'warn',
        'payment posted but storage failed while recording it; the next sync records it',
        {
          connectionId: connection.id,
          localId,
          providerId,
        },
      );
      return {
        status: 'pending',
        localId,
        providerId,
        failure: {
          ...toSyncFailure(rt.provider, error, 'payment'),
          action: `${rt.provider.displayName} accepted this payment, but the app could not record that. Do not enter it by hand: the next sync finishes recording it without posting it again.`,
        },
      };
    };

    switch (outcome.kind) {
      case 'unrecorded':
        return pending(outcome.providerId, outcome.error);
      case 'in_progress':
        return { status: 'in_progress', localId };
      case 'unknown':
        return {
          status: 'unknown',
          localId,
          failure: rt.fail(connection, 'payment', localId, outcome.error),
        };
      case 'failed':
        return { status: 'failed', localId, failure: rt.fail(connection, 'payment', localId, outcome.error) };
      default:
        break;
    }
    try {
      await rt.storage.links.upsertLink({
        connectionId: connection.id,
        entityType: 'payment',
        localId,
        providerId: outcome.providerId,
        providerVersion: outcome.kind === 'done' ? (outcome.value?.version ?? null) : null,
        contentHash: null,
        lastSyncedAt: rt.clock.now(),
      });
    } catch (error) {
      // The ledger already says succeeded, so the next sync answers from it and stores the link then.
      if (isTransientStorageFailure(error)) return pending(outcome.providerId, error);
      throw error;
    }
    if (outcome.kind === 'already')
      return { status: 'already_synced', localId, providerId: outcome.providerId };
    rt.emit(connection, {
      type: 'sync.succeeded',
      entityType: 'payment',
      localId,
      providerId: outcome.providerId,
      action: outcome.recovered ? 'linked' : 'created',
    });
    return {
      status: 'synced',
      localId,
      providerId: outcome.providerId,
      action: outcome.recovered ? 'recovered' : 'created',
    };
  });
}
