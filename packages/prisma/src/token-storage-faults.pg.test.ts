import { runTokenStorageFaultTests } from '@blueclerk/core/testing/node';
import { afterAll, beforeAll } from 'vitest';
import { createTestSchema, type TestSchema } from '../test/pg';
import { createPrismaStorage } from './storage';

// Core's shared suite: a freshly rotated token set survives PostgreSQL failing at the moment it is written.
let db: TestSchema;
beforeAll(async () => {
  db = await createTestSchema();
});
afterAll(async () => {
  await db.drop();
});

runTokenStorageFaultTests({
  name: 'PostgreSQL',
  backendUrl: () => db.url,
  createStorage: (url, role) =>
    createPrismaStorage({
      connectionString: url,
      pool: role === 'direct' ? { max: 2 } : { max: 2, connectionTimeoutMillis: 2_000 },
    }),
});
