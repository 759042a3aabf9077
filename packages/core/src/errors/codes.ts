/**
 * Stable error codes. Apps switch on `error.code`; the strings never change within a major version.
 *
 * `SyncFailureCategory` is the smaller set that sync health, notifications and the "recent failures" banner use:
 * every error maps onto exactly one category through `categorizeError`.
 *
 * Two codes are also categories of their own, because what a person should do about them differs from everything else:
 * - `storage_unavailable` (`StorageError`): the app's own storage (PostgreSQL, Redis ...) could not be reached or
 *   refused to work. Every storage adapter reports it with this one code; it is retryable and never the provider's
 *   fault. A write it stopped before the provider call was not sent.
 * - `in_progress` (`ConcurrencyError`): another worker is making the same provider write right now (its ledger claim
 *   is held). Retry later; the write is not made twice.
 */
export const ERROR_CODES = [
  'config_invalid',
  'validation_failed',
  'vault_key_invalid',
  'vault_decrypt_failed',
  'oauth_state_invalid',
  'oauth_exchange_failed',
  'tenant_unverified',
  'token_invalid',
  'token_expired',
  'needs_reconnect',
  'unauthorized',
  'rate_limited',
  'network',
  'timeout',
  'duplicate',
  'missing_field',
  'not_found',
  'conflict',
  'lock_unavailable',
  'lease_lost',
  'ledger_claim_lost',
  'in_progress',
  'storage_unavailable',
  'webhook_signature_invalid',
  'provider_error',
  'malformed_response',
  'unsupported',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export const SYNC_FAILURE_CATEGORIES = [
  'needs_reconnect',
  'token_expired',
  'missing_field',
  'duplicate',
  'rate_limited',
  'network',
  'timeout',
  'validation',
  'conflict',
  'not_found',
  'provider_error',
  'in_progress',
  'storage_unavailable',
  'internal',
] as const;

export type SyncFailureCategory = (typeof SYNC_FAILURE_CATEGORIES)[number];
