import { type LogLevel, StorageError } from '@blueclerk/core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type OwnRedisServer, startOwnRedisServer } from '../test/own-redis-server';
import { createRedisStorage } from './index';

// A client the storage opens from a URL must never leave ioredis' `error` events unhandled (ioredis then prints an
// "Unhandled error event" stack trace for every failed reconnect: dozens per outage). The outage is real: a
// redis-server of the test's own, stopped and started by its PID.

const PASSWORD = 'redis-pw-Zq81vX';
let server: OwnRedisServer;

beforeAll(async () => {
  // With AOF on, so the record written before the outage is still there after the restart.
  server = await startOwnRedisServer({ password: PASSWORD, args: ['--appendonly', 'yes'] });
});

afterAll(async () => {
  await server.dispose();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Waits, bounded, until `check` holds. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('a Redis client opened from a URL', () => {
  it('reports an outage once through the logger, with no unhandled error events, and recovers', async () => {
    const printed: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      printed.push(args.map(String).join(' '));
    });
    const logs: Array<{ level: LogLevel; message: string; fields?: Record<string, unknown> }> = [];
    const storage = createRedisStorage({
      redis: server.url,
      keyPrefix: 'client-errors:',
      logger: { log: (level, message, fields) => logs.push({ level, message, fields }) },
    });
    try {
      const created = await storage.connections.createConnection({ provider: 'quickbooks', ownerId: 'o1' });
      await server.stop();
      await until(() => logs.some((line) => line.level === 'error'), 'the outage to be logged');
      // Let ioredis fail a few reconnects more (every one emits `error`): still one line.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      // A call made during the outage waits in the client's queue and completes once Redis is back.
      const during = storage.connections.getConnection(created.id);
      await server.start();
      expect(await during).toMatchObject({ id: created.id });
      await until(() => logs.some((line) => line.level === 'info'), 'the recovery to be logged');

      expect(logs.map((line) => line.level)).toEqual(['error', 'info']);
      expect(logs[0]?.message).toMatch(/storage_unavailable/);
      expect(printed.filter((line) => line.includes('Unhandled error event'))).toEqual([]);
      expect(JSON.stringify(logs)).not.toContain(PASSWORD);
    } finally {
      await storage.close();
    }
  });

  it('fails calls with a retryable StorageError once the client gives up, never echoing the URL', async () => {
    const storage = createRedisStorage({
      redis: server.url,
      keyPrefix: 'client-errors:',
      requirePersistence: false,
    });
    await storage.close();
    const error = await storage.connections.getConnection('c1').catch((e: unknown) => e);
    expect(StorageError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'storage_unavailable', retryable: true });
    expect(
      JSON.stringify({ message: (error as Error).message, details: (error as StorageError).details }),
    ).not.toContain(PASSWORD);
  });
});
