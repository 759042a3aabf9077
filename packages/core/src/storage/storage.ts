import type { ConnectionStore } from './connections';
import type { IdempotencyLedger } from './ledger';
import type { EntityLinkStore } from './links';
import type { LockProvider } from './locks';
import type { NotificationStore } from './notifications';
import type { SyncStateStore } from './sync-state';

/**
 * Everything the SDK persists. A storage adapter (`@blueclerk/prisma`, `@blueclerk/redis`, the in-memory one in core)
 * implements all of it on one backend, so fenced connection writes can check the lock table in the same place.
 * Adapters pass `runStorageConformance` from `@blueclerk/core/testing`.
 */
export interface BlueClerkStorage {
  readonly connections: ConnectionStore;
  readonly locks: LockProvider;
  readonly ledger: IdempotencyLedger;
  readonly links: EntityLinkStore;
  readonly notifications: NotificationStore;
  readonly syncState: SyncStateStore;
  /** Releases connections/pools the adapter opened itself. */
  close(): Promise<void>;
}
