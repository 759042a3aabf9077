/** Environment variables the refresh worker reads; `prepareRefreshScenario` fills the ones it knows. */
export const WORKER_ENV = {
  /** Absolute path or file URL of the module exporting `createStorage(): Promise<BlueClerkStorage>`. */
  storageModule: 'BLUECLERK_TEST_STORAGE_MODULE',
  tokenUrl: 'BLUECLERK_TEST_TOKEN_URL',
  connectionId: 'BLUECLERK_TEST_CONNECTION_ID',
  calls: 'BLUECLERK_TEST_CALLS',
  provider: 'BLUECLERK_TEST_PROVIDER',
  clientId: 'BLUECLERK_TEST_CLIENT_ID',
  clientSecret: 'BLUECLERK_TEST_CLIENT_SECRET',
  lockTtlMs: 'BLUECLERK_TEST_LOCK_TTL_MS',
  lockWaitMs: 'BLUECLERK_TEST_LOCK_WAIT_MS',
  refreshTimeoutMs: 'BLUECLERK_TEST_REFRESH_TIMEOUT_MS',
  /** The vault key ring, in `keyRingFromEnv` format (`id:base64key`). */
  encryptionKeys: 'BLUECLERK_ENCRYPTION_KEYS',
} as const;
