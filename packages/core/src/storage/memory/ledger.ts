import { ConcurrencyError, ValidationError } from '../../errors/index';
import { randomId } from '../../runtime/index';
import type { ClaimInput, ClaimResult, IdempotencyLedger, LedgerEntry } from '../ledger';
import { copy } from './backend';
import type { MemoryContext } from './context';

const DEFAULT_STALE_LIMIT = 100;

export function createMemoryLedger(ctx: MemoryContext): IdempotencyLedger {
  /** Returns the entry only if `claimToken` is its current claim; otherwise the caller was superseded. */
  function currentClaim(key: string, claimToken: string): LedgerEntry {
    const entry = ctx.state().ledger.get(key);
    if (entry?.status !== 'pending' || entry.claimToken !== claimToken) {
      throw new ConcurrencyError(
        'ledger_claim_lost',
        `Ledger claim on ${key} is no longer current: another worker took it over or it was already finished`,
      );
    }
    return entry;
  }

  return {
    async claim(input: ClaimInput): Promise<ClaimResult> {
      if (!Number.isFinite(input.ttlMs) || input.ttlMs <= 0) {
        throw new ValidationError(`Ledger claim ttlMs must be a positive number, got ${input.ttlMs}`);
      }
      const state = ctx.state();
      const now = ctx.clock.now();
      const existing = state.ledger.get(input.key);
      if (!existing) {
        const entry: LedgerEntry = {
          key: input.key,
          connectionId: input.connectionId,
          operation: input.operation,
          status: 'pending',
          requestId: input.requestId,
          reference: input.reference,
          providerId: null,
          claimToken: randomId(),
          claimExpiresAt: now + input.ttlMs,
          attempts: 1,
          lastError: null,
          createdAt: now,
          updatedAt: now,
        };
        state.ledger.set(input.key, entry);
        return { outcome: 'claimed', entry: copy(entry) };
      }
      if (existing.status === 'succeeded') return { outcome: 'succeeded', entry: copy(existing) };
      if (existing.status === 'pending' && (existing.claimExpiresAt ?? 0) > now) {
        return { outcome: 'in_progress', entry: copy(existing) };
      }
      // Failed, or pending with an abandoned claim: hand out a new claim. requestId and reference stay those of the
      // first attempt, because a recovering caller must look the earlier attempt up by them in the provider.
      const outcome = existing.status === 'failed' ? 'claimed' : 'recover';
      const entry: LedgerEntry = {
        ...existing,
        status: 'pending',
        claimToken: randomId(),
        claimExpiresAt: now + input.ttlMs,
        attempts: existing.attempts + 1,
        updatedAt: now,
      };
      state.ledger.set(input.key, entry);
      return { outcome, entry: copy(entry) };
    },

    async completeClaim(key, claimToken, result) {
      const entry = currentClaim(key, claimToken);
      const next: LedgerEntry = {
        ...entry,
        status: 'succeeded',
        providerId: result.providerId,
        claimToken: null,
        claimExpiresAt: null,
        updatedAt: ctx.clock.now(),
      };
      ctx.state().ledger.set(key, next);
      return copy(next);
    },

    async failClaim(key, claimToken, error) {
      const entry = currentClaim(key, claimToken);
      const next: LedgerEntry = {
        ...entry,
        status: 'failed',
        lastError: { code: error.code, message: error.message },
        claimToken: null,
        claimExpiresAt: null,
        updatedAt: ctx.clock.now(),
      };
      ctx.state().ledger.set(key, next);
      return copy(next);
    },

    async getEntry(key) {
      const entry = ctx.state().ledger.get(key);
      return entry ? copy(entry) : null;
    },

    async listStaleClaims({ expiredBefore, limit = DEFAULT_STALE_LIMIT }) {
      return [...ctx.state().ledger.values()]
        .filter(
          (entry) =>
            entry.status === 'pending' &&
            entry.claimExpiresAt !== null &&
            entry.claimExpiresAt < expiredBefore,
        )
        .sort((a, b) => (a.claimExpiresAt ?? 0) - (b.claimExpiresAt ?? 0))
        .slice(0, Math.max(0, limit))
        .map((entry) => copy(entry));
    },
  };
}
