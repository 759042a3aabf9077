import { runStorageConformance } from '@blueclerk/core/testing';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll } from 'vitest';
import { dumpTables } from '../test/pg';
import { migrate } from './migrate';
import { createPrismaStorage } from './storage';

// Core's storage conformance suite against PGlite (in memory). Every instance is its own Prisma client on the one
// PGlite database, the embedded equivalent of several pools on one server.
let pglite: PGlite;

beforeAll(async () => {
  pglite = await PGlite.create();
  await migrate({ pglite });
});

afterAll(async () => {
  await pglite.close();
});

runStorageConformance({
  name: 'prisma (pglite)',
  createStorage: async () => createPrismaStorage({ pglite }),
  rawSnapshot: async () => {
    const storage = createPrismaStorage({ pglite });
    try {
      return await dumpTables(storage.prisma, undefined);
    } finally {
      await storage.close();
    }
  },
});
