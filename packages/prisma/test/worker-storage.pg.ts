/**
 * Storage module for `runRefreshWorkers` (from @blueclerk/core/testing/node): each worker process imports it and
 * opens its own pool on the PostgreSQL schema named by DATABASE_URL (`...?schema=bc_test_x`).
 */
import type { BlueClerkStorage } from '@blueclerk/core';
import { createPrismaStorage } from '../src/storage';

export async function createStorage(): Promise<BlueClerkStorage> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('worker-storage.pg: DATABASE_URL is not set');
  return createPrismaStorage({ connectionString: url, pool: { max: 4 } });
}
