import { type BlueClerkError, ConcurrencyError } from '../errors/index';
import { redactText } from '../redact/index';
import { randomId, randomReference } from '../runtime/ids';
import type { LedgerEntry } from '../storage/ledger';
import { isOutcomeUnknown } from './failures';
import type { EngineRuntime } from './runtime';

/** A provider write guarded by the idempotency ledger. */
export interface LedgeredWrite<T> {
  key: string;
  connectionId: string;
  /** e.g. `payment.create`. */
  operation: string;
  ttlMs: number;
  /**
   * Finds the record an earlier attempt may have created, by `entry.reference` (or another natural key). Null when
   * it does not exist. Called on a `recover` claim, on a re-claim after a failure, and after an unknown outcome.
   */
  lookup(entry: LedgerEntry): Promise<{ providerId: string; value: T | null } | null>;
  /** Performs the write, sending `entry.requestId` as idempotency key and `entry.reference` in the record. */
  perform(entry: LedgerEntry): Promise<{ providerId: string; value: T }>;
}

export type LedgeredOutcome<T> =
  | { kind: 'already'; providerId: string }
  | { kind: 'in_progress' }
  | { kind: 'done'; providerId: string; value: T | null; recovered: boolean }
  | { kind: 'unknown'; error: BlueClerkError }
  | { kind: 'failed'; error: BlueClerkError };

/**
 * Runs a write at most once across crashes, timeouts and concurrent callers:
 * 1. A durable pending claim is written BEFORE the provider call (so a crash leaves evidence).
 * 2. A claim that follows an earlier attempt (`recover`, or a retry after failure) first looks the record up.
 * 3. An unknown outcome (timeout, lost response, 5xx) is settled by a look-up, never by assuming failure; if the
 *    look-up finds nothing the claim stays pending until it expires, because the provider may still be processing
 *    (QuickBooks: up to 120 s), and the next attempt looks again before posting.
 */
export async function runLedgeredWrite<THttp, T>(
  rt: EngineRuntime<THttp>,
  write: LedgeredWrite<T>,
  classify: (error: unknown) => BlueClerkError,
): Promise<LedgeredOutcome<T>> {
  const claim = await rt.storage.ledger.claim({
    key: write.key,
    connectionId: write.connectionId,
    operation: write.operation,
    // Only the first claim's values are kept by the ledger: every retry reuses the same key and reference.
    requestId: randomId(16),
    reference: randomReference(20),
    ttlMs: write.ttlMs,
  });
  const { entry } = claim;
  if (claim.outcome === 'succeeded') return { kind: 'already', providerId: entry.providerId ?? '' };
  if (claim.outcome === 'in_progress') return { kind: 'in_progress' };
  const token = entry.claimToken ?? '';

  const complete = async (
    providerId: string,
    value: T | null,
    recovered: boolean,
  ): Promise<LedgeredOutcome<T>> => {
    try {
      await rt.storage.ledger.completeClaim(write.key, token, { providerId });
    } catch (error) {
      // Superseded by a recovering worker: it will find the same record by reference, so the fact stands.
      if (!ConcurrencyError.isInstance(error)) throw error;
    }
    return { kind: 'done', providerId, value, recovered };
  };

  const lookUp = async (): Promise<{ providerId: string; value: T | null } | null | BlueClerkError> => {
    try {
      return await write.lookup(entry);
    } catch (error) {
      return classify(error);
    }
  };

  if (claim.outcome === 'recover' || entry.attempts > 1) {
    const found = await lookUp();
    if (found && 'providerId' in found) return complete(found.providerId, found.value, true);
    // Cannot tell whether the earlier attempt landed: leave the claim pending and report the look-up failure.
    if (found) return { kind: 'unknown', error: found };
  }

  try {
    const created = await write.perform(entry);
    return complete(created.providerId, created.value, false);
  } catch (raw) {
    const error = classify(raw);
    if (isOutcomeUnknown(error)) {
      const found = await lookUp();
      if (found && 'providerId' in found) return complete(found.providerId, found.value, true);
      return { kind: 'unknown', error };
    }
    try {
      await rt.storage.ledger.failClaim(write.key, token, {
        code: error.code,
        message: redactText(error.message),
      });
    } catch (ledgerError) {
      if (!ConcurrencyError.isInstance(ledgerError)) throw ledgerError;
    }
    return { kind: 'failed', error };
  }
}
