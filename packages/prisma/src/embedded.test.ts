import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDefaultStorage, createEmbeddedStorage } from './embedded';

const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bc-pglite-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('createEmbeddedStorage', () => {
  it('keeps data in its folder across restarts, migrating only once', async () => {
    const dataDir = join(await tempDir(), 'nested', 'pglite');
    const first = await createEmbeddedStorage({ dataDir });
    const created = await first.connections.createConnection({ provider: 'xero', ownerId: 'owner-1' });
    const lease = await first.locks.acquireLease('refresh:x', { ttlMs: 60_000 });
    // A second instance on the same folder would corrupt it: refused while the first is open.
    await expect(createEmbeddedStorage({ dataDir })).rejects.toMatchObject({ code: 'config_invalid' });
    await first.close();
    expect((await readdir(dataDir)).length).toBeGreaterThan(0);

    const second = await createEmbeddedStorage({ dataDir });
    try {
      expect(await second.connections.getConnection(created.id)).toEqual(created);
      // The lease survived the restart too: the key is still taken, and the fence sequence continues.
      expect(await second.locks.acquireLease('refresh:x', { ttlMs: 60_000 })).toBeNull();
      expect(await second.locks.releaseLease(lease!)).toBe(true);
      expect((await second.locks.acquireLease('refresh:x', { ttlMs: 60_000 }))?.fence).toBe(lease!.fence + 1);
      const migrations = await second.prisma.$queryRawUnsafe<Array<{ id: string }>>(
        'SELECT id FROM blueclerk_migrations ORDER BY id',
      );
      expect(migrations).toEqual([
        { id: '0001_init' },
        { id: '0002_notification_occurrences' },
        { id: '0003_connection_settings_grants' },
        { id: '0004_access_token_issued_at' },
      ]);
    } finally {
      await second.close();
    }
  });
});

describe('createDefaultStorage', () => {
  it('uses embedded PGlite in BLUECLERK_PGLITE_DIR when DATABASE_URL is not set', async () => {
    const dataDir = join(await tempDir(), 'store');
    const storage = await createDefaultStorage({
      env: { DATABASE_URL: '  ', BLUECLERK_PGLITE_DIR: dataDir },
    });
    try {
      expect(storage.schema).toBeUndefined();
      await storage.syncState.setCursor('c1', 'invoice', 'cursor-1');
      expect(await storage.syncState.getCursor('c1', 'invoice')).toBe('cursor-1');
      expect((await readdir(dataDir)).length).toBeGreaterThan(0);
    } finally {
      await storage.close();
    }
  });
});
