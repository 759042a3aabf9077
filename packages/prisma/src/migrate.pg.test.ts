import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlueClerkError } from '@blueclerk/core';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestSchema, type TestSchema } from '../test/pg';
import { openClient } from './client';
import { loadMigrations, migrate, migrateClient, splitStatements } from './migrate';
import { createPrismaStorage } from './storage';

const schemas: TestSchema[] = [];

const ALL_MIGRATIONS = [
  '0001_init',
  '0002_notification_occurrences',
  '0003_connection_settings_grants',
  '0004_access_token_issued_at',
];

async function freshSchema(): Promise<TestSchema> {
  const db = await createTestSchema({ migrate: false });
  schemas.push(db);
  return db;
}

async function query<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/test' });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function tablesIn(schema: string): Promise<string[]> {
  const rows = await query<{ table_name: string }>(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
    [schema],
  );
  return rows.map((row) => row.table_name);
}

afterEach(async () => {
  await Promise.all(schemas.splice(0).map((db) => db.drop()));
});

describe('migrate() on PostgreSQL', () => {
  it('creates every table in the configured schema, records it, and is a no-op the second time', async () => {
    const db = await freshSchema();
    const first = await migrate({ connectionString: db.url });
    expect(first).toEqual({ applied: ALL_MIGRATIONS, alreadyApplied: [] });
    expect(await tablesIn(db.schema)).toEqual([
      'blueclerk_connections',
      'blueclerk_entity_links',
      'blueclerk_leases',
      'blueclerk_ledger',
      'blueclerk_migrations',
      'blueclerk_notifications',
      'blueclerk_sync_cursors',
      'blueclerk_webhook_deliveries',
    ]);
    const second = await migrate({ connectionString: db.url });
    expect(second).toEqual({ applied: [], alreadyApplied: ALL_MIGRATIONS });
    const recorded = await query<{ id: string }>(
      `SELECT id FROM "${db.schema}".blueclerk_migrations ORDER BY id`,
    );
    expect(recorded).toEqual(ALL_MIGRATIONS.map((id) => ({ id })));
  });

  it('lets concurrent migrators (separate pools) apply each migration exactly once', async () => {
    const db = await freshSchema();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => migrate({ connectionString: db.url, pool: { max: 1 } })),
    );
    const applying = results.filter((result) => result.applied.includes('0001_init'));
    expect(applying).toHaveLength(1);
    expect(results.filter((result) => result.alreadyApplied.includes('0001_init'))).toHaveLength(5);
    for (const id of ALL_MIGRATIONS) {
      expect(
        results.filter((result) => result.applied.includes(id)),
        id,
      ).toHaveLength(1);
    }
    expect(await query(`SELECT id FROM "${db.schema}".blueclerk_migrations`)).toHaveLength(
      ALL_MIGRATIONS.length,
    );
  });

  it('lets concurrent CLI processes migrate one database, each exiting 0', async () => {
    const db = await freshSchema();
    const bin = fileURLToPath(new URL('../bin/blueclerk-prisma.mjs', import.meta.url));
    const runs = await Promise.all(
      Array.from(
        { length: 3 },
        () =>
          new Promise<{ code: number | null; out: string }>((resolve, reject) => {
            const child = spawn(process.execPath, [bin, 'migrate', '--database-url', db.url], {
              env: { ...process.env, DATABASE_URL: '' },
            });
            let out = '';
            child.stdout.on('data', (chunk) => {
              out += chunk;
            });
            child.stderr.on('data', (chunk) => {
              out += chunk;
            });
            child.on('error', reject);
            child.on('close', (code) => resolve({ code, out }));
          }),
      ),
    );
    expect(runs.map((run) => run.code)).toEqual([0, 0, 0]);
    expect(runs.filter((run) => run.out.includes('applied 0001_init'))).toHaveLength(1);
    expect(runs.every((run) => !run.out.includes('127.0.0.1'))).toBe(true);
    expect(await query(`SELECT id FROM "${db.schema}".blueclerk_migrations`)).toHaveLength(
      ALL_MIGRATIONS.length,
    );
  }, 180_000); // three Node processes starting at once on a shared CI machine

  it('rolls a failing migration back entirely and does not record it', async () => {
    const db = await freshSchema();
    const dir = await mkdtemp(join(tmpdir(), 'bc-migrations-'));
    try {
      await writeFile(join(dir, '0001_ok.sql'), 'CREATE TABLE first_ok (id int);\n');
      await writeFile(
        join(dir, '0002_broken.sql'),
        'CREATE TABLE half_done (id int);\nINSERT INTO no_such_table VALUES (1);\n',
      );
      const migrations = await loadMigrations(dir);
      const opened = openClient({ connectionString: db.url });
      try {
        await expect(migrateClient(opened.client, opened.schema, migrations)).rejects.toSatisfy(
          (error: unknown) => BlueClerkError.isInstance(error),
        );
      } finally {
        await opened.close();
      }
      expect(await tablesIn(db.schema)).toEqual(['blueclerk_migrations', 'first_ok']);
      expect(await query(`SELECT id FROM "${db.schema}".blueclerk_migrations`)).toEqual([{ id: '0001_ok' }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('upgrades a 0001 database: existing notifications get occurrences and lastOccurredAt', async () => {
    const db = await freshSchema();
    const [init, occurrences] = await loadMigrations();
    expect(occurrences?.id).toBe('0002_notification_occurrences');
    const opened = openClient({ connectionString: db.url });
    try {
      await migrateClient(opened.client, opened.schema, [init!]);
      const table = `"${db.schema}".blueclerk_notifications`;
      // As the notifier stored bursts before 0002: the count in data, and a row without any.
      await query(
        `INSERT INTO ${table} (id, owner_id, type, severity, message, data, created_at) VALUES
           ('burst', 'o1', 'sync.failed', 'error', 'm', '{"occurrences": 7, "lastAt": 1767225660000}',
            to_timestamp(1767225600)),
           ('plain', 'o1', 'sync.failed', 'error', 'm', '{"occurrences": "x"}', to_timestamp(1767225600))`,
      );
      expect(await migrateClient(opened.client, opened.schema, [init!, occurrences!])).toEqual({
        applied: ['0002_notification_occurrences'],
        alreadyApplied: ['0001_init'],
      });
    } finally {
      await opened.close();
    }
    const storage = createPrismaStorage({ connectionString: db.url });
    try {
      const listed = await storage.notifications.listNotifications({ ownerId: 'o1' });
      const byId = Object.fromEntries(listed.map((n) => [n.id, n]));
      expect(byId.burst).toMatchObject({
        occurrences: 7,
        createdAt: 1767225600000,
        lastOccurredAt: 1767225660000,
      });
      expect(byId.plain).toMatchObject({
        occurrences: 1,
        createdAt: 1767225600000,
        lastOccurredAt: 1767225600000,
      });
      expect(await storage.notifications.recordRepeat('o1', 'burst', 1767225700000)).toMatchObject({
        occurrences: 8,
        lastOccurredAt: 1767225700000,
      });
    } finally {
      await storage.close();
    }
  });

  it('upgrades a 0002 database: existing connections get settings {} and grantId null, and tenant look-ups', async () => {
    const db = await freshSchema();
    const migrations = await loadMigrations();
    const upTo0002 = migrations.slice(0, 2);
    expect(migrations[2]?.id).toBe('0003_connection_settings_grants');
    const opened = openClient({ connectionString: db.url });
    try {
      await migrateClient(opened.client, opened.schema, upTo0002);
      // A connection as the 0002 store wrote it, for a provider id the old store did not know.
      await query(
        `INSERT INTO "${db.schema}".blueclerk_connections (id, provider, owner_id, tenant_id, status, health)
         VALUES ('old', 'acme-books', 'o1', 'realm-1', 'active', '{"status":"healthy","lastSuccessAt":null,
           "lastErrorAt":null,"lastError":null,"consecutiveFailures":0}')`,
      );
      expect(await migrateClient(opened.client, opened.schema)).toEqual({
        applied: ['0003_connection_settings_grants', '0004_access_token_issued_at'],
        alreadyApplied: ['0001_init', '0002_notification_occurrences'],
      });
    } finally {
      await opened.close();
    }
    const storage = createPrismaStorage({ connectionString: db.url });
    try {
      const old = await storage.connections.getConnection('old');
      expect(old).toMatchObject({ provider: 'acme-books', settings: {}, grantId: null, version: 1 });
      expect((await storage.connections.listConnections({ tenantId: 'realm-1' })).map((c) => c.id)).toEqual([
        'old',
      ]);
      const member = await storage.connections.createConnection({
        provider: 'acme-books',
        ownerId: 'o1',
        tenantId: 'realm-2',
        grantId: 'old',
        settings: { homeCurrency: 'USD' },
      });
      expect((await storage.connections.listConnections({ grantId: 'old' })).map((c) => c.id)).toEqual([
        member.id,
      ]);
      const updated = await storage.connections.updateConnection(
        'old',
        { settings: { homeCurrency: 'CAD' } },
        { expectedVersion: 1 },
      );
      expect(updated).toMatchObject({ settings: { homeCurrency: 'CAD' }, version: 2 });
    } finally {
      await storage.close();
    }
    const indexes = await query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'blueclerk_connections'
       ORDER BY indexname`,
      [db.schema],
    );
    expect(indexes.map((row) => row.indexname)).toEqual([
      'blueclerk_connections_grant_id_idx',
      'blueclerk_connections_owner_id_provider_idx',
      'blueclerk_connections_pkey',
      'blueclerk_connections_tenant_id_provider_idx',
    ]);
  });

  it('upgrades a 0003 database: tokens stored without an issue time still open, new ones keep it', async () => {
    const db = await freshSchema();
    const migrations = await loadMigrations();
    expect(migrations[3]?.id).toBe('0004_access_token_issued_at');
    const opened = openClient({ connectionString: db.url });
    try {
      await migrateClient(opened.client, opened.schema, migrations.slice(0, 3));
      // Sealed tokens as a 0003 store wrote them: envelopes and times, no issue time of the access token.
      await query(
        `INSERT INTO "${db.schema}".blueclerk_connections (id, provider, owner_id, tenant_id, status, health,
           access_token, refresh_token, access_token_expires_at, refresh_token_issued_at)
         VALUES ('old', 'quickbooks', 'o1', 'realm-1', 'active', '{"status":"healthy","lastSuccessAt":null,
           "lastErrorAt":null,"lastError":null,"consecutiveFailures":0}', 'bcv1.k1.a.b', 'bcv1.k1.c.d',
           to_timestamp(1800000000), to_timestamp(1790000000))`,
      );
      expect(await migrateClient(opened.client, opened.schema)).toEqual({
        applied: ['0004_access_token_issued_at'],
        alreadyApplied: ALL_MIGRATIONS.slice(0, 3),
      });
    } finally {
      await opened.close();
    }
    const storage = createPrismaStorage({ connectionString: db.url });
    try {
      const old = await storage.connections.getConnection('old');
      expect(old?.tokens).toEqual({
        accessToken: 'bcv1.k1.a.b',
        refreshToken: 'bcv1.k1.c.d',
        accessTokenExpiresAt: 1_800_000_000_000,
        refreshTokenExpiresAt: null,
        refreshTokenIssuedAt: 1_790_000_000_000,
        scope: null,
      });
      const tokens = { ...old!.tokens!, accessTokenIssuedAt: 1_799_996_400_000 };
      const updated = await storage.connections.updateConnection('old', { tokens }, { expectedVersion: 1 });
      expect(updated.tokens).toEqual(tokens);
      expect((await storage.connections.getConnection('old'))?.tokens).toEqual(tokens);
    } finally {
      await storage.close();
    }
  });

  it('refuses to continue when an applied migration was edited afterwards', async () => {
    const db = await freshSchema();
    await migrate({ connectionString: db.url });
    const [original] = await loadMigrations();
    const edited = { ...original!, sql: `${original!.sql}\n-- edited`, checksum: 'not-the-applied-one' };
    const opened = openClient({ connectionString: db.url });
    try {
      await expect(migrateClient(opened.client, opened.schema, [edited])).rejects.toMatchObject({
        code: 'config_invalid',
        message: expect.stringContaining('0001_init was changed after it was applied'),
      });
    } finally {
      await opened.close();
    }
  });

  it('tells the user to migrate when the tables are missing', async () => {
    const db = await freshSchema();
    const storage = createPrismaStorage({ connectionString: db.url });
    try {
      await expect(storage.connections.getConnection('c1')).rejects.toMatchObject({
        code: 'config_invalid',
        message: expect.stringContaining('blueclerk-prisma migrate'),
      });
    } finally {
      await storage.close();
    }
  });
});

describe('splitStatements', () => {
  it('splits on semicolons at line ends and drops comment lines', () => {
    expect(
      splitStatements("-- note; not a statement\nCREATE TABLE a (x text DEFAULT ';');\nSELECT 1;"),
    ).toEqual(["CREATE TABLE a (x text DEFAULT ';')", 'SELECT 1']);
  });
});
