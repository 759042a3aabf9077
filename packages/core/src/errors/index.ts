export { BlueClerkError, type BlueClerkErrorOptions, categorizeError } from './blueclerk-error';
export {
  AuthError,
  ConcurrencyError,
  ConfigurationError,
  MissingFieldError,
  NetworkError,
  ProviderError,
  RateLimitError,
  StorageError,
  ValidationError,
  VaultError,
  WebhookSignatureError,
} from './classes';
export { ERROR_CODES, type ErrorCode, SYNC_FAILURE_CATEGORIES, type SyncFailureCategory } from './codes';
