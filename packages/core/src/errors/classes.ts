import { BlueClerkError, type BlueClerkErrorOptions, hasErrorClass, markErrorClass } from './blueclerk-error';
import type { ErrorCode } from './codes';

/** A setting (client id, secret, key, URL ...) is missing, a placeholder, or malformed. Names the setting, never its value. */
export class ConfigurationError extends BlueClerkError {
  /** True for a ConfigurationError from any installed copy of `@blueclerk/core` (use instead of `instanceof`). */
  static override isInstance(value: unknown): value is ConfigurationError {
    return hasErrorClass(value, 'ConfigurationError');
  }
  readonly setting: string;
  constructor(setting: string, message: string, options: BlueClerkErrorOptions = {}) {
    super('config_invalid', message, { ...options, details: { setting, ...options.details } });
    markErrorClass(this, 'ConfigurationError');
    this.setting = setting;
  }
}

/** Input failed validation (a domain record, a provider response, a webhook body). */
export class ValidationError extends BlueClerkError {
  /** True for a ValidationError from any installed copy of `@blueclerk/core` (use instead of `instanceof`). */
  static override isInstance(value: unknown): value is ValidationError {
    return hasErrorClass(value, 'ValidationError');
  }
  readonly issues: ReadonlyArray<{ path: string; message: string }>;
  constructor(
    message: string,
    issues: ReadonlyArray<{ path: string; message: string }> = [],
    options: BlueClerkErrorOptions = {},
  ) {
    super('validation_failed', message, { ...options, details: { issues, ...options.details } });
    markErrorClass(this, 'ValidationError');
    this.issues = issues;
  }
}

/**
 * A required field is absent (customer email, item income account ...). `field` names it as `<entity>.<field>` in
 * core-model terms (`customer.email`, `item.incomeAccount`, `payment.invoice`), so apps and notifications can point
 * at the exact setting whatever the provider.
 */
export class MissingFieldError extends BlueClerkError {
  /** True for a MissingFieldError from any installed copy of `@blueclerk/core` (use instead of `instanceof`). */
  static override isInstance(value: unknown): value is MissingFieldError {
    return hasErrorClass(value, 'MissingFieldError');
  }
  readonly field: string;
  constructor(field: string, message: string, options: BlueClerkErrorOptions = {}) {
    super('missing_field', message, { ...options, details: { field, ...options.details } });
    markErrorClass(this, 'MissingFieldError');
    this.field = field;
  }
}

/** Encryption key or ciphertext problems. Never carries plaintext or key material. */
export class VaultError extends BlueClerkError {
  /** True for a VaultError from any installed copy of `@blueclerk/core` (use instead of `instanceof`). */
  static override isInstance(value: unknown): value is VaultError {
    return hasErrorClass(value, 'VaultError');
  }
  constructor(code: Extract<ErrorCode, 'vault_key_invalid' | 'vault_decrypt_failed'>, message: string) {
    super(code, message);
    markErrorClass(this, 'VaultError');
  }
}

/** OAuth, token and authorization failures. `needs_reconnect` means a human must connect again. */
export class AuthError extends BlueClerkError {
  /** True for an AuthError from any installed copy of `@blueclerk/core` (use instead of `instanceof`). */
  static override isInstance(value: unknown): value is AuthError {
    return hasErrorClass(value, 'AuthError');
  }
  constructor(
    code: Extract<
      ErrorCode,
      | 'oauth_state_invalid'
      | 'tenant_unverified'
      | 'oauth_exchange_failed'
      | 'token_invalid'
      | 'token_expired'
      | 'needs_reconnect'
      | 'unauthorized'
    >,
    message: string,
    options: BlueClerkErrorOptions = {},
  ) {
    super(code, message, options);
    markErrorClass(this, 'AuthError');
  }
}

/** The provider throttled us. `retryAfterMs` is what it asked for, when it said. */
export class RateLimitError extends BlueClerkError {
  /** True for a RateLimitError from any installed copy of `@blueclerk/core` (use instead of `instanceof`). */
  static override isInstance(value: unknown): value is RateLimitError {
    return hasErrorClass(value, 'RateLimitError');
  }
  readonly retryAfterMs: number | undefined;
  constructor(message: string, retryAfterMs?: number, options: BlueClerkErrorOptions = {}) {
    super('rate_limited', message, {
      retryable: true,
      ...options,
      details: { retryAfterMs, ...options.details },
    });
    markErrorClass(this, 'RateLimitError');
    this.retryAfterMs = retryAfterMs;
  }
}

/** Network failure or timeout: the outcome of a write may be unknown. */
export class NetworkError extends BlueClerkError {
  /** True for a NetworkError from any installed copy of `@blueclerk/core` (use instead of `instanceof`). */
  static override isInstance(value: unknown): value is NetworkError {
    return hasErrorClass(value, 'NetworkError');
  }
  constructor(
    code: Extract<ErrorCode, 'network' | 'timeout'>,
    message: string,
    options: BlueClerkErrorOptions = {},
  ) {
    super(code, message, { retryable: true, ...options });
    markErrorClass(this, 'NetworkError');
  }
}

/** The provider answered with an error. `providerCode` is its own code (QuickBooks Fault code, Xero ErrorNumber ...). */
export class ProviderError extends BlueClerkError {
  /** True for a ProviderError from any installed copy of `@blueclerk/core` (use instead of `instanceof`). */
  static override isInstance(value: unknown): value is ProviderError {
    return hasErrorClass(value, 'ProviderError');
  }
  readonly status: number | undefined;
  readonly providerCode: string | undefined;
  constructor(
    code: Extract<
      ErrorCode,
      | 'provider_error'
      | 'malformed_response'
      | 'duplicate'
      | 'not_found'
      | 'conflict'
      | 'unsupported'
      | 'validation_failed'
    >,
    message: string,
    options: BlueClerkErrorOptions & { status?: number; providerCode?: string } = {},
  ) {
    super(code, message, {
      ...options,
      details: { status: options.status, providerCode: options.providerCode, ...options.details },
    });
    markErrorClass(this, 'ProviderError');
    this.status = options.status;
    this.providerCode = options.providerCode;
  }
}

/** Lock and ledger concurrency failures: a lease was lost to another holder, or a ledger claim was taken over. */
export class ConcurrencyError extends BlueClerkError {
  /** True for a ConcurrencyError from any installed copy of `@blueclerk/core` (use instead of `instanceof`). */
  static override isInstance(value: unknown): value is ConcurrencyError {
    return hasErrorClass(value, 'ConcurrencyError');
  }
  constructor(
    code: Extract<
      ErrorCode,
      'lock_unavailable' | 'lease_lost' | 'ledger_claim_lost' | 'conflict' | 'in_progress'
    >,
    message: string,
    options: BlueClerkErrorOptions = {},
  ) {
    super(code, message, options);
    markErrorClass(this, 'ConcurrencyError');
  }
}

/**
 * The app's own storage (PostgreSQL, Redis, any `BlueClerkStorage` backend) could not be reached or failed to answer:
 * a dropped connection, a server restart, a full pool, a read-only replica after a failover. Code
 * `storage_unavailable`, category `storage_unavailable`, retryable. Every adapter reports backend failures with this
 * class, so an app can tell "our database is down" from anything a provider did. `operation` names the store method
 * that failed (`updateConnection`, `claim` ...); the message never carries query parameters or stored values.
 */
export class StorageError extends BlueClerkError {
  /** True for a StorageError from any installed copy of `@blueclerk/core` (use instead of `instanceof`). */
  static override isInstance(value: unknown): value is StorageError {
    return hasErrorClass(value, 'StorageError');
  }
  readonly operation: string;
  constructor(operation: string, message: string, options: BlueClerkErrorOptions = {}) {
    super('storage_unavailable', message, {
      retryable: true,
      ...options,
      details: { operation, ...options.details },
    });
    markErrorClass(this, 'StorageError');
    this.operation = operation;
  }
}

/** A webhook's signature did not verify against the raw body. */
export class WebhookSignatureError extends BlueClerkError {
  /** True for a WebhookSignatureError from any installed copy of `@blueclerk/core` (use instead of `instanceof`). */
  static override isInstance(value: unknown): value is WebhookSignatureError {
    return hasErrorClass(value, 'WebhookSignatureError');
  }
  constructor(message = 'Webhook signature did not verify against the raw request body') {
    super('webhook_signature_invalid', message);
    markErrorClass(this, 'WebhookSignatureError');
  }
}
