import { type Lease, type LockProvider, randomId, ValidationError } from '@blueclerk/core';
import type { StoreContext } from './context';
import { epochMs, guarded, nowPlusMs, toNumber } from './sql';

/**
 * Leases as rows: (key, holder, fence, expires_at). Expiry is judged on the database clock (`now()`), so workers
 * with skewed clocks agree on who holds a key. A released lease keeps its row with `expires_at` in 1970, so the
 * next grant still continues the key's fence sequence.
 */

// Released leases get this expiry: far in the past, so "expired" and "released" are the same state.
const RELEASED_AT = "'1970-01-01T00:00:00Z'::timestamptz";

interface LeaseRow {
  key: string;
  holder: string;
  fence: unknown;
  expires_at_ms: unknown;
}

function toLease(row: LeaseRow): Lease {
  return {
    key: row.key,
    holder: row.holder,
    fence: toNumber(row.fence),
    expiresAt: toNumber(row.expires_at_ms),
  };
}

function assertTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new ValidationError(`Lease ttlMs must be a positive number of milliseconds, got ${ttlMs}`);
  }
}

function assertKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0)
    throw new ValidationError('Lease key must be a non-empty string');
}

export function createPrismaLockProvider(ctx: StoreContext): LockProvider {
  const leases = ctx.table('blueclerk_leases');
  const returning = `RETURNING key, holder, fence, ${epochMs('expires_at')} AS expires_at_ms`;

  return {
    async acquireLease(key, options) {
      assertKey(key);
      assertTtl(options.ttlMs);
      const holder = options.holder ?? randomId();
      if (holder.length === 0) throw new ValidationError('Lease holder must be a non-empty string');
      // One statement: a free key inserts fence 1; a taken key is updated only if its lease ran out. ON CONFLICT
      // re-checks the WHERE against the latest committed row, so of N racing callers exactly one gets a row back.
      const rows = await guarded('acquireLease', () =>
        ctx.client.$queryRawUnsafe<LeaseRow[]>(
          `INSERT INTO ${leases} AS l (key, holder, fence, expires_at)
           VALUES ($1::text, $2::text, 1, ${nowPlusMs('$3')})
           ON CONFLICT (key) DO UPDATE
             SET holder = EXCLUDED.holder, fence = l.fence + 1, expires_at = EXCLUDED.expires_at
             WHERE l.expires_at <= now()
           ${returning}`,
          key,
          holder,
          options.ttlMs,
        ),
      );
      const row = rows[0];
      return row ? toLease(row) : null;
    },

    async releaseLease(lease) {
      const count = await guarded('releaseLease', () =>
        ctx.client.$executeRawUnsafe(
          `UPDATE ${leases} SET expires_at = ${RELEASED_AT}
           WHERE key = $1::text AND holder = $2::text AND fence = $3::bigint AND expires_at > now()`,
          lease.key,
          lease.holder,
          lease.fence,
        ),
      );
      return count === 1;
    },

    async extendLease(lease, ttlMs) {
      assertTtl(ttlMs);
      const rows = await guarded('extendLease', () =>
        ctx.client.$queryRawUnsafe<LeaseRow[]>(
          `UPDATE ${leases} SET expires_at = ${nowPlusMs('$4')}
           WHERE key = $1::text AND holder = $2::text AND fence = $3::bigint AND expires_at > now()
           ${returning}`,
          lease.key,
          lease.holder,
          lease.fence,
          ttlMs,
        ),
      );
      const row = rows[0];
      return row ? toLease(row) : null;
    },
  };
}
