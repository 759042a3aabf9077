import { BlueClerkError, type Clock, systemClock, ValidationError } from '@blueclerk/core';

/**
 * `Idempotency-Key` guard for requests that create a record in the app. A double-clicked "Record payment" sends two
 * requests with the same key: the first creates the payment, the second waits for it and gets the same one. (The
 * SDK makes the QuickBooks side exactly-once through its ledger; this makes the app side exactly-once too.)
 *
 * In memory here, like the rest of "your database"; in production it is a table with a unique (account, key)
 * column pair, written in the same transaction as the record it guards.
 */
export interface IdempotencyGuard {
  /**
   * Runs `create` once per (scope, key). A repeat with the same fingerprint gets the first result (`replayed`); a
   * repeat with a different request is refused. A `create` that throws frees the key, so a retry can succeed.
   */
  once<T>(
    scope: string,
    key: string,
    fingerprint: string,
    create: () => Promise<T>,
  ): Promise<{ value: T; replayed: boolean }>;
}

interface Entry {
  fingerprint: string;
  result: Promise<unknown>;
  expiresAt: number;
}

/** Printable ASCII, like Stripe's keys (a UUID fits). */
const KEY_PATTERN = /^[\x21-\x7e]{8,255}$/;
const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;

/** Checks an `Idempotency-Key` header value. */
export function parseIdempotencyKey(value: string | undefined): string {
  if (value === undefined || !KEY_PATTERN.test(value)) {
    throw new ValidationError('Send an Idempotency-Key header (8-255 printable characters, e.g. a UUID)', [
      { path: 'Idempotency-Key', message: value === undefined ? 'missing' : 'malformed' },
    ]);
  }
  return value;
}

export function createIdempotencyGuard(options: { clock?: Clock; ttlMs?: number } = {}): IdempotencyGuard {
  const clock = options.clock ?? systemClock;
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const entries = new Map<string, Entry>();

  return {
    async once<T>(scope: string, key: string, fingerprint: string, create: () => Promise<T>) {
      const id = `${scope}\u0000${key}`;
      const existing = entries.get(id);
      if (existing && existing.expiresAt > clock.now()) {
        if (existing.fingerprint !== fingerprint) {
          throw new BlueClerkError(
            'conflict',
            'This Idempotency-Key was already used for a different request',
            { action: 'Use a new key for a new request.' },
          );
        }
        return { value: (await existing.result) as T, replayed: true };
      }
      // Registered before the first await, so a concurrent duplicate in this process finds it.
      const result = create();
      entries.set(id, { fingerprint, result, expiresAt: clock.now() + ttlMs });
      try {
        return { value: await result, replayed: false };
      } catch (error) {
        entries.delete(id);
        throw error;
      }
    },
  };
}
