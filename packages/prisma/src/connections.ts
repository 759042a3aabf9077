import {
  ConcurrencyError,
  type ConnectionFilter,
  type ConnectionHealth,
  type ConnectionPatch,
  type ConnectionRecord,
  type ConnectionStatus,
  type ConnectionStore,
  checkOwnerFilter,
  isProviderId,
  type NewConnection,
  PROVIDER_ID_PATTERN,
  type ProviderId,
  randomId,
  type SealedTokens,
  ValidationError,
} from '@blueclerk/core';
import type { StoreContext } from './context';
import { jsonObjectText, jsonText } from './json';
import { epochMs, fromEpochMs, guarded, nullableMs, parseJson, toNumber } from './sql';

const STATUSES: readonly ConnectionStatus[] = ['pending', 'active', 'needs_reconnect', 'disconnected'];

const INITIAL_HEALTH: ConnectionHealth = {
  status: 'healthy',
  lastSuccessAt: null,
  lastErrorAt: null,
  lastError: null,
  consecutiveFailures: 0,
};

interface ConnectionRow {
  id: string;
  provider: string;
  owner_id: string;
  tenant_id: string | null;
  status: string;
  access_token: string | null;
  refresh_token: string | null;
  access_token_expires_at_ms: unknown;
  refresh_token_expires_at_ms: unknown;
  refresh_token_issued_at_ms: unknown;
  access_token_issued_at_ms: unknown;
  scope: string | null;
  health: unknown;
  metadata: unknown;
  settings: unknown;
  grant_id: string | null;
  version: unknown;
  created_at_ms: unknown;
  updated_at_ms: unknown;
}

const COLUMNS = `id, provider, owner_id, tenant_id, status, access_token, refresh_token,
  ${epochMs('access_token_expires_at')} AS access_token_expires_at_ms,
  ${epochMs('refresh_token_expires_at')} AS refresh_token_expires_at_ms,
  ${epochMs('refresh_token_issued_at')} AS refresh_token_issued_at_ms,
  ${epochMs('access_token_issued_at')} AS access_token_issued_at_ms,
  scope, health, metadata, settings, grant_id, version,
  ${epochMs('created_at')} AS created_at_ms, ${epochMs('updated_at')} AS updated_at_ms`;

function toRecord(row: ConnectionRow): ConnectionRecord {
  // Tokens exist exactly when the sealed access token does (it is the one non-nullable field of SealedTokens).
  const tokens: SealedTokens | null =
    row.access_token === null
      ? null
      : {
          accessToken: row.access_token,
          refreshToken: row.refresh_token,
          accessTokenExpiresAt: toNumber(row.access_token_expires_at_ms),
          refreshTokenExpiresAt: nullableMs(row.refresh_token_expires_at_ms),
          refreshTokenIssuedAt: nullableMs(row.refresh_token_issued_at_ms),
          scope: row.scope,
          // Absent, not null, when unknown (rows written before migration 0004, or sets sealed without it).
          ...issuedAtField(nullableMs(row.access_token_issued_at_ms)),
        };
  return {
    id: row.id,
    provider: row.provider as ProviderId,
    ownerId: row.owner_id,
    tenantId: row.tenant_id,
    status: row.status as ConnectionStatus,
    tokens,
    health: parseJson<ConnectionHealth>(row.health),
    metadata: parseJson<Record<string, unknown>>(row.metadata),
    settings: parseJson<Record<string, unknown>>(row.settings),
    grantId: row.grant_id,
    version: toNumber(row.version),
    createdAt: toNumber(row.created_at_ms),
    updatedAt: toNumber(row.updated_at_ms),
  };
}

function assertStatus(status: unknown): void {
  if (!STATUSES.includes(status as ConnectionStatus)) {
    throw new ValidationError(`Connection status must be one of ${STATUSES.join(', ')}`);
  }
}

function assertTokens(tokens: SealedTokens | null | undefined): void {
  if (tokens === null || tokens === undefined) return;
  if (typeof tokens.accessToken !== 'string' || tokens.accessToken.length === 0) {
    throw new ValidationError('Sealed tokens need an accessToken envelope');
  }
  if (!Number.isFinite(tokens.accessTokenExpiresAt)) {
    throw new ValidationError('Sealed tokens need a numeric accessTokenExpiresAt');
  }
}

function issuedAtField(value: number | null): { accessTokenIssuedAt?: number } {
  return value === null ? {} : { accessTokenIssuedAt: value };
}

/** The access token's issue time as a parameter: null when the set has none (or there are no tokens). */
function issuedAtValue(tokens: SealedTokens | null | undefined): number | null {
  return typeof tokens?.accessTokenIssuedAt === 'number' ? tokens.accessTokenIssuedAt : null;
}

/** Parameters for the first six token columns, in column order (the issue time of migration 0004 comes last). */
function tokenValues(tokens: SealedTokens | null): unknown[] {
  return [
    tokens?.accessToken ?? null,
    tokens?.refreshToken ?? null,
    tokens?.accessTokenExpiresAt ?? null,
    tokens?.refreshTokenExpiresAt ?? null,
    tokens?.refreshTokenIssuedAt ?? null,
    tokens?.scope ?? null,
  ];
}

export function createPrismaConnectionStore(ctx: StoreContext): ConnectionStore {
  const connections = ctx.table('blueclerk_connections');
  const leases = ctx.table('blueclerk_leases');

  return {
    async createConnection(input: NewConnection) {
      if (!isProviderId(input.provider)) {
        throw new ValidationError('Connection provider must be a well-formed provider id', [
          { path: 'provider', message: `must match ${PROVIDER_ID_PATTERN}` },
        ]);
      }
      if (typeof input.ownerId !== 'string' || input.ownerId.length === 0) {
        throw new ValidationError('Connection ownerId must be a non-empty string', [
          { path: 'ownerId', message: 'required' },
        ]);
      }
      const status = input.status ?? 'pending';
      assertStatus(status);
      assertTokens(input.tokens);
      const id = input.id ?? randomId();
      const settings = jsonObjectText(input.settings === undefined ? {} : input.settings, 'settings');
      const grantId = input.grantId ?? null;
      if (grantId !== null && (typeof grantId !== 'string' || grantId === id)) {
        throw grantRefused(grantId === id ? 'a connection cannot hold its own grant' : 'no such connection');
      }
      // The holder check sits in the same statement as the insert; FOR SHARE makes a concurrent delete of the holder
      // wait for this insert, so a new member never points at a holder deleted while it was being checked.
      const rows = await guarded('createConnection', () =>
        ctx.client.$queryRawUnsafe<ConnectionRow[]>(
          `WITH holder AS (
             SELECT id FROM ${connections}
             WHERE id = $15::text AND owner_id = $3::text AND provider = $2::text FOR SHARE)
           INSERT INTO ${connections} (id, provider, owner_id, tenant_id, status, access_token, refresh_token,
             access_token_expires_at, refresh_token_expires_at, refresh_token_issued_at, scope, health, metadata,
             settings, grant_id, access_token_issued_at)
           SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text,
             ${fromEpochMs('$8')}, ${fromEpochMs('$9')}, ${fromEpochMs('$10')}, $11::text, $12::jsonb, $13::jsonb,
             $14::jsonb, $15::text, ${fromEpochMs('$16')}
           WHERE $15::text IS NULL OR EXISTS (SELECT 1 FROM holder)
           ON CONFLICT (id) DO NOTHING
           RETURNING ${COLUMNS}`,
          id,
          input.provider,
          input.ownerId,
          input.tenantId ?? null,
          status,
          ...tokenValues(input.tokens ?? null),
          jsonText(INITIAL_HEALTH, 'health'),
          jsonText(input.metadata ?? {}, 'metadata'),
          settings,
          grantId,
          issuedAtValue(input.tokens),
        ),
      );
      const row = rows[0];
      if (row) return toRecord(row);
      throw await explainRefusedCreate(ctx, id, input);
    },

    async getConnection(id) {
      const rows = await guarded('getConnection', () =>
        ctx.client.$queryRawUnsafe<ConnectionRow[]>(
          `SELECT ${COLUMNS} FROM ${connections} WHERE id = $1::text`,
          id,
        ),
      );
      return rows[0] ? toRecord(rows[0]) : null;
    },

    async listConnections(filter: ConnectionFilter = {}) {
      checkOwnerFilter(filter, 'listConnections');
      // Only the filters given become conditions, so the planner sees plain equalities and can use the owner, grant
      // and tenant indexes (a `$1 IS NULL OR col = $1` form hides them from a generic plan).
      const values: unknown[] = [];
      const conditions: string[] = [];
      for (const [column, value] of [
        ['owner_id', filter.ownerId],
        ['provider', filter.provider],
        ['status', filter.status],
        ['grant_id', filter.grantId],
        ['tenant_id', filter.tenantId],
      ] as const) {
        if (value === undefined) continue;
        values.push(value);
        conditions.push(`${column} = $${values.length}::text`);
      }
      const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
      const rows = await guarded('listConnections', () =>
        ctx.client.$queryRawUnsafe<ConnectionRow[]>(
          `SELECT ${COLUMNS} FROM ${connections} ${where} ORDER BY created_at DESC, seq DESC`,
          ...values,
        ),
      );
      return rows.map(toRecord);
    },

    async updateConnection(id, patch: ConnectionPatch, options) {
      if (!Number.isInteger(options.expectedVersion)) {
        throw new ValidationError('expectedVersion must be an integer');
      }
      if (patch.status !== undefined) assertStatus(patch.status);
      assertTokens(patch.tokens);
      const settings = patch.settings === undefined ? undefined : jsonObjectText(patch.settings, 'settings');

      // Build the SET list from the fields present; column names come from this fixed list, values are parameters.
      const values: unknown[] = [id, options.expectedVersion];
      const param = (value: unknown, cast: string): string => {
        values.push(value);
        return `$${values.length}::${cast}`;
      };
      const sets = ['version = c.version + 1', 'updated_at = now()'];
      if (patch.tenantId !== undefined) sets.push(`tenant_id = ${param(patch.tenantId, 'text')}`);
      if (patch.status !== undefined) sets.push(`status = ${param(patch.status, 'text')}`);
      if (patch.metadata !== undefined) {
        sets.push(`metadata = ${param(jsonText(patch.metadata, 'metadata'), 'jsonb')}`);
      }
      if (settings !== undefined) sets.push(`settings = ${param(settings, 'jsonb')}`);
      if (patch.tokens !== undefined) {
        const [access, refresh, accessExp, refreshExp, issued, scope] = tokenValues(patch.tokens);
        sets.push(
          `access_token = ${param(access, 'text')}`,
          `refresh_token = ${param(refresh, 'text')}`,
          `access_token_expires_at = ${fromEpochMs(param(accessExp, 'float8'))}`,
          `refresh_token_expires_at = ${fromEpochMs(param(refreshExp, 'float8'))}`,
          `refresh_token_issued_at = ${fromEpochMs(param(issued, 'float8'))}`,
          `scope = ${param(scope, 'text')}`,
          `access_token_issued_at = ${fromEpochMs(param(issuedAtValue(patch.tokens), 'float8'))}`,
        );
      }

      // The fence check sits in the same statement as the write. FOR SHARE on the lease row makes a concurrent
      // takeover wait for this write (or this write wait for the takeover and then see its higher fence), so a write
      // is never accepted after a newer lease has been granted.
      let fenceSql = '';
      let fenceCte = '';
      if (options.fence) {
        const key = param(options.fence.key, 'text');
        const fence = param(options.fence.fence, 'bigint');
        fenceCte = `WITH fence_row AS (SELECT fence FROM ${leases} WHERE key = ${key} FOR SHARE) `;
        fenceSql = ` AND NOT EXISTS (SELECT 1 FROM fence_row WHERE fence_row.fence > ${fence})`;
      }
      const rows = await guarded('updateConnection', () =>
        ctx.client.$queryRawUnsafe<ConnectionRow[]>(
          `${fenceCte}UPDATE ${connections} AS c SET ${sets.join(', ')}
           WHERE c.id = $1::text AND c.version = $2::int${fenceSql}
           RETURNING ${COLUMNS}`,
          ...values,
        ),
      );
      if (rows[0]) return toRecord(rows[0]);
      throw await explainRefusedUpdate(ctx, id, options);
    },

    async setConnectionHealth(id, health: ConnectionHealth) {
      const count = await guarded('setConnectionHealth', () =>
        ctx.client.$executeRawUnsafe(
          `UPDATE ${connections} SET health = $2::jsonb WHERE id = $1::text`,
          id,
          jsonText(health, 'health'),
        ),
      );
      return count > 0;
    },

    async deleteConnection(id) {
      // Data-modifying CTEs run as one statement: the connection and what hangs off it go together or not at all.
      // Notifications stay for audit.
      const count = await guarded('deleteConnection', () =>
        ctx.client.$executeRawUnsafe(
          `WITH links AS (DELETE FROM ${ctx.table('blueclerk_entity_links')} WHERE connection_id = $1::text),
                cursors AS (DELETE FROM ${ctx.table('blueclerk_sync_cursors')} WHERE connection_id = $1::text),
                ledger AS (DELETE FROM ${ctx.table('blueclerk_ledger')} WHERE connection_id = $1::text)
           DELETE FROM ${connections} WHERE id = $1::text`,
          id,
        ),
      );
      return count > 0;
    },
  };
}

function grantRefused(problem: string): ValidationError {
  return new ValidationError(
    `grantId must name another connection of the same owner and provider: ${problem}`,
    [{ path: 'grantId', message: problem }],
  );
}

/**
 * After an insert that wrote nothing: the id was taken (reported first, as core's in-memory reference does) or the
 * grant holder is missing or not the member's owner and provider.
 */
async function explainRefusedCreate(ctx: StoreContext, id: string, input: NewConnection): Promise<Error> {
  const rows = await guarded('createConnection', () =>
    ctx.client.$queryRawUnsafe<Array<{ id: string; owner_id: string; provider: string }>>(
      `SELECT id, owner_id, provider FROM ${ctx.table('blueclerk_connections')} WHERE id IN ($1::text, $2::text)`,
      id,
      input.grantId ?? null,
    ),
  );
  if (rows.some((row) => row.id === id)) {
    return new ConcurrencyError('conflict', `Connection ${id} already exists`);
  }
  const holder = rows.find((row) => row.id === input.grantId);
  if (!holder) return grantRefused('no such connection');
  if (holder.owner_id !== input.ownerId) return grantRefused('the connection belongs to another owner');
  if (holder.provider !== input.provider) return grantRefused('the connection belongs to another provider');
  // The holder appeared after the insert looked for it: refused all the same, as it did not exist at the time.
  return grantRefused('no such connection');
}

/** After a refused compare-and-set: says why, in the same order of precedence as core's in-memory reference. */
async function explainRefusedUpdate(
  ctx: StoreContext,
  id: string,
  options: { expectedVersion: number; fence?: { key: string; fence: number } },
): Promise<ConcurrencyError> {
  const rows = await guarded('updateConnection', () =>
    ctx.client.$queryRawUnsafe<Array<{ version: unknown; lease_fence: unknown }>>(
      `SELECT c.version,
              (SELECT l.fence::float8 FROM ${ctx.table('blueclerk_leases')} l WHERE l.key = $2::text) AS lease_fence
       FROM ${ctx.table('blueclerk_connections')} c WHERE c.id = $1::text`,
      id,
      options.fence?.key ?? null,
    ),
  );
  const row = rows[0];
  if (!row) return new ConcurrencyError('conflict', `Connection ${id} does not exist`);
  if (options.fence && row.lease_fence !== null && toNumber(row.lease_fence) > options.fence.fence) {
    return new ConcurrencyError(
      'lease_lost',
      `Write to connection ${id} refused: a newer lease on ${options.fence.key} was granted`,
    );
  }
  const actual = toNumber(row.version);
  return new ConcurrencyError(
    'conflict',
    `Connection ${id} is at version ${actual}, not ${options.expectedVersion}`,
    {
      details: { expectedVersion: options.expectedVersion, actualVersion: actual },
    },
  );
}
