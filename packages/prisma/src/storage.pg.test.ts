import { runStorageConformance } from '@blueclerk/core/testing';
import { startTcpProxy, type TcpProxy } from '@blueclerk/core/testing/node';
import { afterAll, beforeAll } from 'vitest';
import { createTestSchema, dumpTables, type TestSchema } from '../test/pg';
import { createPrismaStorage } from './storage';

// Core's storage conformance suite against real PostgreSQL, in a schema of its own. Every `createStorage` call opens
// its own pool, so the suite's cross-instance races are races between separate connection pools.
let db: TestSchema;
// The outage clause reaches PostgreSQL through a proxy it can cut, as if the server went down.
let proxy: TcpProxy;

beforeAll(async () => {
  db = await createTestSchema();
  proxy = await startTcpProxy(db.url);
});

afterAll(async () => {
  await proxy.close();
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
  outage: {
    createStorage: async () =>
      createPrismaStorage({ connectionString: proxy.url, pool: { max: 5, connectionTimeoutMillis: 2_000 } }),
    breakBackend: () => proxy.cut(),
    repairBackend: () => proxy.restore(),
  },
});
