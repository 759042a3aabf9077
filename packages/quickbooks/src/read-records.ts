import { BlueClerkError, ProviderError } from '@blueclerk/core/provider';
import type { QboObject } from './client';

/**
 * Reads the records of one QuickBooks answer one by one: a record the mappers cannot read (no Id, a garbled amount,
 * a wrong type) becomes a `rejected` entry with a typed `ProviderError('malformed_response')` naming the entity and
 * the field, and the page's good records still come through. Nothing unreadable is ever reported as deleted.
 */
export function readRecords<T>(
  entity: string,
  raws: readonly QboObject[],
  map: (raw: QboObject) => T,
): { records: T[]; rejected: Array<{ providerId: string | null; error: ProviderError }> } {
  const records: T[] = [];
  const rejected: Array<{ providerId: string | null; error: ProviderError }> = [];
  for (const raw of raws) {
    try {
      records.push(map(raw));
    } catch (error) {
      const providerId = typeof raw?.Id === 'string' || typeof raw?.Id === 'number' ? String(raw.Id) : null;
      rejected.push({ providerId, error: malformed(entity, providerId, error) });
    }
  }
  return { records, rejected };
}

/** The field a mapping error points at: a ValidationError's first issue path, or a ZodError's. */
function fieldOf(error: unknown): string | null {
  const issues =
    (BlueClerkError.isInstance(error) ? (error.details.issues as unknown) : undefined) ??
    (error as { issues?: unknown } | null)?.issues;
  if (!Array.isArray(issues) || issues.length === 0) return null;
  const path = (issues[0] as { path?: unknown }).path;
  if (Array.isArray(path)) return path.map(String).join('.') || null;
  return typeof path === 'string' && path !== '' ? path : null;
}

export function malformed(entity: string, providerId: string | null, error: unknown): ProviderError {
  if (ProviderError.isInstance(error) && error.code === 'malformed_response') return error;
  const field = fieldOf(error);
  const which = providerId ? `${entity} ${providerId}` : `a ${entity} without an Id`;
  return new ProviderError(
    'malformed_response',
    `QuickBooks sent ${which} the SDK cannot read${field ? ` (${entity}.${field})` : ''}; it was skipped`,
    {
      cause: error,
      details: { entity, providerId, field },
      action: 'Open the record in QuickBooks and check it; if it looks right, contact support with its id',
    },
  );
}
