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
  /**
   * The provider write is done (`providerId`), but storage failed while recording it: the entry stays pending. The
   * next run for the key in this process completes it with the claim it still holds; any other worker settles it
   * once the claim expires, by look-up. Never a failure: the record exists in the provider.
   */
  | { kind: 'unrecorded'; providerId: string; value: T | null; recovered: boolean; error: BlueClerkError }
  | { kind: 'unknown'; error: BlueClerkError }
  | { kind: 'failed'; error: BlueClerkError };

/**
 * Runs a write at most once across crashes, timeouts and concurrent callers:
 * 1. A durable pending claim is written BEFORE the provider call (so a crash leaves evidence).
 * 2. A claim that follows an earlier attempt (`recover`, or a retry after failure) first looks the record up.
 * 3. An unknown outcome (timeout, lost response, 5xx) is settled by a look-up, never by assuming failure; if the
 *    look-up finds nothing the claim stays pending until it expires, because the provider may still be processing
 *    (QuickBooks: up to 120 s), and the next attempt looks again before posting.
 * 4. A storage failure after the provider write is `unrecorded`, not a failure (see `LedgeredOutcome`). One before
 *    the provider call (claiming, or the token read inside `perform`) is a plain failure: nothing was sent.
 */
export async function runLedgeredWrite<THttp, T>(
  rt: EngineRuntime<THttp>,
  write: LedgeredWrite<T>,
  classify: (error: unknown) => BlueClerkError,
): Promise<LedgeredOutcome<T>> {
  const unsettled = rt.unsettledClaims.get(write.key);
  if (unsettled) {
    // An earlier run here wrote to the provider but could not record it; record it now, with the claim it holds.
    const { claimToken, providerId } = unsettled;
    try {
      await rt.storage.ledger.completeClaim(write.key, claimToken, { providerId });
      rt.unsettledClaims.delete(write.key);
      return { kind: 'done', providerId, value: null, recovered: true };
    } catch (error) {
      const classified = classify(error);
      if (!ConcurrencyError.isInstance(classified)) {
        return { kind: 'unrecorded', providerId, value: null, recovered: true, error: classified };
      }
      // Superseded: a recovering worker holds the entry now and finds the record by reference.
      rt.unsettledClaims.delete(write.key);
    }
  }
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
      if (!ConcurrencyError.isInstance(error)) {
        // The record exists in the provider whatever storage says; reporting this as failed would invite a person
        // to enter it by hand, creating the duplicate the ledger exists to prevent.
        rt.unsettledClaims.set(write.key, { claimToken: token, providerId });
        return { kind: 'unrecorded', providerId, value, recovered, error: classify(error) };
      }
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
      // Superseded, or storage is down too: the claim then stays pending until it expires, and whoever claims it
      // next looks the record up before writing. Either way the failure to report is the write's own.
      if (!ConcurrencyError.isInstance(ledgerError)) {
        rt.logger.log('warn', 'could not record a failed write in the ledger; its claim expires instead', {
          connectionId: write.connectionId,
          operation: write.operation,
          code: classify(ledgerError).code,
        });
      }
    }
    return { kind: 'failed', error };
  }
}
