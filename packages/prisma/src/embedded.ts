import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigurationError } from '@blueclerk/core';
import type { PGlite, PGliteOptions } from '@electric-sql/pglite';
import { openClient } from './client';
import { migrateClient } from './migrate';
import { createPrismaStorage, type PrismaStorage, storageOn } from './storage';

export const DEFAULT_PGLITE_DIR = '.blueclerk/pglite';

export interface EmbeddedStorageOptions {
  /**
   * Folder PGlite keeps its database in (created if missing). Default `.blueclerk/pglite`, relative to the working
   * directory. `memory://` keeps everything in memory. One process at a time may open a folder.
   */
  dataDir?: string;
  /** Extra PGlite settings. */
  pglite?: Omit<PGliteOptions, 'dataDir'>;
}

/**
 * PostgreSQL embedded in the process (PGlite, WebAssembly), kept in a folder, with the migrations applied. No
 * database server to run: the demo, examples and single-process apps start with this. Not for several processes:
 * PGlite is single-connection, so app instances that share state need PostgreSQL (`DATABASE_URL`).
 */
export async function createEmbeddedStorage(options: EmbeddedStorageOptions = {}): Promise<PrismaStorage> {
  const dataDir = options.dataDir ?? DEFAULT_PGLITE_DIR;
  const inMemory = dataDir.startsWith('memory://');
  // Two PGlite instances on one folder corrupt it. Other processes cannot be detected cheaply, but this one can.
  const folder = inMemory ? undefined : resolve(dataDir);
  if (folder !== undefined) {
    if (OPEN_FOLDERS.has(folder)) {
      throw new ConfigurationError(
        'BLUECLERK_PGLITE_DIR',
        `The embedded store in ${dataDir} is already open in this process; share one storage instead of opening it twice`,
      );
    }
    OPEN_FOLDERS.add(folder);
  }
  let pglite: PGlite | undefined;
  try {
    if (folder !== undefined) await mkdir(folder, { recursive: true });
    // Loaded on demand: PGlite's WebAssembly is only needed by apps that use the embedded store.
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create({ ...options.pglite, dataDir });
    pglite = db;
    const opened = openClient({ pglite: db });
    await migrateClient(opened.client, undefined);
    return storageOn(opened.client, undefined, async () => {
      try {
        await opened.close();
        await db.close();
      } finally {
        if (folder !== undefined) OPEN_FOLDERS.delete(folder);
      }
    });
  } catch (error) {
    await pglite?.close();
    if (folder !== undefined) OPEN_FOLDERS.delete(folder);
    throw error;
  }
}

const OPEN_FOLDERS = new Set<string>();

export interface DefaultStorageOptions {
  /** Where settings come from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Apply migrations on PostgreSQL before returning. Default true (PGlite is always migrated). */
  migrate?: boolean;
}

/**
 * The storage the demo and examples use: PostgreSQL when `DATABASE_URL` is set (tables in `BLUECLERK_DB_SCHEMA`
 * if set), otherwise embedded PGlite in `BLUECLERK_PGLITE_DIR` (default `.blueclerk/pglite`).
 */
export async function createDefaultStorage(options: DefaultStorageOptions = {}): Promise<PrismaStorage> {
  const env = options.env ?? process.env;
  const databaseUrl = env.DATABASE_URL?.trim();
  if (databaseUrl) {
    const schema = env.BLUECLERK_DB_SCHEMA?.trim() || undefined;
    const storage = createPrismaStorage({ connectionString: databaseUrl, schema });
    if (options.migrate !== false) {
      try {
        await migrateClient(storage.prisma, storage.schema);
      } catch (error) {
        await storage.close();
        throw error;
      }
    }
    return storage;
  }
  return createEmbeddedStorage({ dataDir: env.BLUECLERK_PGLITE_DIR?.trim() || DEFAULT_PGLITE_DIR });
}
