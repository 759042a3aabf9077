/**
 * A `storageModule` for `runRefreshWorkers`: connects to the storage a test serves with `serveStorageOverHttp`,
 * at the URL in `BLUECLERK_TEST_STORAGE_URL`.
 */
import type { BlueClerkStorage } from '../storage/storage';
import { connectStorageOverHttp, STORAGE_URL_ENV } from './storage-over-http';

export async function createStorage(): Promise<BlueClerkStorage> {
  const url = process.env[STORAGE_URL_ENV];
  if (!url) throw new Error(`${STORAGE_URL_ENV} is not set`);
  return connectStorageOverHttp(url);
}
