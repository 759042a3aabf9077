import type { EpochMs } from './types';

/**
 * The idempotency ledger: one entry per side effect in a provider (posting a payment, creating an invoice ...).
 *
 * Life of an entry: `claim` -> pending -> `completeClaim` (succeeded, with the provider's id) or `failClaim` (failed).
 * A durable pending entry is written BEFORE the provider call, so a crash leaves evidence. Rules:
 * - Exactly one of N concurrent `claim` calls for a key gets `claimed`; the others get `in_progress`.
 * - A succeeded entry is final: `claim` returns `succeeded` with the provider id and no new claim.
 * - A pending entry whose claim expired (the worker crashed or hung) is handed to the next caller as `recover`
 *   with a new claim token: the outcome of the earlier attempt is unknown, so the caller must look the record up in
 *   the provider (by `reference`) before posting again.
 * - A failed entry can be claimed again (`claimed`, `attempts` + 1).
 * - `completeClaim` / `failClaim` act only with the current `claimToken`; a superseded worker gets
 *   `ConcurrencyError('ledger_claim_lost')`.
 */
export type LedgerStatus = 'pending' | 'succeeded' | 'failed';

export interface LedgerEntry {
  key: string;
  connectionId: string;
  /** e.g. `payment.create`, `invoice.create`. */
  operation: string;
  status: LedgerStatus;
  /** Idempotency key sent to providers that take one (QuickBooks `requestid`, Xero `Idempotency-Key`). */
  requestId: string;
  /** Short reference written into the provider record (QuickBooks `PaymentRefNum`, Xero `Reference`) for look-ups. */
  reference: string;
  providerId: string | null;
  /** Current claim's token; null once final. */
  claimToken: string | null;
  claimExpiresAt: EpochMs | null;
  attempts: number;
  lastError: { code: string; message: string } | null;
  createdAt: EpochMs;
  updatedAt: EpochMs;
}

export interface ClaimInput {
  key: string;
  connectionId: string;
  operation: string;
  requestId: string;
  reference: string;
  /** How long this claim blocks others before it counts as abandoned. */
  ttlMs: number;
}

export type ClaimResult =
  | { outcome: 'claimed'; entry: LedgerEntry }
  | { outcome: 'recover'; entry: LedgerEntry }
  | { outcome: 'in_progress'; entry: LedgerEntry }
  | { outcome: 'succeeded'; entry: LedgerEntry };

export interface IdempotencyLedger {
  claim(input: ClaimInput): Promise<ClaimResult>;
  completeClaim(key: string, claimToken: string, result: { providerId: string }): Promise<LedgerEntry>;
  failClaim(key: string, claimToken: string, error: { code: string; message: string }): Promise<LedgerEntry>;
  getEntry(key: string): Promise<LedgerEntry | null>;
  /** Pending entries whose claim expired before `expiredBefore`, oldest first: work for a recovery sweep. */
  listStaleClaims(options: { expiredBefore: EpochMs; limit?: number }): Promise<LedgerEntry[]>;
}
