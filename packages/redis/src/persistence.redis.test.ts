import { ConfigurationError, type LogLevel } from '@blueclerk/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OwnRedisServer, startOwnRedisServer } from '../test/own-redis-server';
import { createRedisStorage, type RedisStorage } from './index';

// BlueClerk keeps connections, the payment ledger and the lease fence counters in Redis: a Redis that loses them on
// a restart would have payments posted again after a re-sync. These tests run a redis-server of their own (the
// shared CI Redis runs without persistence on purpose) and change its settings with CONFIG SET.

let server: OwnRedisServer;
let admin: Redis;
const opened: RedisStorage[] = [];
let logs: Array<{ level: LogLevel; message: string }> = [];

beforeAll(async () => {
  server = await startOwnRedisServer();
  admin = new Redis(server.url);
});

afterAll(async () => {
  await Promise.all(opened.map((storage) => storage.close()));
  await admin.quit();
  await server.dispose();
});

beforeEach(async () => {
  logs = [];
  await admin.config('SET', 'appendonly', 'no');
  await admin.config('SET', 'save', '');
  await admin.config('SET', 'maxmemory-policy', 'noeviction');
});

function open(extra: { requirePersistence?: boolean } = {}): RedisStorage {
  const storage = createRedisStorage({
    redis: server.url,
    keyPrefix: 'persistence-test:',
    logger: { log: (level, message) => logs.push({ level, message }) },
    ...extra,
  });
  opened.push(storage);
  return storage;
}

async function refusal(storage: RedisStorage): Promise<ConfigurationError> {
  const error = await storage.ready().catch((e: unknown) => e);
  expect(ConfigurationError.isInstance(error), String(error)).toBe(true);
  return error as ConfigurationError;
}

describe('Redis persistence check', () => {
  it('refuses a Redis that keeps nothing across a restart, naming appendonly, on ready() and on every store call', async () => {
    const storage = open();
    const error = await refusal(storage);
    expect(error.setting).toBe('appendonly');
    expect(error.message).toMatch(/post payments again/);
    expect(error.action).toMatch(/appendonly yes/);
    expect(error.action).toMatch(/requirePersistence: false/);
    await expect(storage.connections.getConnection('c1')).rejects.toMatchObject({
      code: 'config_invalid',
      details: expect.objectContaining({ setting: 'appendonly' }),
    });
    await expect(storage.locks.acquireLease('k', { ttlMs: 1_000 })).rejects.toSatisfy(
      ConfigurationError.isInstance,
    );
    // Nothing was written before the refusal.
    expect(await admin.dbsize()).toBe(0);
  });

  it('refuses an evicting maxmemory-policy even with AOF on, naming maxmemory-policy', async () => {
    await admin.config('SET', 'appendonly', 'yes');
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const error = await refusal(open());
    expect(error.setting).toBe('maxmemory-policy');
    expect(error.details).toMatchObject({ maxmemoryPolicy: 'allkeys-lru' });
  });

  it('accepts AOF with noeviction, and what it stored survives a restart of Redis', async () => {
    // A server configured the way the README asks: AOF on from its start-up settings.
    const durable = await startOwnRedisServer({ args: ['--appendonly', 'yes'] });
    const storages: RedisStorage[] = [];
    const on = () => {
      const storage = createRedisStorage({
        redis: durable.url,
        logger: { log: (level, message) => logs.push({ level, message }) },
      });
      storages.push(storage);
      return storage;
    };
    try {
      const storage = on();
      await storage.ready();
      const created = await storage.connections.createConnection({ provider: 'quickbooks', ownerId: 'o1' });
      const lease = await storage.locks.acquireLease('refresh:x', { ttlMs: 60_000 });
      await storage.locks.releaseLease(lease!);
      expect(logs.filter((line) => line.level === 'warn')).toEqual([]);

      await durable.stop();
      await durable.start();
      // A fresh client after the restart: the record and the fence counter came back from the AOF file.
      const after = on();
      expect(await after.connections.getConnection(created.id)).toEqual(created);
      expect((await after.locks.acquireLease('refresh:x', { ttlMs: 60_000 }))?.fence).toBe(lease!.fence + 1);
    } finally {
      await Promise.all(storages.map((storage) => storage.close()));
      await durable.dispose();
    }
  });

  it('accepts RDB snapshots alone with a warning that a crash loses the latest writes', async () => {
    await admin.config('SET', 'save', '3600 1');
    await open().ready();
    expect(logs).toEqual([expect.objectContaining({ level: 'warn', message: expect.stringMatching(/RDB/) })]);
  });

  it('skips the check with requirePersistence: false (a throwaway Redis)', async () => {
    const storage = open({ requirePersistence: false });
    await storage.ready();
    expect(await storage.connections.getConnection('missing')).toBeNull();
  });
});
