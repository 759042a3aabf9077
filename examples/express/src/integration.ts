import {
  type BlueClerk,
  type BlueClerkStorage,
  createBlueClerk,
  createTokenVault,
  type HostAdapter,
  type Logger,
} from '@blueclerk/core';
import { createDefaultStorage } from '@blueclerk/prisma';
import { createQuickBooksProvider } from '@blueclerk/quickbooks';
import type { AppConfig } from './config';
import { type RunningSimulator, startSimulator } from './simulator';

/** Everything the SDK needs, wired once per process. */
export interface Integration {
  blueclerk: BlueClerk;
  storage: BlueClerkStorage;
  /** Set in simulator mode: the in-process QuickBooks (tests read it back). */
  simulator: RunningSimulator | null;
  close(): Promise<void>;
}

export interface IntegrationOptions {
  /** Use this storage instead of `createDefaultStorage` (it is not closed by `close`). */
  storage?: BlueClerkStorage;
  logger?: Logger;
}

export async function createIntegration(
  config: AppConfig,
  host: HostAdapter,
  options: IntegrationOptions = {},
): Promise<Integration> {
  // The simulator patches global fetch, so it must be listening before the SDK makes its first call.
  const simulator = config.simulator ? await startSimulator(config) : null;
  let ownedStorage: BlueClerkStorage | null = null;
  try {
    let storage = options.storage;
    if (!storage) {
      ownedStorage = await createDefaultStorage({ env: config.storageEnv });
      storage = ownedStorage;
    }
    const incomeAccountId = config.quickbooks.defaultIncomeAccountId;
    const provider = createQuickBooksProvider({
      environment: config.quickbooks.environment,
      ...(incomeAccountId ? { defaultIncomeAccountId: incomeAccountId } : {}),
    });
    // The multi-provider form: more providers are more entries in both maps.
    const blueclerk = createBlueClerk({
      providers: { quickbooks: provider },
      storage,
      vault: createTokenVault(config.keyRing),
      credentials: { quickbooks: config.quickbooks.credentials },
      stateSecret: config.stateSecret,
      host,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    return {
      blueclerk,
      storage,
      simulator,
      async close() {
        // Pending notifications are written before the store goes away.
        await blueclerk.notifier.drain();
        await ownedStorage?.close();
        simulator?.close();
      },
    };
  } catch (error) {
    await ownedStorage?.close();
    simulator?.close();
    throw error;
  }
}
