import { BlueClerkError, MissingFieldError, RateLimitError } from '../errors/index';
import type { AccountingProvider } from '../provider/spec';
import { redactText } from '../redact/index';
import type { SyncFailure } from './results';

/**
 * Normalizes anything thrown during a sync into a classified `BlueClerkError`: typed errors pass through; anything
 * else goes to the provider's `classifyError` (which knows its wire errors). A classifier that itself throws must
 * not hide the original failure, so that case becomes `internal`.
 */
export function classify<THttp>(provider: AccountingProvider<THttp>, error: unknown): BlueClerkError {
  if (BlueClerkError.isInstance(error)) return error;
  try {
    const classified = provider.classifyError(error);
    if (BlueClerkError.isInstance(classified)) return classified;
  } catch {
    // fall through
  }
  return new BlueClerkError('internal', 'Unexpected error during sync', { cause: error });
}

/** The "what to do" line for each category, unless the error carries its own `action`. */
export function defaultAction(error: BlueClerkError, providerName: string): string {
  switch (error.category) {
    case 'needs_reconnect':
      return `Reconnect ${providerName} from your integrations settings; syncing is paused until then.`;
    case 'token_expired':
      return `The ${providerName} session expired and could not be renewed automatically. Retry; reconnect if it keeps failing.`;
    case 'missing_field': {
      const field = error instanceof MissingFieldError ? error.field : String(error.details.field ?? 'field');
      return `Fill in the missing ${field} and sync again.`;
    }
    case 'duplicate':
      return `A record with the same name or number already exists in ${providerName}. Rename one of them, or link the existing record, then sync again.`;
    case 'rate_limited': {
      const after =
        error instanceof RateLimitError && error.retryAfterMs
          ? ` in about ${Math.ceil(error.retryAfterMs / 1000)} s`
          : ' shortly';
      return `${providerName} is throttling requests. Sync again${after}; nothing was lost.`;
    }
    case 'network':
    case 'timeout':
      return `Could not get an answer from ${providerName}. Sync again; the retry checks for an earlier attempt first, so nothing is duplicated.`;
    case 'validation':
      return 'Correct the invalid fields listed in the details and sync again.';
    case 'conflict':
      return `The record was changed in ${providerName} at the same time. Sync again to apply your changes on top.`;
    case 'not_found':
      return `The record no longer exists in ${providerName} (or locally). Check it and sync again.`;
    case 'provider_error':
      return `${providerName} rejected the request. Check the message, correct the record in your app and sync again.`;
    default:
      return 'An unexpected error occurred. Sync again; contact support if it persists.';
  }
}

export function toSyncFailure<THttp>(provider: AccountingProvider<THttp>, error: unknown): SyncFailure {
  const classified = classify(provider, error);
  return {
    category: classified.category,
    code: classified.code,
    // Provider messages can echo request data; scrub them before they reach events, notifications and emails.
    message: redactText(classified.message),
    action: redactText(classified.action ?? defaultAction(classified, provider.displayName)),
    retryable: classified.retryable,
    error: classified,
  };
}

/**
 * True when a write may have been applied even though we got an error: the request left but no trustworthy answer
 * came back. Such outcomes are settled by looking the record up, never by assuming failure.
 */
export function isOutcomeUnknown(error: BlueClerkError): boolean {
  if (error.code === 'network' || error.code === 'timeout' || error.code === 'internal') return true;
  const status = error.details.status;
  return error.code === 'provider_error' && typeof status === 'number' && status >= 500;
}
