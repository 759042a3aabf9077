import type { EpochMs } from './types';

/**
 * Leases: a lock with a time-to-live and a fencing token.
 *
 * Rules every implementation keeps (the storage conformance suite checks each):
 * - Of N concurrent `acquireLease` calls on a free key exactly one gets a lease; the rest get `null`.
 * - A lease whose `expiresAt` has passed may be taken over by another holder.
 * - `fence` increases strictly with every grant on a key, across takeovers and releases, and is never reused.
 * - `releaseLease` and `extendLease` act only if the caller still holds the lease (same holder and fence);
 *   a holder whose lease was taken over can neither release nor extend it, and writes fenced with its old `fence`
 *   are refused (see `ConnectionStore.updateConnection`).
 */
export interface Lease {
  key: string;
  /** Random id of the holder (one per acquire call unless the caller passes one). */
  holder: string;
  /** Monotonic fencing token for `key`. */
  fence: number;
  expiresAt: EpochMs;
}

export interface AcquireLeaseOptions {
  ttlMs: number;
  /** Defaults to a fresh random id. */
  holder?: string;
}

export interface LockProvider {
  /** Tries once, without waiting. Returns the lease or `null` if someone else holds an unexpired one. */
  acquireLease(key: string, options: AcquireLeaseOptions): Promise<Lease | null>;
  /** Releases if still held by `lease.holder` with `lease.fence`. Returns whether it released. */
  releaseLease(lease: Lease): Promise<boolean>;
  /** Extends to now + ttlMs if still held. Returns the new lease, or `null` if it was lost. */
  extendLease(lease: Lease, ttlMs: number): Promise<Lease | null>;
}
