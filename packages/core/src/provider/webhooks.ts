import type { EntityType, EpochMs } from '../storage/types';

/** Raw request headers, as the framework hands them over. Names are matched case-insensitively. */
export type WebhookHeaders = Headers | Readonly<Record<string, string | string[] | undefined>>;

/** What a normalized webhook event says happened. */
export type WebhookOperation = 'create' | 'update' | 'delete' | 'void' | 'merge';

/** One change notice, provider-neutral. A delivery may carry several. */
export interface NormalizedWebhookEvent {
  entityType: EntityType;
  /** Provider id of the changed record: fetch it to learn the current state (events carry no full data). */
  providerId: string;
  operation: WebhookOperation;
  /** The tenant (realmId / tenantId / accountId / businessId) the event belongs to; maps to a connection. */
  tenantId: string;
  occurredAt: EpochMs;
  /**
   * Stable id for de-duplication across retried deliveries: the provider's event id where it has one (QuickBooks
   * CloudEvents `id`), otherwise derived from tenant + entity + id + operation + time.
   */
  deliveryId: string;
  /**
   * For `merge`: the record that was merged away (QuickBooks legacy `deletedId`, CloudEvents `data.deletedid`).
   * `providerId` is the surviving one; the engine moves a local link from this id to it.
   */
  mergedFromProviderId?: string;
}

/**
 * Webhook verification and parsing. Present when `capabilities.webhooks.supported`.
 * Always verify on the exact raw bytes received: re-serialised JSON does not match the signature.
 */
export interface ProviderWebhooks {
  /** Header that carries the signature (`intuit-signature`, `x-xero-signature`, `X-FreshBooks-Hmac-SHA256`). */
  readonly signatureHeader: string;
  /**
   * True when the signature header matches the raw body under `secret` (the app's verifier token / webhook key).
   * Constant-time comparison; Web Crypto (edge-safe). Never throws for a bad signature, only returns false.
   */
  verify(rawBody: string | Uint8Array, headers: WebhookHeaders, secret: string): Promise<boolean>;
  /**
   * Normalizes a verified delivery into events. An empty array is valid (Xero's intent-to-receive probe). Throws
   * `ValidationError` for a body that is not the provider's shape.
   */
  parse(rawBody: string | Uint8Array, headers?: WebhookHeaders): NormalizedWebhookEvent[];
}
