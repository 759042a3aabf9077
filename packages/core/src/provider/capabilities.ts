import type { EntityType } from '../storage/types';

/**
 * What a provider can and cannot do. The engine reads these flags instead of special-casing provider names:
 * a Wave connection records payments manually because `payments === 'manual'`, not because it is Wave.
 *
 * Values for the four providers (see shared/providers.md):
 *
 * | | QuickBooks | Xero | FreshBooks | Wave |
 * |---|---|---|---|---|
 * | payments | api | api | api | manual |
 * | webhooks | yes, payments too | yes, no payments/items (poll) | yes | unconfirmed -> no |
 * | batch | 30 | ~50 | null | null |
 * | idempotencyKey | query `requestid` <= 50 | header `Idempotency-Key` <= 128 | null | null |
 * | incrementalPull | cdc | modified-since | updated-date | page-scan |
 * | versionedUpdates | true (SyncToken) | false | false | false |
 * | paymentReference | PaymentRefNum <= 21 | Reference | note (scan) | null |
 */
export interface ProviderCapabilities {
  /**
   * `api`: payments are posted through `payments.create`. `manual`: the provider has no API to apply a payment to an
   * invoice (Wave); the engine reports the payment as `manual` and makes no call.
   */
  payments: 'api' | 'manual';

  /** Webhook support. Without it (or for entities it does not cover) the engine relies on `pullChanges`. */
  webhooks: WebhookCapability;

  /** Batch endpoint limits, or null when the provider has none (FreshBooks, Wave). */
  batch: BatchCapability | null;

  /**
   * How the provider takes an idempotency key, or null when it has none. The engine still writes its own
   * `paymentReference` into payments and looks them up before re-posting, because keys alone have produced
   * duplicates in the field and replay windows are short (Xero ~6 min).
   */
  idempotencyKey: IdempotencyKeyCapability | null;

  /** How changes since a cursor are found (drives `pullChanges`). */
  incrementalPull: IncrementalPullCapability;

  /**
   * True when updates must carry the record's current version token (QuickBooks `SyncToken`); a stale token fails
   * with `ProviderError('conflict')`, and the engine re-reads the record and retries once with its version. False:
   * last write wins, `version` is null on records, and a conflict (FreshBooks 409) is retried once without a re-read.
   */
  versionedUpdates: boolean;

  /** Whether `invoices.void` is available. */
  voidInvoices: boolean;

  /** Where the engine's payment reference goes and how long it may be, or null when there is no such field. */
  paymentReference: PaymentReferenceCapability | null;

  /** Rate and concurrency limits per tenant; the engine stays within them during bulk work. */
  limits: RateLimits;
}

export type WebhookCapability =
  | { supported: false }
  | {
      supported: true;
      /** Entity types the provider sends events for. */
      entities: readonly EntityType[];
      /**
       * Whether payment changes arrive as events. Xero sends none for payments: `poll` means the engine must pull
       * payments with `pullChanges` to notice them.
       */
      paymentEvents: 'push' | 'poll';
    };

export interface BatchCapability {
  /** Most operations in one batch request (QuickBooks 30). */
  maxOperations: number;
  /** Separate limit on batch requests per minute, when the provider has one (QuickBooks 40). */
  requestsPerMinute: number | null;
}

export interface IdempotencyKeyCapability {
  /** Where the key travels. */
  in: 'query' | 'header';
  /** Parameter or header name (QuickBooks `requestid`, Xero `Idempotency-Key`). */
  name: string;
  /** Longest accepted key (QuickBooks 50, Xero 128). */
  maxLength: number;
}

export interface IncrementalPullCapability {
  /**
   * `cdc`: a change-data-capture endpoint (QuickBooks /cdc, <= 30 days back).
   * `modified-since`: list endpoints filter by modification time (Xero If-Modified-Since, second accuracy).
   * `updated-date`: a day-granular filter (FreshBooks `updated_min`); expect re-delivery of the boundary day.
   * `page-scan`: no filter; the provider pages through everything and compares modification stamps (Wave).
   * The engine's poll plan polls a `page-scan` provider four times less often: every poll reads everything.
   */
  strategy: 'cdc' | 'modified-since' | 'updated-date' | 'page-scan';
  /** How far back the first pull may reach, in days; null: unlimited. */
  maxLookbackDays: number | null;
  /** Entity types `pullChanges` covers. */
  entities: readonly EntityType[];
}

export interface PaymentReferenceCapability {
  /** Provider field name, for messages (QuickBooks `PaymentRefNum`, Xero `Reference`, FreshBooks `note`). */
  field: string;
  /** Longest value the field takes (QuickBooks 21). The engine's references are 20 characters. */
  maxLength: number;
}

export interface RateLimits {
  /** Requests per minute per tenant (QuickBooks 500, Xero 60); null when unpublished. */
  requestsPerMinute: number | null;
  /** Concurrent requests per tenant (QuickBooks 10, Xero 5); null when unpublished. */
  concurrency: number | null;
  /** Requests per day per tenant (Xero 5000); null when none. */
  requestsPerDay: number | null;
}
