import type { BlueClerkStorage } from '@blueclerk/core';
import { type DatabaseTarget, openClient } from './client';
import { createPrismaConnectionStore } from './connections';
import type { StoreContext } from './context';
import { createPrismaLedger } from './ledger';
import { createPrismaLinkStore } from './links';
import { createPrismaLockProvider } from './locks';
import { createPrismaNotificationStore } from './notifications';
import { type PrismaLikeClient, tableNamer } from './sql';
import { createPrismaSyncStateStore } from './sync-state';

export type PrismaStorageOptions = DatabaseTarget;

/** A `BlueClerkStorage` on PostgreSQL (or PGlite), with the client it talks through. */
export interface PrismaStorage extends BlueClerkStorage {
  /** The Prisma client the stores use (yours, if you passed `prisma`). */
  readonly prisma: PrismaLikeClient;
  /** The PostgreSQL schema the tables are qualified with, or undefined for the connection's search_path. */
  readonly schema: string | undefined;
}

/**
 * Creates the storage on an existing database. Tables must exist: run `blueclerk-prisma migrate` (or `migrate()`)
 * at deploy time. A missing table surfaces as a `ConfigurationError` that says so.
 *
 * @example
 * const storage = createPrismaStorage({ connectionString: process.env.DATABASE_URL! });
 * // or, with your own client generated from a schema that includes the BlueClerk models:
 * const storage = createPrismaStorage({ prisma });
 */
export function createPrismaStorage(options: PrismaStorageOptions): PrismaStorage {
  const opened = openClient(options);
  return storageOn(opened.client, opened.schema, opened.close);
}

/** Builds the stores on an opened client; `close` releases whatever the caller opened for it. */
export function storageOn(
  client: PrismaLikeClient,
  schema: string | undefined,
  close: () => Promise<void>,
): PrismaStorage {
  const ctx: StoreContext = { client, table: tableNamer(schema) };
  let closed: Promise<void> | undefined;
  return {
    prisma: client,
    schema,
    connections: createPrismaConnectionStore(ctx),
    locks: createPrismaLockProvider(ctx),
    ledger: createPrismaLedger(ctx),
    links: createPrismaLinkStore(ctx),
    notifications: createPrismaNotificationStore(ctx),
    syncState: createPrismaSyncStateStore(ctx),
    close: () => {
      closed ??= close();
      return closed;
    },
  };
}
