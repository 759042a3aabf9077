import { BlueClerkError, MissingFieldError, RateLimitError } from '../errors/index';
import { syncFailureAction } from '../notifications/messages';
import type { AccountingProvider } from '../provider/spec';
import { redactText } from '../redact/index';
import type { EntityType } from '../storage/types';
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

/** The "what to do" line: the error's own `action`, else the one shared wording from notifications/messages. */
function missingField(error: BlueClerkError): string | undefined {
  if (MissingFieldError.isInstance(error)) return error.field;
  return typeof error.details.field === 'string' ? error.details.field : undefined;
}

function actionFor<THttp>(
  error: BlueClerkError,
  provider: AccountingProvider<THttp>,
  entityType: EntityType | null,
): string {
  if (error.action) return error.action;
  const field = missingField(error);
  const retryAfterMs = RateLimitError.isInstance(error) ? error.retryAfterMs : undefined;
  return syncFailureAction(error.category, {
    provider: provider.id,
    providerName: provider.displayName,
    entityType,
    ...(field ? { field } : {}),
    ...(retryAfterMs ? { retryAfterMs } : {}),
  });
}

export function toSyncFailure<THttp>(
  provider: AccountingProvider<THttp>,
  error: unknown,
  entityType: EntityType | null = null,
): SyncFailure {
  const classified = classify(provider, error);
  return {
    category: classified.category,
    code: classified.code,
    // Provider messages can echo request data; scrub them before they reach events, notifications and emails.
    message: redactText(classified.message),
    action: redactText(actionFor(classified, provider, entityType)),
    retryable: classified.retryable,
    ...(classified.category === 'missing_field' && missingField(classified)
      ? { field: missingField(classified) }
      : {}),
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
