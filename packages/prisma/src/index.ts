/**
 * @blueclerk/prisma - BlueClerk storage on PostgreSQL through Prisma 7 driver adapters, with PGlite (embedded
 * PostgreSQL) as the zero-setup default.
 */
export type { DatabaseTarget } from './client';
export {
  createDefaultStorage,
  createEmbeddedStorage,
  DEFAULT_PGLITE_DIR,
  type DefaultStorageOptions,
  type EmbeddedStorageOptions,
} from './embedded';
export { loadMigrations, type MigrateResult, type Migration, migrate } from './migrate';
export type { PrismaLikeClient, RawSqlClient } from './sql';
export { createPrismaStorage, type PrismaStorage, type PrismaStorageOptions } from './storage';
