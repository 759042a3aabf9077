import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { ConfigurationError } from '@blueclerk/core';
import { type DatabaseTarget, openClient } from './client';
import { guarded, type PrismaLikeClient, type RawSqlClient, tableNamer } from './sql';

/**
 * The package's own migrator: plain versioned SQL files in `migrations/`, applied in name order. Each migration runs
 * in its own transaction together with its row in `blueclerk_migrations`, so it is applied entirely or not at all.
 * Every transaction first takes a transaction-scoped advisory lock: concurrent migrators (several app instances
 * starting at once) queue up, and each re-reads what is applied after it gets the lock. Running it twice is a no-op.
 *
 * Advisory locks fit here (unlike for the SDK's leases): a migration is one short transaction on one connection.
 */

export interface Migration {
  /** File name without `.sql`, e.g. `0001_init`. */
  id: string;
  sql: string;
  /** SHA-256 of the SQL (line endings normalised): an applied migration that was edited afterwards is refused. */
  checksum: string;
}

export interface MigrateResult {
  /** Migrations this call applied. */
  applied: string[];
  /** Migrations that were already there. */
  alreadyApplied: string[];
}

const MIGRATIONS_DIR = new URL('../migrations/', import.meta.url);

// Prisma's interactive-transaction defaults (2 s to start, 5 s to finish) are too tight for DDL behind a lock.
const TRANSACTION_OPTIONS = { maxWait: 60_000, timeout: 120_000 };

/** Reads the shipped migrations, in the order they apply. */
export async function loadMigrations(from: URL | string = MIGRATIONS_DIR): Promise<Migration[]> {
  const directory = typeof from === 'string' ? pathToFileURL(from.endsWith('/') ? from : `${from}/`) : from;
  const names = (await readdir(directory)).filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name)).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = (await readFile(new URL(name, directory), 'utf8')).replace(/\r\n/g, '\n');
      return { id: name.slice(0, -4), sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/**
 * Splits a migration into statements: our files put one statement per `;` at a line end and keep comments on their
 * own lines (no functions or DO blocks), which is what lets them run through prepared statements one by one.
 */
export function splitStatements(sql: string): string[] {
  const withoutComments = sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n');
  return withoutComments
    .split(/;[ \t]*(?:\n|$)/)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}

/** Applies pending migrations on a client that is already open. */
export async function migrateClient(
  client: PrismaLikeClient,
  schema: string | undefined,
  migrations?: Migration[],
): Promise<MigrateResult> {
  const list = migrations ?? (await loadMigrations());
  const result: MigrateResult = { applied: [], alreadyApplied: [] };
  const migrationsTable = tableNamer(schema)('blueclerk_migrations');
  for (const migration of list) {
    const applied = await guarded('migrate', () =>
      client.$transaction(async (tx: RawSqlClient) => {
        await tx.$queryRawUnsafe(
          `SELECT pg_advisory_xact_lock(hashtext($1::text))::text`,
          `blueclerk.migrate:${schema ?? ''}`,
        );
        if (schema !== undefined) {
          await tx.$executeRawUnsafe(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
          // Unqualified names in the SQL files land in the target schema (local to this transaction).
          await tx.$executeRawUnsafe(`SET LOCAL search_path TO "${schema}"`);
        }
        await tx.$executeRawUnsafe(
          `CREATE TABLE IF NOT EXISTS ${migrationsTable} (
             id text PRIMARY KEY,
             checksum text NOT NULL,
             applied_at timestamptz(3) NOT NULL DEFAULT now())`,
        );
        const rows = await tx.$queryRawUnsafe<Array<{ checksum: string }>>(
          `SELECT checksum FROM ${migrationsTable} WHERE id = $1::text`,
          migration.id,
        );
        const existing = rows[0];
        if (existing) {
          if (existing.checksum !== migration.checksum) {
            throw new ConfigurationError(
              'migrations',
              `Migration ${migration.id} was changed after it was applied; ship changes as a new migration file`,
            );
          }
          return false;
        }
        for (const statement of splitStatements(migration.sql)) {
          await tx.$executeRawUnsafe(statement);
        }
        await tx.$executeRawUnsafe(
          `INSERT INTO ${migrationsTable} (id, checksum) VALUES ($1::text, $2::text)`,
          migration.id,
          migration.checksum,
        );
        return true;
      }, TRANSACTION_OPTIONS),
    );
    (applied ? result.applied : result.alreadyApplied).push(migration.id);
  }
  return result;
}

/**
 * Applies the BlueClerk migrations to a database: `migrate({ connectionString })`, `migrate({ prisma })` or
 * `migrate({ pglite })`, with an optional `schema`. Safe to run twice and from several processes at once.
 */
export async function migrate(target: DatabaseTarget): Promise<MigrateResult> {
  const opened = openClient(target);
  try {
    return await migrateClient(opened.client, opened.schema);
  } finally {
    await opened.close();
  }
}
