import type { BlueClerkError, SyncFailureCategory } from '../errors/index';
import type { EntityType, EpochMs } from '../storage/types';

/** A classified failure, as put in results and in the `sync.failed` event. */
export interface SyncFailure {
  category: SyncFailureCategory;
  code: string;
  /** Safe message (no tokens or secrets). */
  message: string;
  /** What to do about it. */
  action: string;
  retryable: boolean;
  /** For `missing_field`: which field is missing. */
  field?: string;
  /** The classified error, for logging and `instanceof` checks. */
  error: BlueClerkError;
}

/** Outcome of linking or pushing a customer / item on the way to an invoice. */
export interface DependencyResult {
  entityType: Extract<EntityType, 'customer' | 'item'>;
  localId: string;
  providerId: string;
  /** `existing`: a link was already stored; `linked`: matched an existing provider record; `created`: pushed. */
  action: 'existing' | 'linked' | 'created';
}

export type PaymentSyncResult =
  | {
      status: 'synced';
      localId: string;
      providerId: string;
      /** `created`: posted now; `recovered`: an earlier attempt had committed and was found by reference. */
      action: 'created' | 'recovered';
    }
  /** The ledger already held the provider id: no provider call was made. */
  | { status: 'already_synced'; localId: string; providerId: string }
  /** The provider has no payment API (Wave): record it in the provider's UI. No call was made. */
  | { status: 'manual'; localId: string; reason: string }
  /** Another worker holds the claim right now; try again later. */
  | { status: 'in_progress'; localId: string }
  /**
   * The provider may or may not have accepted it (timeout, lost response) and the look-up by reference did not find
   * it yet. The claim stays pending; the next attempt after it expires looks the payment up again before posting.
   */
  | { status: 'unknown'; localId: string; failure: SyncFailure }
  /**
   * The provider accepted the payment (`providerId`), but the app's storage failed while recording that (`failure`
   * says why, usually `storage_unavailable`). Not a failure: do not enter the payment by hand. The next
   * `syncPayment` finishes recording it without posting it again (at once in this process; in another one after the
   * claim expires, by a look-up by reference).
   */
  | { status: 'pending'; localId: string; providerId: string; failure: SyncFailure }
  | { status: 'failed'; localId: string; failure: SyncFailure };

export type InvoiceSyncResult =
  | {
      status: 'synced';
      localId: string;
      providerId: string;
      action: 'created' | 'updated' | 'unchanged';
      /**
       * Where the customer can pay this invoice online, when the provider made a link (QuickBooks `InvoiceLink`, with
       * online payment allowed in the connection's settings); null otherwise. Store it with the invoice: an
       * `unchanged` resync makes no provider call and returns the one the app already has.
       */
      paymentLinkUrl: string | null;
      dependencies: DependencyResult[];
      payments: PaymentSyncResult[];
    }
  | { status: 'voided'; localId: string; providerId: string }
  | {
      status: 'skipped';
      localId: string;
      /** Machine-readable reason. */
      reason: 'draft' | 'void_not_synced' | 'void_unsupported' | 'already_void';
      /** Human-readable explanation. */
      message: string;
    }
  | { status: 'failed'; localId: string; failure: SyncFailure };

export interface ImportSummary {
  entityType: Extract<EntityType, 'customer' | 'item'>;
  /** New local records created from provider records. */
  created: number;
  /** Provider records linked to an existing local record (email / SKU / name match). */
  linked: number;
  /** Provider records left alone (already linked, or the local match is linked elsewhere). */
  skipped: number;
  failed: number;
  /** Records looked at in this run. */
  processed: number;
  /** True when the provider list was read to the end; false when stopped by `maxPages` or abort (resume later). */
  complete: boolean;
  failures: Array<{ providerId: string; failure: SyncFailure }>;
}

export interface PullSummary {
  entityType: EntityType;
  /** Changes the provider reported. */
  changes: number;
  /** Changes that touched a linked record or recorded a payment in the host. */
  applied: number;
  failed: number;
  /** Cursor stored for the next pull. */
  cursor: string;
  /** Set when the pull itself stopped on an error (the cursor stays where the last good round left it). */
  failure: SyncFailure | null;
  /**
   * Set when the requested `since` reached further back than the provider allows (`maxLookbackDays`, QuickBooks
   * CDC 30 days): the pull started here instead. Older changes need an import.
   */
  sinceClampedTo?: EpochMs;
}

/** What `engine.pollPlan` tells an app to schedule for one connection. */
export interface PollPlan {
  connectionId: string;
  provider: string;
  /**
   * Entity types the provider sends no events for but can pull (Xero payments, every entity of a provider without
   * webhooks). Empty: webhooks cover everything, nothing to poll.
   */
  entityTypes: EntityType[];
  /** How often to run `engine.poll(connectionId)`; null when there is nothing to poll. */
  intervalMs: number | null;
  /** Why these entities are polled, in words for logs and admin screens. */
  reason: string;
}

/** What one `engine.poll` run did, per entity type. */
export interface PollSummary {
  connectionId: string;
  pulls: PullSummary[];
  /** When to poll again (from the plan). */
  nextPollAt: EpochMs | null;
  /** Set when the connection could not be opened at all (the pulls then did not run). */
  failure?: SyncFailure;
}

/**
 * What one event did for one connection. An event about a company two owners connected produces one outcome per
 * connection (each with its own `connectionId` and de-duplication); an event no connection matches produces one
 * `ignored` outcome with `connectionId: null`.
 */
export type WebhookEventOutcome = { deliveryId: string; connectionId: string | null } & (
  | { status: 'applied'; entityType: EntityType; providerId: string }
  | { status: 'duplicate' }
  | { status: 'ignored'; reason: string }
  | { status: 'failed'; failure: SyncFailure }
);

export interface WebhookResult {
  /** False when the signature did not verify: answer 401 and process nothing. */
  verified: boolean;
  events: WebhookEventOutcome[];
}

export interface BulkSyncSummary {
  results: InvoiceSyncResult[];
  synced: number;
  skipped: number;
  failed: number;
  /** Provider batch requests made (0 when the provider has no batch endpoint). */
  batchRequests: number;
}
