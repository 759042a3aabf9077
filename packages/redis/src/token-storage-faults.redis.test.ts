import { runTokenStorageFaultTests } from '@blueclerk/core/testing/node';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { deleteKeys, REDIS_URL, testKeyPrefix } from '../test/redis-test-support';
import { createRedisStorage } from './index';

// Core's shared suite: a freshly rotated token set survives Redis failing at the moment it is written.
const keyPrefix = testKeyPrefix('token-faults');
const admin = new Redis(REDIS_URL);
const clients: Redis[] = [];

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await deleteKeys(admin, keyPrefix);
  await admin.quit();
});

runTokenStorageFaultTests({
  name: 'Redis',
  backendUrl: REDIS_URL,
  createStorage(url, role) {
    // The CI Redis runs without persistence; persistence.redis.test.ts covers the check.
    if (role === 'direct') return createRedisStorage({ redis: url, keyPrefix, requirePersistence: false });
    // An app's own client that gives up on a command after one quick reconnect (the default keeps trying ~10 s).
    const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    client.on('error', () => {});
    clients.push(client);
    return createRedisStorage({ redis: client, keyPrefix, requirePersistence: false });
  },
});
