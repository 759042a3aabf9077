import { ConfigurationError } from '@blueclerk/core';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from './generated/prisma/client';
import { assertSchemaName, type PrismaLikeClient } from './sql';

/**
 * Where the tables live. Exactly one of `prisma`, `connectionString` or `pglite`:
 * - `prisma`: your own Prisma client (generated from a schema that merged ours, with any driver adapter). The
 *   adapter only uses its raw-SQL methods and never disconnects it.
 * - `connectionString`: a PostgreSQL URL; the adapter opens its own pool through `@prisma/adapter-pg`.
 * - `pglite`: an open PGlite instance (embedded PostgreSQL), used through `pglite-prisma-adapter`.
 */
export type DatabaseTarget =
  | { prisma: PrismaLikeClient; connectionString?: never; pglite?: never; schema?: string }
  | {
      connectionString: string;
      /** Extra `pg.Pool` settings (`max`, `idleTimeoutMillis`, `ssl` ...). */
      pool?: Omit<pg.PoolConfig, 'connectionString'>;
      prisma?: never;
      pglite?: never;
      /** PostgreSQL schema of the tables. Also read from a `?schema=` parameter of the URL, as Prisma does. */
      schema?: string;
    }
  | { pglite: PGlite; prisma?: never; connectionString?: never; schema?: string };

export interface OpenedClient {
  client: PrismaLikeClient;
  schema: string | undefined;
  /** Disconnects what this package opened; a caller's own Prisma client is left alone. */
  close(): Promise<void>;
}

/** Splits Prisma's `?schema=` off a URL: node-postgres does not understand it. */
function splitSchemaParam(connectionString: string): { url: string; schema: string | undefined } {
  let parsed: URL;
  try {
    parsed = new URL(connectionString);
  } catch {
    throw new ConfigurationError('DATABASE_URL', 'PostgreSQL connection string is not a valid URL');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigurationError(
      'DATABASE_URL',
      'PostgreSQL connection string must start with postgresql://',
    );
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  return { url: parsed.toString(), schema };
}

export function openClient(target: DatabaseTarget): OpenedClient {
  const given = [target.prisma, target.connectionString, target.pglite].filter((v) => v !== undefined);
  if (given.length !== 1) {
    throw new ConfigurationError(
      'storage',
      'Pass exactly one of `prisma`, `connectionString` or `pglite` to the BlueClerk Prisma storage',
    );
  }
  if (target.prisma) {
    const schema = target.schema === undefined ? undefined : assertSchemaName(target.schema);
    return { client: target.prisma, schema, close: async () => {} };
  }
  if (target.pglite) {
    const schema = target.schema === undefined ? undefined : assertSchemaName(target.schema);
    const client = new PrismaClient({
      adapter: new PrismaPGlite(target.pglite),
    }) as unknown as PrismaLikeClient;
    return { client, schema, close: () => client.$disconnect() };
  }
  const { url, schema: urlSchema } = splitSchemaParam(target.connectionString as string);
  const schemaName = target.schema ?? urlSchema;
  const schema = schemaName === undefined ? undefined : assertSchemaName(schemaName);
  const poolConfig = 'pool' in target && target.pool ? target.pool : {};
  const adapter = new PrismaPg({ ...poolConfig, connectionString: url }, schema ? { schema } : undefined);
  const client = new PrismaClient({ adapter }) as unknown as PrismaLikeClient;
  return { client, schema, close: () => client.$disconnect() };
}
