/**
 * The `storageModule` that `runRefreshWorkers` (from `@blueclerk/core/testing/node`) imports in each worker process:
 * one Redis storage per process, on the Redis and key prefix the test passes through the environment.
 */
import type { BlueClerkStorage } from '@blueclerk/core';
import { createRedisStorage } from '../src/index';

export const REDIS_URL_ENV = 'BLUECLERK_TEST_REDIS_URL';
export const REDIS_PREFIX_ENV = 'BLUECLERK_TEST_REDIS_PREFIX';

export async function createStorage(): Promise<BlueClerkStorage> {
  const url = process.env[REDIS_URL_ENV];
  const keyPrefix = process.env[REDIS_PREFIX_ENV];
  if (!url || !keyPrefix)
    throw new Error(`refresh worker storage: set ${REDIS_URL_ENV} and ${REDIS_PREFIX_ENV}`);
  // The CI Redis runs without persistence; the check has its own test (persistence.redis.test.ts).
  return createRedisStorage({ redis: url, keyPrefix, requirePersistence: false });
}
