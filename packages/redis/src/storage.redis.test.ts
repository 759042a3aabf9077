import { runStorageConformance } from '@blueclerk/core/testing';
import { startTcpProxy, type TcpProxy } from '@blueclerk/core/testing/node';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { deleteKeys, dumpValues, REDIS_URL, testKeyPrefix } from '../test/redis-test-support';
import { createRedisStorage } from './index';

// Core's storage conformance suite against the real Redis, in full (no opt-outs). Each `createStorage` opens its own
// client, as a separate process would; all share one random key prefix, removed afterwards. The CI Redis runs
// without persistence, hence `requirePersistence: false` (persistence.redis.test.ts covers the check).

const keyPrefix = testKeyPrefix('conformance');
const admin = new Redis(REDIS_URL);
// The outage clause talks to Redis through a proxy it can cut, as if Redis went away.
let proxy: TcpProxy;

beforeAll(async () => {
  proxy = await startTcpProxy(REDIS_URL);
});

afterAll(async () => {
  await proxy.close();
  await deleteKeys(admin, keyPrefix);
  await admin.quit();
});

runStorageConformance({
  name: 'redis',
  createStorage: async () => createRedisStorage({ redis: REDIS_URL, keyPrefix, requirePersistence: false }),
  // Every key under the prefix with its value, whatever its type: what the suite's direct-read tests inspect.
  rawSnapshot: async () => JSON.stringify([...(await dumpValues(admin, keyPrefix))]),
  outage: {
    createStorage: async () => {
      // An app's own client, tuned to give up on a command after one quick reconnect (the default retries ~10 s).
      const client = new Redis(proxy.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
      client.on('error', () => {});
      const storage = createRedisStorage({ redis: client, keyPrefix, requirePersistence: false });
      return {
        ...storage,
        close: async () => {
          await storage.close();
          client.disconnect();
        },
      };
    },
    breakBackend: () => proxy.cut(),
    repairBackend: () => proxy.restore(),
  },
});
