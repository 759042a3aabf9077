import { afterEach, describe, expect, it } from 'vitest';
import { createTestSchema, type TestSchema } from '../test/pg';
import { createDefaultStorage } from './embedded';
import { createPrismaStorage } from './storage';

let db: TestSchema | undefined;

afterEach(async () => {
  await db?.drop();
  db = undefined;
});

describe('createDefaultStorage with DATABASE_URL', () => {
  it('uses PostgreSQL in BLUECLERK_DB_SCHEMA and applies the migrations first', async () => {
    db = await createTestSchema({ migrate: false });
    const storage = await createDefaultStorage({
      env: { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test', BLUECLERK_DB_SCHEMA: db.schema },
    });
    try {
      expect(storage.schema).toBe(db.schema);
      const created = await storage.connections.createConnection({ provider: 'wave', ownerId: 'owner-1' });
      // Another client on the same schema sees it: it really is in PostgreSQL, not in a local PGlite folder.
      const other = createPrismaStorage({ connectionString: db.url });
      try {
        expect(await other.connections.getConnection(created.id)).toEqual(created);
      } finally {
        await other.close();
      }
    } finally {
      await storage.close();
    }
  });
});
