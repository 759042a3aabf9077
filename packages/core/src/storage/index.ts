export type {
  ConnectionFilter,
  ConnectionHealth,
  ConnectionHealthStatus,
  ConnectionPatch,
  ConnectionRecord,
  ConnectionStatus,
  ConnectionStore,
  FenceCheck,
  NewConnection,
  SealedTokens,
} from './connections';
export { toJsonObject } from './json-object';
export type { ClaimInput, ClaimResult, IdempotencyLedger, LedgerEntry, LedgerStatus } from './ledger';
export type { EntityLink, EntityLinkStore } from './links';
export type { AcquireLeaseOptions, Lease, LockProvider } from './locks';
export type {
  NewSyncNotification,
  NotificationQuery,
  NotificationSeverity,
  NotificationStore,
  SyncNotification,
} from './notifications';
export { checkOwnerFilter, requireOwnerId } from './owner-scope';
export type { BlueClerkStorage } from './storage';
export type { CursorRecord, SyncStateStore } from './sync-state';
export {
  ENTITY_TYPES,
  type EntityType,
  type EpochMs,
  isProviderId,
  PROVIDER_ID_PATTERN,
  type ProviderId,
} from './types';
