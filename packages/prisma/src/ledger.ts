import {
  type ClaimInput,
  type ClaimResult,
  ConcurrencyError,
  type IdempotencyLedger,
  type LedgerEntry,
  type LedgerStatus,
  randomId,
  ValidationError,
} from '@blueclerk/core';
import type { StoreContext } from './context';
import {
  epochMs,
  fromEpochMs,
  guarded,
  nowPlusMs,
  nullableMs,
  parseJson,
  type RawSqlClient,
  toNumber,
} from './sql';

const DEFAULT_STALE_LIMIT = 100;
// Prisma's defaults (2 s to get a connection, 5 s to finish) are too tight when many workers contend for one key.
const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 15_000 };

interface LedgerRow {
  key: string;
  connection_id: string;
  operation: string;
  status: string;
  request_id: string;
  reference: string;
  provider_id: string | null;
  claim_token: string | null;
  claim_expires_at_ms: unknown;
  attempts: unknown;
  last_error: unknown;
  created_at_ms: unknown;
  updated_at_ms: unknown;
  claim_live?: boolean;
}

const COLUMNS = `key, connection_id, operation, status, request_id, reference, provider_id, claim_token,
  ${epochMs('claim_expires_at')} AS claim_expires_at_ms, attempts, last_error,
  ${epochMs('created_at')} AS created_at_ms, ${epochMs('updated_at')} AS updated_at_ms`;

function toEntry(row: LedgerRow): LedgerEntry {
  return {
    key: row.key,
    connectionId: row.connection_id,
    operation: row.operation,
    status: row.status as LedgerStatus,
    requestId: row.request_id,
    reference: row.reference,
    providerId: row.provider_id,
    claimToken: row.claim_token,
    claimExpiresAt: nullableMs(row.claim_expires_at_ms),
    attempts: toNumber(row.attempts),
    lastError: row.last_error === null ? null : parseJson<{ code: string; message: string }>(row.last_error),
    createdAt: toNumber(row.created_at_ms),
    updatedAt: toNumber(row.updated_at_ms),
  };
}

export function createPrismaLedger(ctx: StoreContext): IdempotencyLedger {
  const ledger = ctx.table('blueclerk_ledger');

  /** Reads the entry and the outcomes that need no write: `succeeded` is final, a live claim is `in_progress`. */
  async function readOutcome(
    client: RawSqlClient,
    key: string,
    lock: boolean,
  ): Promise<{ row: LedgerRow | undefined; result: ClaimResult | undefined }> {
    const rows = await client.$queryRawUnsafe<LedgerRow[]>(
      `SELECT ${COLUMNS}, (status = 'pending' AND claim_expires_at > now()) AS claim_live
       FROM ${ledger} WHERE key = $1::text${lock ? ' FOR UPDATE' : ''}`,
      key,
    );
    const row = rows[0];
    if (row?.status === 'succeeded') return { row, result: { outcome: 'succeeded', entry: toEntry(row) } };
    if (row?.claim_live) return { row, result: { outcome: 'in_progress', entry: toEntry(row) } };
    return { row, result: undefined };
  }

  /** The slow path of `claim`, when the entry can be claimed again: lock the row, then decide from its state. */
  async function claimExisting(tx: RawSqlClient, input: ClaimInput): Promise<ClaimResult> {
    const { row: existing, result } = await readOutcome(tx, input.key, true);
    if (result) return result;
    // Cannot be missing: ledger rows are deleted only with their connection. If that just happened, claim anew.
    if (!existing) return claimFresh(tx, input).then((fresh) => fresh ?? claimExisting(tx, input));
    // Failed, or pending with an abandoned claim: a new claim. requestId and reference stay those of the first
    // attempt, because a recovering caller must look the earlier attempt up by them in the provider.
    const outcome = existing.status === 'failed' ? 'claimed' : 'recover';
    const updated = await tx.$queryRawUnsafe<LedgerRow[]>(
      `UPDATE ${ledger} SET status = 'pending', claim_token = $2::text, claim_expires_at = ${nowPlusMs('$3')},
         attempts = attempts + 1, updated_at = now()
       WHERE key = $1::text RETURNING ${COLUMNS}`,
      input.key,
      randomId(),
      input.ttlMs,
    );
    return { outcome, entry: toEntry(updated[0] as LedgerRow) };
  }

  /** The fast path: one INSERT for a key nobody has claimed yet. Returns undefined when the key exists. */
  async function claimFresh(client: RawSqlClient, input: ClaimInput): Promise<ClaimResult | undefined> {
    const rows = await client.$queryRawUnsafe<LedgerRow[]>(
      `INSERT INTO ${ledger} (key, connection_id, operation, status, request_id, reference, claim_token,
         claim_expires_at, attempts)
       VALUES ($1::text, $2::text, $3::text, 'pending', $4::text, $5::text, $6::text, ${nowPlusMs('$7')}, 1)
       ON CONFLICT (key) DO NOTHING
       RETURNING ${COLUMNS}`,
      input.key,
      input.connectionId,
      input.operation,
      input.requestId,
      input.reference,
      randomId(),
      input.ttlMs,
    );
    return rows[0] ? { outcome: 'claimed', entry: toEntry(rows[0]) } : undefined;
  }

  /** Finishes a claim only if `claimToken` is still current; otherwise the caller was superseded. */
  async function finishClaim(
    operation: string,
    key: string,
    claimToken: string,
    set: string,
    values: unknown[],
  ): Promise<LedgerEntry> {
    const rows = await guarded(operation, () =>
      ctx.client.$queryRawUnsafe<LedgerRow[]>(
        `UPDATE ${ledger} SET ${set}, claim_token = NULL, claim_expires_at = NULL, updated_at = now()
         WHERE key = $1::text AND claim_token = $2::text AND status = 'pending'
         RETURNING ${COLUMNS}`,
        key,
        claimToken,
        ...values,
      ),
    );
    if (!rows[0]) {
      throw new ConcurrencyError(
        'ledger_claim_lost',
        `Ledger claim on ${key} is no longer current: another worker took it over or it was already finished`,
      );
    }
    return toEntry(rows[0]);
  }

  return {
    async claim(input: ClaimInput): Promise<ClaimResult> {
      if (!Number.isFinite(input.ttlMs) || input.ttlMs <= 0) {
        throw new ValidationError(`Ledger claim ttlMs must be a positive number, got ${input.ttlMs}`);
      }
      for (const field of ['key', 'connectionId', 'operation', 'requestId', 'reference'] as const) {
        if (typeof input[field] !== 'string' || input[field].length === 0) {
          throw new ValidationError(`Ledger claim ${field} must be a non-empty string`);
        }
      }
      return guarded('claim', async () => {
        const fresh = await claimFresh(ctx.client, input);
        if (fresh) return fresh;
        // Most repeats find a finished entry or a live claim: answer those from one plain read, no transaction.
        const { result } = await readOutcome(ctx.client, input.key, false);
        if (result) return result;
        return ctx.client.$transaction((tx: RawSqlClient) => claimExisting(tx, input), TRANSACTION_OPTIONS);
      });
    },

    completeClaim(key, claimToken, result) {
      return finishClaim('completeClaim', key, claimToken, `status = 'succeeded', provider_id = $3::text`, [
        result.providerId,
      ]);
    },

    failClaim(key, claimToken, error) {
      return finishClaim('failClaim', key, claimToken, `status = 'failed', last_error = $3::jsonb`, [
        JSON.stringify({ code: error.code, message: error.message }),
      ]);
    },

    async getEntry(key) {
      const rows = await guarded('getEntry', () =>
        ctx.client.$queryRawUnsafe<LedgerRow[]>(`SELECT ${COLUMNS} FROM ${ledger} WHERE key = $1::text`, key),
      );
      return rows[0] ? toEntry(rows[0]) : null;
    },

    async listStaleClaims({ expiredBefore, limit = DEFAULT_STALE_LIMIT }) {
      const rows = await guarded('listStaleClaims', () =>
        ctx.client.$queryRawUnsafe<LedgerRow[]>(
          `SELECT ${COLUMNS} FROM ${ledger}
           WHERE status = 'pending' AND claim_expires_at < ${fromEpochMs('$1')}
           ORDER BY claim_expires_at ASC, key ASC LIMIT $2::int`,
          expiredBefore,
          Math.max(0, Math.floor(limit)),
        ),
      );
      return rows.map(toEntry);
    },
  };
}
