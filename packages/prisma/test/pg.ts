import { randomId } from '@blueclerk/core';
import pg from 'pg';
import { migrate } from '../src/migrate';
import { type RawSqlClient, TABLE_NAMES, tableNamer } from '../src/sql';

/** The shared test server (see CI): trust auth, database `test`. Override with BLUECLERK_TEST_DATABASE_URL. */
export const TEST_DATABASE_URL =
  process.env.BLUECLERK_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  schema: string;
  /** URL with `?schema=`, as an app would configure it. */
  url: string;
  drop(): Promise<void>;
}

/** A fresh PostgreSQL schema with a random name, so parallel test files and other users of the server never collide. */
export async function createTestSchema(options: { migrate?: boolean } = {}): Promise<TestSchema> {
  const schema = `bc_test_${randomId(5)}`;
  const url = `${TEST_DATABASE_URL}?schema=${schema}`;
  if (options.migrate !== false) await migrate({ connectionString: url });
  return {
    schema,
    url,
    drop: async () => {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Every BlueClerk table as JSON rows: what someone with read access to the database would see. */
export async function dumpTables(client: RawSqlClient, schema: string | undefined): Promise<string> {
  const table = tableNamer(schema);
  const dump: Record<string, unknown> = {};
  for (const name of TABLE_NAMES) {
    const rows = await client.$queryRawUnsafe<Array<{ rows: unknown }>>(
      `SELECT COALESCE(json_agg(t), '[]'::json)::text AS rows FROM ${table(name)} t`,
    );
    dump[name] = JSON.parse(String(rows[0]?.rows ?? '[]'));
  }
  return JSON.stringify(dump);
}

/** Empties every table except the migration record. */
export async function truncateAll(client: RawSqlClient, schema: string | undefined): Promise<void> {
  const table = tableNamer(schema);
  const names = TABLE_NAMES.filter((name) => name !== 'blueclerk_migrations').map(table);
  await client.$executeRawUnsafe(`TRUNCATE ${names.join(', ')}`);
}
