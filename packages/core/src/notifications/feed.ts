import { ValidationError } from '../errors/index';
import { assertOptionsObject } from '../runtime/arguments';
import type { Clock } from '../runtime/index';
import { systemClock } from '../runtime/index';
import type { ConnectionHealth, ConnectionRecord, ConnectionStatus } from '../storage/connections';
import type { NotificationQuery, SyncNotification } from '../storage/notifications';
import type { BlueClerkStorage } from '../storage/storage';
import type { ProviderId } from '../storage/types';
import { isReconnectCategory, type ProviderNames, providerDisplayName, syncFailureAction } from './messages';

/**
 * The read side an app renders: the in-app list, the "recent sync failures" banner, and connection health. Plain data
 * only; a connection's sealed tokens never leave the store through here.
 *
 * @example
 * const feed = createNotificationFeed({ storage });
 * const banner = await feed.recentFailuresBanner({ ownerId: account.id, windowMs: 24 * 60 * 60 * 1000 });
 * if (banner.count > 0) showBanner(banner.items[0].title, banner.items[0].action);
 */
export interface NotificationFeed {
  /**
   * Newest first. Each notification's `occurrences` and `lastOccurredAt` say how often and when last it happened
   * (burst de-duplication); they are also copied to `data.occurrences` and `data.lastAt`.
   */
  listNotifications(query: NotificationQuery): Promise<SyncNotification[]>;
  recentFailuresBanner(options: RecentFailuresOptions): Promise<SyncFailureBanner>;
  /** Marks notifications of this owner read (dismisses them from the banner). Returns how many changed. */
  markRead(ownerId: string, ids: string[]): Promise<number>;
  /** Health of one connection; `null` if it does not exist (or belongs to another owner when `ownerId` is given). */
  getConnectionHealth(connectionId: string, options?: { ownerId?: string }): Promise<ConnectionHealth | null>;
  /** Every connection of an owner with its health, newest first. */
  listConnectionHealth(options: {
    ownerId: string;
    provider?: ProviderId;
  }): Promise<ConnectionHealthSummary[]>;
}

export interface RecentFailuresOptions {
  ownerId: string;
  /** How far back to look. Default 24 hours. */
  windowMs?: number;
  /** Most items returned (newest first); `count` still counts all. Default 10. */
  limit?: number;
  /** Include failures the user already dismissed. Default false. */
  includeRead?: boolean;
}

/** One line of the banner: a failure and its repeats, grouped. */
export interface SyncFailureBannerItem {
  /** Newest notification of the group. */
  id: string;
  /** Every notification in the group; pass them to `markRead` to dismiss the line. */
  notificationIds: string[];
  connectionId: string | null;
  provider: string | null;
  providerName: string | null;
  category: string | null;
  title: string;
  message: string;
  action: string | null;
  entityType: SyncNotification['entityType'];
  localId: string | null;
  occurrences: number;
  firstAt: number;
  lastAt: number;
}

export interface ReconnectNotice {
  connectionId: string;
  provider: ProviderId;
  providerName: string;
  /** "Reconnect QuickBooks in Settings > Integrations." */
  action: string;
  /** Safe message of the last error, if known. */
  message: string | null;
  since: number | null;
}

export interface SyncFailureBanner {
  /** Distinct failures in the window (after grouping repeats). */
  count: number;
  /** Total occurrences, repeats included. */
  occurrences: number;
  items: SyncFailureBannerItem[];
  connectionsNeedingReconnect: ReconnectNotice[];
}

export interface ConnectionHealthSummary {
  connectionId: string;
  provider: ProviderId;
  providerName: string;
  tenantId: string | null;
  connectionStatus: ConnectionStatus;
  health: ConnectionHealth;
  /** What to do, when the connection needs a human. */
  action: string | null;
}

export interface NotificationFeedOptions {
  storage: Pick<BlueClerkStorage, 'notifications' | 'connections'>;
  clock?: Clock;
  /** Display names by provider id. */
  providerNames?: ProviderNames;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** How many notifications the banner scans; a window holding more is already a wall of red. */
const BANNER_SCAN_LIMIT = 500;
const FAILURE_TYPES = new Set(['sync.failed', 'connection.needs_reconnect']);

export function createNotificationFeed(options: NotificationFeedOptions): NotificationFeed {
  assertOptionsObject('createNotificationFeed', options);
  const { storage } = options;
  const clock = options.clock ?? systemClock;
  const nameOf = (provider: string) => providerDisplayName(provider, options.providerNames);
  const reconnectAction = (provider: string) =>
    syncFailureAction('needs_reconnect', { provider, providerName: nameOf(provider) });

  // Counts come from the store (the notifier records repeats there), so any process, or a feed on its own, sees them.
  function countsOf(notification: SyncNotification): { occurrences: number; lastAt: number } {
    return { occurrences: notification.occurrences, lastAt: notification.lastOccurredAt };
  }

  function withCounts(notification: SyncNotification): SyncNotification {
    const { occurrences, lastAt } = countsOf(notification);
    return { ...notification, data: { ...notification.data, occurrences, lastAt } };
  }

  return {
    async listNotifications(query) {
      requireOwner(query?.ownerId, 'listNotifications');
      const items = await storage.notifications.listNotifications(query);
      return items.map(withCounts);
    },

    async recentFailuresBanner(query) {
      const { ownerId, windowMs = DAY_MS, limit = 10, includeRead = false } = query ?? ({} as typeof query);
      requireOwner(ownerId, 'recentFailuresBanner');
      const [notifications, connections] = await Promise.all([
        storage.notifications.listNotifications({
          ownerId,
          since: clock.now() - windowMs,
          unreadOnly: !includeRead,
          limit: BANNER_SCAN_LIMIT,
        }),
        storage.connections.listConnections({ ownerId }),
      ]);

      const groups = new Map<string, SyncFailureBannerItem>();
      for (const notification of notifications) {
        if (!FAILURE_TYPES.has(notification.type) || notification.severity === 'info') continue;
        // Two processes may each store one copy of a burst; the shared key folds them into one line.
        const key =
          typeof notification.data.dedupeKey === 'string' ? notification.data.dedupeKey : notification.id;
        const { occurrences, lastAt } = countsOf(notification);
        const group = groups.get(key);
        if (group) {
          group.notificationIds.push(notification.id);
          group.occurrences += occurrences;
          group.firstAt = Math.min(group.firstAt, notification.createdAt);
          if (lastAt > group.lastAt) group.lastAt = lastAt;
          continue;
        }
        groups.set(key, toBannerItem(notification, occurrences, lastAt));
      }

      const all = [...groups.values()].sort((a, b) => b.lastAt - a.lastAt);
      return {
        count: all.length,
        occurrences: all.reduce((sum, item) => sum + item.occurrences, 0),
        items: all.slice(0, limit),
        connectionsNeedingReconnect: connections
          .filter(needsReconnect)
          .map((connection) => toReconnectNotice(connection, options.providerNames)),
      };
    },

    async markRead(ownerId, ids) {
      requireOwner(ownerId, 'markRead');
      if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) {
        throw new ValidationError('markRead needs an array of notification ids', [
          { path: 'ids', message: 'expected an array of strings' },
        ]);
      }
      if (ids.length === 0) return 0;
      return storage.notifications.markNotificationsRead(ownerId, ids, clock.now());
    },

    async getConnectionHealth(connectionId, opts) {
      const connection = await storage.connections.getConnection(connectionId);
      if (!connection) return null;
      if (opts !== undefined && 'ownerId' in opts) {
        // An owner-scoped read with a missing owner must not fall back to "any owner".
        requireOwner(opts.ownerId, 'getConnectionHealth');
        if (connection.ownerId !== opts.ownerId) return null;
      }
      return { ...connection.health };
    },

    async listConnectionHealth(query) {
      const { ownerId, provider } = query ?? ({} as typeof query);
      requireOwner(ownerId, 'listConnectionHealth');
      const connections = await storage.connections.listConnections(
        provider === undefined ? { ownerId } : { ownerId, provider },
      );
      return connections.map((connection) => ({
        connectionId: connection.id,
        provider: connection.provider,
        providerName: nameOf(connection.provider),
        tenantId: connection.tenantId,
        connectionStatus: connection.status,
        health: { ...connection.health },
        action: needsReconnect(connection) ? reconnectAction(connection.provider) : null,
      }));
    },
  };
}

/**
 * Every read of this feed is scoped to one owner. An `ownerId` that is missing, empty or not a string is refused:
 * treating it as "no filter" would show one owner every other owner's connections (fail closed, not open).
 */
function requireOwner(ownerId: unknown, method: string): asserts ownerId is string {
  if (typeof ownerId !== 'string' || ownerId.trim() === '') {
    throw new ValidationError(`${method} needs the ownerId of the signed-in account`, [
      { path: 'ownerId', message: 'required: a non-empty string' },
    ]);
  }
}

function needsReconnect(connection: ConnectionRecord): boolean {
  if (connection.status === 'disconnected') return false;
  return connection.status === 'needs_reconnect' || connection.health.status === 'needs_reconnect';
}

function toReconnectNotice(connection: ConnectionRecord, names: ProviderNames | undefined): ReconnectNotice {
  const lastError = connection.health.lastError;
  const providerName = providerDisplayName(connection.provider, names);
  return {
    connectionId: connection.id,
    provider: connection.provider,
    providerName,
    action: syncFailureAction('needs_reconnect', { provider: connection.provider, providerName }),
    message: lastError && isReconnectCategory(lastError.category) ? lastError.message : null,
    since: connection.health.lastErrorAt,
  };
}

function toBannerItem(
  notification: SyncNotification,
  occurrences: number,
  lastAt: number,
): SyncFailureBannerItem {
  const provider = typeof notification.data.provider === 'string' ? notification.data.provider : null;
  const title = typeof notification.data.title === 'string' ? notification.data.title : notification.message;
  return {
    id: notification.id,
    notificationIds: [notification.id],
    connectionId: notification.connectionId,
    provider,
    providerName:
      typeof notification.data.providerName === 'string'
        ? notification.data.providerName
        : provider
          ? providerDisplayName(provider)
          : null,
    category: notification.category,
    title,
    message: notification.message,
    action: notification.action,
    entityType: notification.entityType,
    localId: notification.localId,
    occurrences,
    firstAt: notification.createdAt,
    lastAt,
  };
}
