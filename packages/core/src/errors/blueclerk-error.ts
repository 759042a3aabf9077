// Imported from the modules, not the redact barrel: the barrel's logger imports errors (an import cycle).
import { redactText } from '../redact/redact-text';
import { redactError, redactValue } from '../redact/redact-value';
import type { ErrorCode, SyncFailureCategory } from './codes';

const MARKER = Symbol.for('blueclerk.error');

/**
 * Per-class markers (`Symbol.for('blueclerk.error.ValidationError')` ...), so `ValidationError.isInstance(x)` works
 * across two installed copies of core (ESM and CJS, or two versions) where `instanceof` does not. Names are written
 * out, not read from `constructor.name`, because bundlers minify class names.
 */
export function markErrorClass(error: BlueClerkError, className: string): void {
  // Enumerable like the base marker, so `redactError` copies keep it.
  Object.defineProperty(error, Symbol.for(`blueclerk.error.${className}`), { value: true, enumerable: true });
}

/** True when `value` was constructed as (a subclass of) the class marked `className`. */
export function hasErrorClass(value: unknown, className: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[Symbol.for(`blueclerk.error.${className}`)] === true
  );
}

export interface BlueClerkErrorOptions {
  /** Underlying error. It is passed through `redactError` before it is attached, so no secret survives in it. */
  cause?: unknown;
  /** Safe to repeat the operation that failed (network blips, 5xx, rate limits). */
  retryable?: boolean;
  /** Plain-data details safe to show and log (never a token, secret or code). */
  details?: Record<string, unknown>;
  /** What the user or developer should do about it, in one sentence. */
  action?: string;
}

/**
 * Base class of every error the SDK throws.
 *
 * Recognised by a symbol marker (`BlueClerkError.isInstance`) rather than `instanceof` alone, so two installed
 * copies of `@blueclerk/core` still recognise each other's errors.
 */
export class BlueClerkError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;
  readonly action: string | undefined;
  readonly [MARKER] = true;

  constructor(code: ErrorCode, message: string, options: BlueClerkErrorOptions = {}) {
    // Redacted here, once, so no call site can forget: a provider's error text or a wrapped library error may echo a
    // token, a client secret or an authorization code. The stack is captured from the already-redacted message.
    super(
      redactText(message),
      options.cause === undefined ? undefined : { cause: redactError(options.cause) },
    );
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details === undefined ? {} : redactValue(options.details);
    this.action = options.action === undefined ? undefined : redactText(options.action);
  }

  static isInstance(value: unknown): value is BlueClerkError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }

  /** The sync-health category of this error (see `categorizeError`). */
  get category(): SyncFailureCategory {
    return CATEGORY_BY_CODE[this.code];
  }
}

const CATEGORY_BY_CODE: Record<ErrorCode, SyncFailureCategory> = {
  config_invalid: 'validation',
  validation_failed: 'validation',
  vault_key_invalid: 'internal',
  vault_decrypt_failed: 'internal',
  oauth_state_invalid: 'validation',
  oauth_exchange_failed: 'needs_reconnect',
  tenant_unverified: 'validation',
  token_invalid: 'needs_reconnect',
  token_expired: 'token_expired',
  needs_reconnect: 'needs_reconnect',
  unauthorized: 'token_expired',
  rate_limited: 'rate_limited',
  network: 'network',
  timeout: 'timeout',
  duplicate: 'duplicate',
  missing_field: 'missing_field',
  not_found: 'not_found',
  conflict: 'conflict',
  lock_unavailable: 'internal',
  lease_lost: 'internal',
  ledger_claim_lost: 'internal',
  in_progress: 'in_progress',
  storage_unavailable: 'storage_unavailable',
  webhook_signature_invalid: 'validation',
  provider_error: 'provider_error',
  malformed_response: 'provider_error',
  unsupported: 'provider_error',
  internal: 'internal',
};

/** Maps any thrown value onto a sync-failure category; unknown errors are `internal`. */
export function categorizeError(error: unknown): SyncFailureCategory {
  return BlueClerkError.isInstance(error) ? error.category : 'internal';
}
