import { ConcurrencyError } from '../../errors/index';
import { randomId } from '../../runtime/index';
import type { NotificationStore, SyncNotification } from '../notifications';
import { requireOwnerId } from '../owner-scope';
import { copy } from './backend';
import type { MemoryContext } from './context';

const DEFAULT_LIMIT = 50;

export function createMemoryNotificationStore(ctx: MemoryContext): NotificationStore {
  return {
    async appendNotification(input) {
      const createdAt = input.createdAt ?? ctx.clock.now();
      const notification: SyncNotification = copy(
        {
          ...input,
          id: input.id ?? randomId(),
          createdAt,
          readAt: null,
          occurrences: 1,
          lastOccurredAt: createdAt,
        },
        'notification',
      );
      const state = ctx.state();
      if (state.notifications.has(notification.id)) {
        throw new ConcurrencyError('conflict', `Notification ${notification.id} already exists`);
      }
      state.seq += 1;
      state.notifications.set(notification.id, { value: notification, seq: state.seq });
      return copy(notification);
    },

    async listNotifications(query) {
      requireOwnerId(query?.ownerId, 'listNotifications');
      const limit = query.limit ?? DEFAULT_LIMIT;
      return [...ctx.state().notifications.values()]
        .filter(
          ({ value }) =>
            value.ownerId === query.ownerId &&
            (query.connectionId === undefined || value.connectionId === query.connectionId) &&
            (query.severity === undefined || value.severity === query.severity) &&
            (!query.unreadOnly || value.readAt === null) &&
            (query.since === undefined || value.createdAt >= query.since),
        )
        .sort((a, b) => b.value.createdAt - a.value.createdAt || b.seq - a.seq)
        .slice(0, Math.max(0, limit))
        .map(({ value }) => copy(value));
    },

    async markNotificationsRead(ownerId, ids, at) {
      requireOwnerId(ownerId, 'markNotificationsRead');
      const state = ctx.state();
      let changed = 0;
      for (const id of new Set(ids)) {
        const entry = state.notifications.get(id);
        // Other owners' ids are ignored, not refused: an owner must not learn which foreign ids exist.
        if (!entry || entry.value.ownerId !== ownerId || entry.value.readAt !== null) continue;
        entry.value = { ...entry.value, readAt: at };
        changed += 1;
      }
      return changed;
    },

    async recordRepeat(ownerId, id, at) {
      requireOwnerId(ownerId, 'recordRepeat');
      const entry = ctx.state().notifications.get(id);
      if (!entry || entry.value.ownerId !== ownerId) return null;
      entry.value = {
        ...entry.value,
        occurrences: entry.value.occurrences + 1,
        lastOccurredAt: Math.max(entry.value.lastOccurredAt, at),
      };
      return copy(entry.value);
    },
  };
}
