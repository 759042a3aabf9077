import type { EntityType, EpochMs } from './types';

/**
 * Sync events and notifications: what happened, stored so an app can list it in-app and show a
 * "recent sync failures" banner. Newest first everywhere.
 */
export type NotificationSeverity = 'info' | 'warning' | 'error';

export interface SyncNotification {
  id: string;
  ownerId: string;
  connectionId: string | null;
  /** Event type, e.g. `sync.failed`, `invoice.synced`, `connection.needs_reconnect`. */
  type: string;
  severity: NotificationSeverity;
  /** Failure category for failures (`SyncFailureCategory`). */
  category: string | null;
  entityType: EntityType | null;
  localId: string | null;
  /** Safe, human-readable message (redacted). */
  message: string;
  /** What to do about it. */
  action: string | null;
  data: Record<string, unknown>;
  createdAt: EpochMs;
  readAt: EpochMs | null;
}

export type NewSyncNotification = Omit<SyncNotification, 'id' | 'createdAt' | 'readAt'> & {
  id?: string;
  createdAt?: EpochMs;
};

export interface NotificationQuery {
  ownerId: string;
  connectionId?: string;
  severity?: NotificationSeverity;
  unreadOnly?: boolean;
  /** Only notifications created at or after this time. */
  since?: EpochMs;
  limit?: number;
}

export interface NotificationStore {
  appendNotification(input: NewSyncNotification): Promise<SyncNotification>;
  /** Newest first; default limit 50. */
  listNotifications(query: NotificationQuery): Promise<SyncNotification[]>;
  /** Marks the given ids (of this owner) read; returns how many changed. */
  markNotificationsRead(ownerId: string, ids: string[], at: EpochMs): Promise<number>;
}
