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
  /**
   * How often this failure happened: repeats within the notifier's de-duplication window are folded into one stored
   * notification and counted here (`recordRepeat`). 1 for a new notification.
   */
  occurrences: number;
  /** When it last happened; `createdAt` for a new notification, raised by `recordRepeat`. */
  lastOccurredAt: EpochMs;
}

/** What `appendNotification` takes: the store fills `id` (when absent), `createdAt` (when absent), `readAt: null`,
 * `occurrences: 1` and `lastOccurredAt: createdAt`. */
export type NewSyncNotification = Omit<
  SyncNotification,
  'id' | 'createdAt' | 'readAt' | 'occurrences' | 'lastOccurredAt'
> & {
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
  /**
   * Counts one more occurrence of a stored notification: atomically adds 1 to `occurrences` and raises
   * `lastOccurredAt` to `at` (a later time already recorded is kept, so out-of-order repeats never move it back).
   * Concurrent calls from any number of processes are all counted: N calls on a fresh notification give N + 1.
   * Returns the updated notification, or null for an unknown id or one of another owner (nothing is changed then).
   */
  recordRepeat(ownerId: string, id: string, at: EpochMs): Promise<SyncNotification | null>;
}
