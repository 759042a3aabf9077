import { BlueClerkError, ConcurrencyError, ConfigurationError, StorageError } from '@blueclerk/core';

/**
 * The part of a Prisma client this package uses. Every query is raw, parameterised SQL so any client works: the one
 * this package generates, or an app's own client generated from a schema that merged our models.
 */
export interface RawSqlClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

/** A Prisma client that can also run interactive transactions (the transaction client itself cannot nest them). */
export interface PrismaLikeClient extends RawSqlClient {
  // biome-ignore lint/suspicious/noExplicitAny: Prisma's own transaction client type differs per generated schema.
  $transaction<R>(fn: (tx: any) => Promise<R>, options?: { maxWait?: number; timeout?: number }): Promise<R>;
  $disconnect(): Promise<void>;
}

export type TableName =
  | 'blueclerk_connections'
  | 'blueclerk_leases'
  | 'blueclerk_ledger'
  | 'blueclerk_entity_links'
  | 'blueclerk_notifications'
  | 'blueclerk_sync_cursors'
  | 'blueclerk_webhook_deliveries'
  | 'blueclerk_migrations';

export const TABLE_NAMES: readonly TableName[] = [
  'blueclerk_connections',
  'blueclerk_leases',
  'blueclerk_ledger',
  'blueclerk_entity_links',
  'blueclerk_notifications',
  'blueclerk_sync_cursors',
  'blueclerk_webhook_deliveries',
  'blueclerk_migrations',
];

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Checks a PostgreSQL schema name; only plain identifiers are accepted, so it can be spliced into SQL safely. */
export function assertSchemaName(schema: string): string {
  if (!IDENTIFIER.test(schema)) {
    throw new ConfigurationError(
      'schema',
      'PostgreSQL schema name must be a plain identifier (letters, digits and underscores, not starting with a digit)',
    );
  }
  return schema;
}

/** Returns a function that names a table, qualified by `schema` when one is set (otherwise search_path decides). */
export function tableNamer(schema: string | undefined): (table: TableName) => string {
  const prefix = schema === undefined ? '' : `"${assertSchemaName(schema)}".`;
  return (table) => `${prefix}"${table}"`;
}

/** SQL for a timestamptz column as epoch milliseconds (a JS number), null stays null. */
export function epochMs(column: string): string {
  return `(round(extract(epoch from ${column}) * 1000))::float8`;
}

/** SQL that turns an epoch-milliseconds parameter into a timestamptz. */
export function fromEpochMs(param: string): string {
  return `to_timestamp(${param}::float8 / 1000)`;
}

/** SQL for "now plus a millisecond parameter" on the database clock, so processes with skewed clocks agree. */
export function nowPlusMs(param: string): string {
  return `(now() + ${param}::float8 * interval '1 millisecond')`;
}

/** jsonb columns come back parsed from Prisma; tolerate a string in case a driver returns text. */
export function parseJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export function toNumber(value: unknown): number {
  return typeof value === 'bigint' ? Number(value) : Number(value);
}

export function nullableMs(value: unknown): number | null {
  return value === null || value === undefined ? null : toNumber(value);
}

/** Reads the PostgreSQL SQLSTATE out of whatever Prisma or the driver adapter threw. */
export function sqlState(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const record = current as Record<string, unknown>;
    for (const candidate of [record.code, record.originalCode]) {
      if (typeof candidate === 'string' && /^[0-9A-Z]{5}$/.test(candidate) && !candidate.startsWith('P')) {
        return candidate;
      }
    }
    const meta = record.meta as Record<string, unknown> | undefined;
    const adapterError = meta?.driverAdapterError as Record<string, unknown> | undefined;
    const cause = (adapterError?.cause as Record<string, unknown> | undefined) ?? undefined;
    if (cause && typeof cause.originalCode === 'string') return cause.originalCode;
    if (meta && typeof meta.code === 'string' && /^[0-9A-Z]{5}$/.test(meta.code)) return meta.code;
    if (cause?.kind === 'UniqueConstraintViolation') return '23505';
    if (cause?.kind === 'TableDoesNotExist') return '42P01';
    current = record.cause;
  }
  if (error instanceof Error && /Code: `(\w{5})`/.test(error.message)) {
    return /Code: `(\w{5})`/.exec(error.message)?.[1];
  }
  return undefined;
}

export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === '23505';
}

// SQLSTATE classes in which the server says it cannot serve, not that the statement is wrong: 08 connection
// exception, 53 insufficient resources (too many connections, out of memory or disk), 57 operator intervention
// (admin or crash shutdown, cannot connect now, statement timeout) and 58 system error (I/O).
const UNAVAILABLE_STATE = /^(08|53|57|58)/;
// Prisma's own codes for the same: can't reach, timed out, server closed the connection, pool timeout.
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
// What the driver adapter reports for socket failures.
const UNAVAILABLE_ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);
const UNAVAILABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
// node-postgres errors without a code (a backend killed mid-query, a pool that cannot connect).
const UNAVAILABLE_MESSAGE =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|not queryable|Can't reach database server|closed the connection/i;

/** True when the database was unreachable or could not serve: the error anywhere in the cause chain says so. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const state = sqlState(error);
  if (state !== undefined && UNAVAILABLE_STATE.test(state)) return true;
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const record = current as Record<string, unknown>;
    if (typeof record.code === 'string') {
      if (UNAVAILABLE_PRISMA_CODES.has(record.code) || UNAVAILABLE_SOCKET_CODES.has(record.code)) return true;
    }
    if (typeof record.kind === 'string' && UNAVAILABLE_ADAPTER_KINDS.has(record.kind)) return true;
    const adapterCause = (record.meta as { driverAdapterError?: { cause?: { kind?: unknown } } } | undefined)
      ?.driverAdapterError?.cause;
    if (typeof adapterCause?.kind === 'string' && UNAVAILABLE_ADAPTER_KINDS.has(adapterCause.kind))
      return true;
    if (typeof record.message === 'string' && UNAVAILABLE_MESSAGE.test(record.message)) return true;
    current = record.cause;
  }
  return false;
}

/**
 * Wraps a database failure in the SDK's error hierarchy. The message names the operation only: query parameters
 * (which include sealed envelopes) never reach it, and the driver error is kept as `cause` for debugging.
 */
export function storageFailure(operation: string, error: unknown): BlueClerkError {
  if (BlueClerkError.isInstance(error)) return error;
  const state = sqlState(error);
  if (state === '42P01' || state === '3F000') {
    return new ConfigurationError(
      'database',
      `BlueClerk tables are missing (${operation}): run \`blueclerk-prisma migrate\` or call migrate() first`,
      { cause: error, action: 'Apply the BlueClerk migrations to this database and schema.' },
    );
  }
  if (state === '40001' || state === '40P01') {
    return new ConcurrencyError('conflict', `PostgreSQL aborted ${operation} on a concurrent update`, {
      cause: error,
      retryable: true,
    });
  }
  if (isDatabaseUnavailable(error)) {
    return new StorageError(operation, `PostgreSQL storage unavailable during ${operation}`, {
      cause: error,
    });
  }
  // The server answered and refused the statement: our bug or the data's, not an outage.
  return new BlueClerkError('internal', `PostgreSQL storage failed during ${operation}`, {
    cause: error,
    retryable: true,
  });
}

/** Runs one storage operation, turning driver errors into typed SDK errors. */
export async function guarded<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw storageFailure(operation, error);
  }
}
