import { runStorageConformance } from '@blueclerk/core/testing';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { deleteKeys, dumpValues, REDIS_URL, testKeyPrefix } from '../test/redis-test-support';
import { createRedisStorage } from './index';

// Core's storage conformance suite against the real Redis, in full (no opt-outs). Each `createStorage` opens its own
// client, as a separate process would; all share one random key prefix, removed afterwards.

const keyPrefix = testKeyPrefix('conformance');
const admin = new Redis(REDIS_URL);

afterAll(async () => {
  await deleteKeys(admin, keyPrefix);
  await admin.quit();
});

runStorageConformance({
  name: 'redis',
  createStorage: async () => createRedisStorage({ redis: REDIS_URL, keyPrefix }),
  // Every key under the prefix with its value, whatever its type: what the suite's direct-read tests inspect.
  rawSnapshot: async () => JSON.stringify([...(await dumpValues(admin, keyPrefix))]),
});
