import { BlueClerkError, ConcurrencyError, StorageError } from '../errors/index';

/**
 * True when a storage call failed for a reason a retry may fix: the backend was unreachable or busy. A refused
 * compare-and-set (`conflict`, `lease_lost`) or invalid input is an answer, not an outage. Errors that are not the
 * SDK's own come from a third-party adapter that did not classify them; they count as transient.
 */
export function isTransientStorageFailure(error: unknown): boolean {
  if (StorageError.isInstance(error)) return true;
  if (!BlueClerkError.isInstance(error)) return true;
  return error.retryable && !ConcurrencyError.isInstance(error);
}
