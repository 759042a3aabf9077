import { type Clock, systemClock } from '../../runtime/index';
import type { BlueClerkStorage } from '../storage';
import { createMemoryBackend, type MemoryBackend, stateOf } from './backend';
import { createMemoryConnectionStore } from './connections';
import type { MemoryContext } from './context';
import { createMemoryLedger } from './ledger';
import { createMemoryLinkStore } from './links';
import { createMemoryLockProvider } from './locks';
import { createMemoryNotificationStore } from './notifications';
import { createMemorySyncStateStore } from './sync-state';

export interface MemoryStorageOptions {
  /** Time source for expiries and timestamps. Defaults to the system clock. */
  clock?: Clock;
  /** Shared state; pass one backend to several storages to model several processes on one database. Defaults to a new one. */
  backend?: MemoryBackend;
}

/**
 * The reference implementation of every storage contract, kept entirely in memory.
 *
 * Good for tests, examples and single-process apps that accept losing state on restart. Every operation is one
 * synchronous critical section inside an async function (no `await` between check and set), so concurrent callers
 * in one process see the same atomicity a database transaction gives.
 */
export function createMemoryStorage(options: MemoryStorageOptions = {}): BlueClerkStorage {
  const backend = options.backend ?? createMemoryBackend();
  stateOf(backend); // fail fast on something that is not a backend
  const ctx: MemoryContext = { state: () => stateOf(backend), clock: options.clock ?? systemClock };
  return {
    connections: createMemoryConnectionStore(ctx),
    locks: createMemoryLockProvider(ctx),
    ledger: createMemoryLedger(ctx),
    links: createMemoryLinkStore(ctx),
    notifications: createMemoryNotificationStore(ctx),
    syncState: createMemorySyncStateStore(ctx),
    // Nothing to release: the backend belongs to whoever created it and lives while it is referenced.
    close: async () => {},
  };
}
