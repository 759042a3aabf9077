import { afterAll, afterEach, beforeEach, describe, it } from 'vitest';
import { ConfigurationError } from '../errors/index';
import type { BlueClerkStorage } from '../storage/index';
import { defineConnectionTests } from './storage-conformance/connections';
import type { SuiteContext } from './storage-conformance/harness';
import { defineLedgerTests } from './storage-conformance/ledger';
import { defineLinkTests } from './storage-conformance/links';
import { defineLockTests } from './storage-conformance/locks';
import { STORAGE_CONFORMANCE_TESTS, type StorageConformanceTestName } from './storage-conformance/names';
import { defineNotificationTests } from './storage-conformance/notifications';
import { defineOutageTests, type StorageOutage } from './storage-conformance/outage';
import { defineRawTests } from './storage-conformance/raw';
import { defineSyncStateTests } from './storage-conformance/sync-state';
import { defineTokenFieldTests } from './storage-conformance/token-fields';

export { STORAGE_CONFORMANCE_TESTS, type StorageConformanceTestName } from './storage-conformance/names';
export type { StorageOutage } from './storage-conformance/outage';

export interface StorageConformanceOptions {
  /** Shown in the suite title, e.g. `prisma (postgresql)`. */
  name: string;
  /**
   * A new, independent instance on the SAME backend each call (own client/pool, same database). The suite builds
   * several per test to act as several processes racing on one store; it closes each after the test.
   */
  createStorage: () => Promise<BlueClerkStorage>;
  /** Empties the backend; runs before each test. Tests use random keys, so it is optional. */
  reset?: () => Promise<void>;
  /** Tests this adapter opts out of, by name. Say why next to the list in your test file. */
  skip?: readonly StorageConformanceTestName[];
  /**
   * A raw text dump of the backing store (tables as JSON, Redis keys and values ...). When given, the suite also
   * checks through direct reads: that writes really land there, envelopes verbatim, and refused writes leave nothing.
   */
  rawSnapshot?: () => Promise<string>;
  /**
   * Takes the backend down and back (`breakBackend` / `repairBackend`). When given, the suite checks that during an
   * outage every store method rejects with `StorageError` (`storage_unavailable`, retryable) and that the same
   * instance works again afterwards.
   */
  outage?: StorageOutage;
}

/**
 * Registers the storage conformance suite with vitest. An adapter is conformant when it passes in full:
 *
 * ```ts
 * // prisma-storage.pg.test.ts
 * import { runStorageConformance } from '@blueclerk/core/testing';
 * runStorageConformance({ name: 'prisma', createStorage: () => createTestStorage(), reset: truncateAll });
 * ```
 *
 * Expiry cases wait on real time (300 ms ttls, 700 ms waits) because database adapters expire on the server clock;
 * the whole suite takes a few seconds.
 */
export function runStorageConformance(options: StorageConformanceOptions): void {
  const skip = new Set<string>(options.skip ?? []);
  for (const name of skip) {
    if (!STORAGE_CONFORMANCE_TESTS.includes(name as StorageConformanceTestName)) {
      throw new ConfigurationError('skip', `runStorageConformance: unknown test name in skip: "${name}"`);
    }
  }

  describe(`storage conformance: ${options.name}`, () => {
    let primary: BlueClerkStorage | undefined;
    let opened: BlueClerkStorage[] = [];

    const open = async (): Promise<BlueClerkStorage> => {
      const storage = await options.createStorage();
      opened.push(storage);
      return storage;
    };

    beforeEach(async () => {
      await options.reset?.();
      primary = await open();
    });

    afterEach(async () => {
      const closing = opened;
      opened = [];
      primary = undefined;
      await Promise.all(closing.map((storage) => storage.close()));
    });

    afterAll(async () => {
      await options.reset?.();
    });

    const ctx: SuiteContext = {
      test(name, fn) {
        // An opted-out test is not registered at all (as the provider suite does for undeclared capabilities).
        if (!skip.has(name)) it(name, fn);
      },
      storage() {
        if (!primary) throw new ConfigurationError('createStorage', 'storage() used outside a running test');
        return primary;
      },
      instances: (count) => Promise.all(Array.from({ length: count }, open)),
      rawSnapshot: options.rawSnapshot,
    };

    defineLockTests(ctx);
    defineConnectionTests(ctx);
    defineTokenFieldTests(ctx);
    defineLedgerTests(ctx);
    defineLinkTests(ctx);
    defineNotificationTests(ctx);
    defineSyncStateTests(ctx);
    if (options.rawSnapshot) defineRawTests(ctx, options.rawSnapshot);
    if (options.outage) defineOutageTests(ctx, options.outage);
  });
}
