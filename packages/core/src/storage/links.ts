import type { EntityType, EpochMs } from './types';

/**
 * Entity links: which provider record a local record is synced to.
 * Unique on (connectionId, entityType, localId) and on (connectionId, entityType, providerId).
 */
export interface EntityLink {
  connectionId: string;
  entityType: EntityType;
  localId: string;
  providerId: string;
  /** Provider's concurrency token (QuickBooks SyncToken); null where the provider has none. */
  providerVersion: string | null;
  /** Hash of the last pushed/pulled content, to skip no-op updates. */
  contentHash: string | null;
  lastSyncedAt: EpochMs;
}

export interface EntityLinkStore {
  /**
   * Inserts or replaces the link for (connectionId, entityType, localId). Fails with `ConcurrencyError('conflict')`
   * if the providerId is already linked to a different local id.
   */
  upsertLink(link: EntityLink): Promise<EntityLink>;
  findLinkByLocalId(
    connectionId: string,
    entityType: EntityType,
    localId: string,
  ): Promise<EntityLink | null>;
  findLinkByProviderId(
    connectionId: string,
    entityType: EntityType,
    providerId: string,
  ): Promise<EntityLink | null>;
  deleteLink(connectionId: string, entityType: EntityType, localId: string): Promise<boolean>;
}
