/**
 * Stable error codes. Apps switch on `error.code`; the strings never change within a major version.
 *
 * `SyncFailureCategory` is the smaller set that sync health, notifications and the "recent failures" banner use:
 * every error maps onto exactly one category through `categorizeError`.
 */
export const ERROR_CODES = [
  'config_invalid',
  'validation_failed',
  'vault_key_invalid',
  'vault_decrypt_failed',
  'oauth_state_invalid',
  'oauth_exchange_failed',
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
  'webhook_signature_invalid',
  'provider_error',
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
  'internal',
] as const;

export type SyncFailureCategory = (typeof SYNC_FAILURE_CATEGORIES)[number];
