import { ValidationError } from '../../errors/index';
import { randomId } from '../../runtime/index';
import type { Lease, LockProvider } from '../locks';
import type { MemoryContext } from './context';

function assertTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new ValidationError(`Lease ttlMs must be a positive number of milliseconds, got ${ttlMs}`);
  }
}

export function createMemoryLockProvider(ctx: MemoryContext): LockProvider {
  /** The caller's lease is current only if nobody took the key over and it has not run out. */
  function holds(lease: Lease, now: number): boolean {
    const current = ctx.state().leases.get(lease.key);
    return (
      current !== undefined &&
      current.holder === lease.holder &&
      current.fence === lease.fence &&
      current.expiresAt > now
    );
  }

  return {
    async acquireLease(key, options) {
      assertTtl(options.ttlMs);
      const holder = options.holder ?? randomId();
      const state = ctx.state();
      const now = ctx.clock.now();
      const current = state.leases.get(key);
      // Not re-entrant, even for the same holder: a second grant would bump the fence and fence out the first.
      if (current && current.expiresAt > now) return null;
      const fence = (state.fences.get(key) ?? 0) + 1;
      const lease: Lease = { key, holder, fence, expiresAt: now + options.ttlMs };
      state.fences.set(key, fence);
      state.leases.set(key, lease);
      return { ...lease };
    },

    async releaseLease(lease) {
      if (!holds(lease, ctx.clock.now())) return false;
      // The fence counter stays behind so the next grant still gets a higher fence.
      ctx.state().leases.delete(lease.key);
      return true;
    },

    async extendLease(lease, ttlMs) {
      assertTtl(ttlMs);
      const now = ctx.clock.now();
      if (!holds(lease, now)) return null;
      const extended: Lease = {
        key: lease.key,
        holder: lease.holder,
        fence: lease.fence,
        expiresAt: now + ttlMs,
      };
      ctx.state().leases.set(lease.key, extended);
      return { ...extended };
    },
  };
}
