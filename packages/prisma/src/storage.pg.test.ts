import { runStorageConformance } from '@blueclerk/core/testing';
import { afterAll, beforeAll } from 'vitest';
import { createTestSchema, dumpTables, type TestSchema } from '../test/pg';
import { createPrismaStorage } from './storage';

// Core's storage conformance suite against real PostgreSQL, in a schema of its own. Every `createStorage` call opens
// its own pool, so the suite's cross-instance races are races between separate connection pools.
let db: TestSchema;

beforeAll(async () => {
  db = await createTestSchema();
});

afterAll(async () => {
  await db.drop();
});

runStorageConformance({
  name: 'prisma (postgresql)',
  createStorage: async () => createPrismaStorage({ connectionString: db.url, pool: { max: 5 } }),
  rawSnapshot: async () => {
    const storage = createPrismaStorage({ connectionString: db.url, pool: { max: 1 } });
    try {
      return await dumpTables(storage.prisma, storage.schema);
    } finally {
      await storage.close();
    }
  },
});
