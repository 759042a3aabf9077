import { BlueClerkError, StorageError } from '../errors/index';
import { redactError } from '../redact/index';
import type { Clock } from '../runtime/clock';
import type { Logger } from '../runtime/logger';
import type { ConnectionRecord, SealedTokens } from '../storage/connections';
import type { Lease } from '../storage/locks';
import type { BlueClerkStorage } from '../storage/storage';
import { isTransientStorageFailure } from '../storage/transient';
import type { TokenSet, TokenVault } from '../vault/types';
import { sealTokens } from './sealed';

/**
 * Saving a token set the provider has just rotated. From the moment the token endpoint answers, the previous refresh
 * token is dead (FreshBooks at once, others after a grace period), so the new set is the only valid one and a single
 * failed write would lose the connection. Hence the write is retried while the refresh lease is held (renewing it when
 * storage lets us), and a set that still could not be saved is kept in process, per token holder, and saved by the
 * next call for that holder before anything else happens (see `PendingRotation`).
 */

/** A rotated set that could not be saved yet, kept in this process until a later call saves it. */
interface PendingRotation {
  tokens: TokenSet;
  /**
   * The refresh token of the stored set this one replaces. While the store still holds it, ours is newer and is
   * saved; once the store holds another one, some other worker saved a newer set and ours is dropped.
   */
  replacedRefreshToken: string | null;
  /**
   * The refresh lease the failed save was made under, when releasing it failed too (storage was down): it is still
   * ours until it expires, so the next call renews it instead of waiting for it to run out.
   */
  lease?: Lease;
}

export interface RefreshedTokenSaverOptions {
  storage: BlueClerkStorage;
  vault: TokenVault;
  clock: Clock;
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** The refresh lease's ttl: a renewed lease holds this long again. */
  ttlMs: number;
}

/** Where the write stands: the lease it is fenced with and the local time until which that lease is ours. */
export interface LeaseWindow {
  lease: Lease;
  heldUntil: number;
}

// Bounded: at most this many writes per save, whatever the lease allows. 100 ms doubling to 2 s spans ~30 s.
const MAX_SAVE_ATTEMPTS = 20;
const FIRST_RETRY_DELAY_MS = 100;
const MAX_RETRY_DELAY_MS = 2_000;

export function createRefreshedTokenSaver(options: RefreshedTokenSaverOptions) {
  const { storage, vault, clock, logger, sleep, random, ttlMs } = options;
  // Per token holder (grant): the only valid tokens there are, until a later call saves them.
  const pending = new Map<string, PendingRotation>();

  /**
   * One fenced write. If the lease was taken over while the refresh was in flight, the provider has already rotated:
   * the new set is the only valid one, so it is still stored as long as nobody wrote since we read (the version check
   * alone keeps newer data safe). A worker that took over and refreshes with the old token gets invalid_grant and
   * then finds this set.
   */
  async function writeOnce(
    connectionId: string,
    sealed: SealedTokens,
    expectedVersion: number,
    lease: Lease,
  ): Promise<ConnectionRecord> {
    try {
      return await storage.connections.updateConnection(
        connectionId,
        { tokens: sealed },
        { expectedVersion, fence: { key: lease.key, fence: lease.fence } },
      );
    } catch (error) {
      if (!(BlueClerkError.isInstance(error) && error.code === 'lease_lost')) throw error;
      logger.log(
        'warn',
        'refresh lease was taken over during the refresh; storing the rotated tokens by version',
        { connectionId },
      );
      return storage.connections.updateConnection(connectionId, { tokens: sealed }, { expectedVersion });
    }
  }

  /** Keeps the lease ours while we retry, if storage answers; an outage that also stops this is expected. */
  async function renew(window: LeaseWindow): Promise<void> {
    try {
      const renewed = await storage.locks.extendLease(window.lease, ttlMs);
      if (renewed) {
        window.lease = renewed;
        window.heldUntil = clock.now() + ttlMs;
      }
    } catch {
      // Storage is still down: the write below fails too and is retried within the window we still have.
    }
  }

  /**
   * Writes `sealed` (fenced by `window.lease`, at `expectedVersion`), retrying transient storage failures with
   * jittered backoff while the lease is held. Returns the stored record; throws the last failure when the lease runs
   * out or the attempts are used up, or at once for an answer that a retry cannot change (`conflict` ...).
   */
  async function write(
    connectionId: string,
    sealed: SealedTokens,
    expectedVersion: number,
    window: LeaseWindow,
  ): Promise<ConnectionRecord> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await writeOnce(connectionId, sealed, expectedVersion, window.lease);
      } catch (error) {
        if (!isTransientStorageFailure(error)) throw error;
        const step = Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** (attempt - 1));
        const delay = Math.max(1, Math.round(step / 2 + (random() * step) / 2));
        if (attempt >= MAX_SAVE_ATTEMPTS || clock.now() + delay >= window.heldUntil) throw error;
        logger.log('warn', 'saving refreshed tokens failed; retrying while the refresh lease is held', {
          connectionId,
          attempt,
          ...safeErrorFields(error),
        });
        await sleep(delay);
        await renew(window);
      }
    }
  }

  /** The rotated set could not be saved within its lease: keep it in process and say what really failed. */
  function keep(holderId: string, rotation: PendingRotation, error: unknown): StorageError {
    pending.set(holderId, rotation);
    logger.log(
      'error',
      'refreshed tokens could not be saved; kept in this process and saved on the next call',
      {
        connectionId: holderId,
        ...safeErrorFields(error),
      },
    );
    return new StorageError(
      'updateConnection',
      `Storage unavailable while saving refreshed tokens for connection ${holderId}`,
      {
        cause: error,
        details: { connectionId: holderId },
        action:
          'Check the database (PostgreSQL or Redis) the SDK stores connections in. The new tokens are kept in this process and saved by its next call for this connection; keep the process running until then.',
      },
    );
  }

  async function saveOrKeep(
    holderId: string,
    rotation: PendingRotation,
    expectedVersion: number,
    window: LeaseWindow,
  ): Promise<ConnectionRecord> {
    try {
      return await write(holderId, sealTokens(vault, holderId, rotation.tokens), expectedVersion, window);
    } catch (error) {
      // The provider has already rotated: the new set is the only valid one. Never drop it on an outage.
      if (isTransientStorageFailure(error)) throw keep(holderId, rotation, error);
      throw error;
    }
  }

  /**
   * True when `stored` is the set an unsaved one of ours replaced, so it must not be used. When the store holds some
   * other set, another worker saved a newer one meanwhile: ours is dropped and this returns false.
   */
  function isReplaced(holderId: string, stored: TokenSet): boolean {
    const kept = pending.get(holderId);
    if (!kept) return false;
    if (stored.refreshToken === kept.replacedRefreshToken) return true;
    pending.delete(holderId);
    logger.log('warn', 'another worker stored newer tokens; dropping the rotated set kept in this process', {
      connectionId: holderId,
    });
    return false;
  }

  return {
    /** True while a rotated set of this holder waits to be saved (the stored refresh token is then dead). */
    hasUnsaved(holderId: string): boolean {
      return pending.has(holderId);
    },

    isReplaced,

    /** The lease of the call whose save failed, when releasing it failed too; handed out once. */
    takeLease(holderId: string): Lease | undefined {
      const kept = pending.get(holderId);
      const lease = kept?.lease;
      if (kept) delete kept.lease;
      return lease;
    },

    /** Releasing `lease` failed: if a set of this holder is kept, its next save may renew the lease. */
    releaseFailed(holderId: string, lease: Lease): void {
      const kept = pending.get(holderId);
      if (kept) kept.lease = lease;
    },

    /**
     * Saves a set the provider just issued, replacing `replaced`. On an outage that outlasts the lease it is kept and
     * a `StorageError` ("storage unavailable while saving refreshed tokens") is thrown; other errors pass through.
     */
    saveRefreshed(
      holderId: string,
      fresh: TokenSet,
      replaced: TokenSet,
      expectedVersion: number,
      window: LeaseWindow,
    ): Promise<ConnectionRecord> {
      return saveOrKeep(
        holderId,
        { tokens: fresh, replacedRefreshToken: replaced.refreshToken },
        expectedVersion,
        window,
      );
    },

    /**
     * Saves the set an earlier call could not, under the lease the caller holds now, if `stored` is still the set it
     * replaces. Returns the stored record and that set, or null when there is none to save (or it was superseded).
     */
    async saveKept(
      holderId: string,
      record: ConnectionRecord,
      stored: TokenSet,
      window: LeaseWindow,
    ): Promise<{ record: ConnectionRecord; tokens: TokenSet } | null> {
      const kept = pending.get(holderId);
      if (!kept || !isReplaced(holderId, stored)) return null;
      const saved = await saveOrKeep(holderId, kept, record.version, window);
      pending.delete(holderId);
      logger.log('info', 'saved the refreshed tokens an earlier call could not', { connectionId: holderId });
      return { record: saved, tokens: kept.tokens };
    },
  };
}

/** Code and message of an error, redacted, for log fields (never the error object with its cause chain). */
export function safeErrorFields(error: unknown): { errorCode: string; errorMessage: string } {
  const safe = redactError(error);
  return {
    errorCode: BlueClerkError.isInstance(safe) ? safe.code : 'internal',
    errorMessage: safe instanceof Error ? safe.message : 'non-error thrown',
  };
}
