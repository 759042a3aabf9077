import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSchemaModels, type SchemaField, type SchemaModel } from '../test/prisma-schema';
import { PrismaClient } from './generated/prisma/client';
import { migrate } from './migrate';
import { TABLE_NAMES } from './sql';
import { createPrismaStorage } from './storage';

// prisma/schema.prisma is what users merge into their own schema; migrations/*.sql is what creates the tables. This
// applies the SQL to a fresh PGlite database and checks, table by table, that the two describe the same thing.
let pglite: PGlite;
let models: SchemaModel[];

beforeAll(async () => {
  pglite = await PGlite.create();
  await migrate({ pglite });
  models = await readSchemaModels();
});

afterAll(async () => {
  await pglite.close();
});

const PG_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Json: 'jsonb',
  Boolean: 'boolean',
  DateTime: 'timestamp without time zone',
};

function expectedType(field: SchemaField): string {
  if (field.nativeType === 'Timestamptz(3)') return 'timestamptz(3)';
  if (field.type === 'DateTime') return 'timestamp(3)';
  return PG_TYPES[field.type] ?? `unknown:${field.type}`;
}

interface ColumnRow {
  column_name: string;
  data_type: string;
  datetime_precision: number | null;
  is_nullable: string;
  column_default: string | null;
}

async function columnsOf(table: string): Promise<ColumnRow[]> {
  const result = await pglite.query<ColumnRow>(
    `SELECT column_name, data_type, datetime_precision, is_nullable, column_default
     FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  return result.rows;
}

function actualType(column: ColumnRow): string {
  if (column.data_type === 'timestamp with time zone') return `timestamptz(${column.datetime_precision})`;
  if (column.data_type === 'timestamp without time zone') return `timestamp(${column.datetime_precision})`;
  return column.data_type;
}

/** Indexes of a table as `unique:col,col` / `index:col,col` / `primary:col,col` strings. */
async function indexesOf(table: string): Promise<string[]> {
  const result = await pglite.query<{ kind: string; columns: string }>(
    `SELECT CASE WHEN ix.indisprimary THEN 'primary' WHEN ix.indisunique THEN 'unique' ELSE 'index' END AS kind,
            string_agg(a.attname, ',' ORDER BY k.ord) AS columns
     FROM pg_index ix
     JOIN pg_class t ON t.oid = ix.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
     CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
     WHERE t.relname = $1
     GROUP BY ix.indexrelid, ix.indisprimary, ix.indisunique`,
    [table],
  );
  return result.rows.map((row) => `${row.kind}:${row.columns}`).sort();
}

describe('prisma/schema.prisma and migrations/*.sql', () => {
  it('declare the same tables', async () => {
    const tables = await pglite.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    const fromSql = tables.rows.map((row) => row.table_name).sort();
    expect(fromSql).toEqual(models.map((model) => model.table).sort());
    expect(fromSql).toEqual([...TABLE_NAMES].sort());
  });

  it('declare the same columns, types, nullability and defaults for every table', async () => {
    for (const model of models) {
      const columns = await columnsOf(model.table);
      const fromSql = columns.map((column) => ({
        column: column.column_name,
        type: actualType(column),
        nullable: column.is_nullable === 'YES',
        hasDefault: column.column_default !== null,
        autoincrement: column.column_default?.startsWith('nextval(') ?? false,
      }));
      const fromSchema = model.fields.map((field) => ({
        column: field.column,
        type: expectedType(field),
        nullable: field.optional,
        hasDefault: field.hasDefault,
        autoincrement: field.autoincrement,
      }));
      const byColumn = (a: { column: string }, b: { column: string }) => a.column.localeCompare(b.column);
      expect({ table: model.table, columns: fromSql.sort(byColumn) }).toEqual({
        table: model.table,
        columns: fromSchema.sort(byColumn),
      });
    }
  });

  it('declare the same primary keys, unique constraints and indexes', async () => {
    for (const model of models) {
      const fromSchema = [
        `primary:${model.primaryKey.join(',')}`,
        ...model.uniques.map((columns) => `unique:${columns.join(',')}`),
        ...model.indexes.map((columns) => `index:${columns.join(',')}`),
      ].sort();
      expect({ table: model.table, indexes: await indexesOf(model.table) }).toEqual({
        table: model.table,
        indexes: fromSchema,
      });
    }
  });

  it('let the generated Prisma client read and write every model on the migrated tables', async () => {
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
    try {
      const link = await prisma.blueClerkEntityLink.create({
        data: {
          connectionId: 'c1',
          entityType: 'invoice',
          localId: 'inv-1',
          providerId: '130',
          lastSyncedAt: new Date('2026-01-01T00:00:00.000Z'),
        },
      });
      expect(link.providerVersion).toBeNull();
      const connection = await prisma.blueClerkConnection.create({
        data: { id: 'c1', provider: 'quickbooks', ownerId: 'o1', status: 'pending', health: {} },
      });
      expect(connection.version).toBe(1);
      expect(connection.metadata).toEqual({});
      expect(connection.settings).toEqual({});
      expect(connection.grantId).toBeNull();
      // Every model must be queryable: a renamed or missing column makes Prisma's SELECT fail here.
      for (const model of models) {
        const delegateName = model.name.charAt(0).toLowerCase() + model.name.slice(1);
        const delegate = (prisma as unknown as Record<string, { findMany(): Promise<unknown[]> }>)[
          delegateName
        ];
        expect(delegate, `no Prisma delegate for ${model.name}`).toBeDefined();
        await expect(delegate!.findMany()).resolves.toBeInstanceOf(Array);
      }
      // An app's own generated client plugs straight into the storage, and closing the storage leaves it open.
      const storage = createPrismaStorage({ prisma });
      expect((await storage.connections.getConnection('c1'))?.ownerId).toBe('o1');
      await storage.close();
      expect(await prisma.blueClerkConnection.count()).toBe(1);
    } finally {
      await prisma.$disconnect();
    }
  });
});
