import { ValidationError } from '../errors/index';

/*
 * Owner scoping fails closed in every store: a read or write scoped to an owner with a missing or malformed owner id
 * is refused, never taken as "no filter" (which would hand one owner every other owner's connections).
 */

/** Throws `ValidationError('ownerId')` unless `ownerId` is a non-empty string. */
export function requireOwnerId(ownerId: unknown, method: string): asserts ownerId is string {
  if (typeof ownerId !== 'string' || ownerId.trim() === '') {
    throw new ValidationError(`${method} needs an ownerId (a non-empty string)`, [
      { path: 'ownerId', message: 'required: a non-empty string' },
    ]);
  }
}

/**
 * A connection filter may leave the owner out (internal scans: webhooks by tenant, resealing), but a filter that
 * names `ownerId` must give a real one: `{ ownerId: undefined }` is the fail-open bug this refuses.
 */
export function checkOwnerFilter(filter: object | undefined, method: string): void {
  if (filter !== undefined && filter !== null && Object.hasOwn(filter, 'ownerId')) {
    requireOwnerId((filter as { ownerId?: unknown }).ownerId, method);
  }
}
