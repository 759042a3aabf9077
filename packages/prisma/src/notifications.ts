import {
  ConcurrencyError,
  type EntityType,
  type NotificationSeverity,
  type NotificationStore,
  randomId,
  requireOwnerId,
  type SyncNotification,
  ValidationError,
} from '@blueclerk/core';
import type { StoreContext } from './context';
import { epochMs, fromEpochMs, guarded, nullableMs, parseJson, toNumber } from './sql';

const DEFAULT_LIMIT = 50;
const SEVERITIES: readonly NotificationSeverity[] = ['info', 'warning', 'error'];

interface NotificationRow {
  id: string;
  owner_id: string;
  connection_id: string | null;
  type: string;
  severity: string;
  category: string | null;
  entity_type: string | null;
  local_id: string | null;
  message: string;
  action: string | null;
  data: unknown;
  created_at_ms: unknown;
  read_at_ms: unknown;
  occurrences: unknown;
  last_occurred_at_ms: unknown;
}

const COLUMNS = `id, owner_id, connection_id, type, severity, category, entity_type, local_id, message, action, data,
  ${epochMs('created_at')} AS created_at_ms, ${epochMs('read_at')} AS read_at_ms, occurrences,
  ${epochMs('last_occurred_at')} AS last_occurred_at_ms`;

function toNotification(row: NotificationRow): SyncNotification {
  return {
    id: row.id,
    ownerId: row.owner_id,
    connectionId: row.connection_id,
    type: row.type,
    severity: row.severity as NotificationSeverity,
    category: row.category,
    entityType: row.entity_type as EntityType | null,
    localId: row.local_id,
    message: row.message,
    action: row.action,
    data: parseJson<Record<string, unknown>>(row.data),
    createdAt: toNumber(row.created_at_ms),
    readAt: nullableMs(row.read_at_ms),
    occurrences: toNumber(row.occurrences),
    lastOccurredAt: toNumber(row.last_occurred_at_ms),
  };
}

export function createPrismaNotificationStore(ctx: StoreContext): NotificationStore {
  const notifications = ctx.table('blueclerk_notifications');

  return {
    async appendNotification(input) {
      if (!SEVERITIES.includes(input.severity)) {
        throw new ValidationError(`Notification severity must be one of ${SEVERITIES.join(', ')}`);
      }
      let data: string;
      try {
        data = JSON.stringify(input.data ?? {});
      } catch {
        throw new ValidationError('Notification data must be plain JSON data');
      }
      const id = input.id ?? randomId();
      const rows = await guarded('appendNotification', () =>
        ctx.client.$queryRawUnsafe<NotificationRow[]>(
          `INSERT INTO ${notifications} (id, owner_id, connection_id, type, severity, category, entity_type,
             local_id, message, action, data, created_at, occurrences, last_occurred_at)
           VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text,
             $10::text, $11::jsonb, COALESCE(${fromEpochMs('$12')}, now()), 1,
             COALESCE(${fromEpochMs('$12')}, now()))
           ON CONFLICT (id) DO NOTHING
           RETURNING ${COLUMNS}`,
          id,
          input.ownerId,
          input.connectionId ?? null,
          input.type,
          input.severity,
          input.category ?? null,
          input.entityType ?? null,
          input.localId ?? null,
          input.message,
          input.action ?? null,
          data,
          input.createdAt ?? null,
        ),
      );
      if (!rows[0]) throw new ConcurrencyError('conflict', `Notification ${id} already exists`);
      return toNotification(rows[0]);
    },

    async listNotifications(query) {
      requireOwnerId(query?.ownerId, 'listNotifications');
      const limit = Math.max(0, Math.floor(query.limit ?? DEFAULT_LIMIT));
      const rows = await guarded('listNotifications', () =>
        ctx.client.$queryRawUnsafe<NotificationRow[]>(
          `SELECT ${COLUMNS} FROM ${notifications}
           WHERE owner_id = $1::text
             AND ($2::text IS NULL OR connection_id = $2::text)
             AND ($3::text IS NULL OR severity = $3::text)
             AND (NOT $4::boolean OR read_at IS NULL)
             AND ($5::float8 IS NULL OR created_at >= ${fromEpochMs('$5')})
           ORDER BY created_at DESC, seq DESC
           LIMIT $6::int`,
          query.ownerId,
          query.connectionId ?? null,
          query.severity ?? null,
          query.unreadOnly === true,
          query.since ?? null,
          limit,
        ),
      );
      return rows.map(toNotification);
    },

    async markNotificationsRead(ownerId, ids, at) {
      requireOwnerId(ownerId, 'markNotificationsRead');
      if (ids.length === 0) return 0;
      // Other owners' ids are ignored, not refused: an owner must not learn which foreign ids exist.
      return guarded('markNotificationsRead', () =>
        ctx.client.$executeRawUnsafe(
          `UPDATE ${notifications} SET read_at = ${fromEpochMs('$3')}
           WHERE owner_id = $1::text AND read_at IS NULL
             AND id IN (SELECT jsonb_array_elements_text($2::jsonb))`,
          ownerId,
          JSON.stringify([...new Set(ids)]),
          at,
        ),
      );
    },

    async recordRepeat(ownerId, id, at) {
      requireOwnerId(ownerId, 'recordRepeat');
      // One UPDATE: the row lock makes concurrent increments queue, so none is lost.
      const rows = await guarded('recordRepeat', () =>
        ctx.client.$queryRawUnsafe<NotificationRow[]>(
          `UPDATE ${notifications}
           SET occurrences = occurrences + 1,
               last_occurred_at = GREATEST(last_occurred_at, ${fromEpochMs('$3')})
           WHERE id = $2::text AND owner_id = $1::text
           RETURNING ${COLUMNS}`,
          ownerId,
          id,
          at,
        ),
      );
      return rows[0] ? toNotification(rows[0]) : null;
    },
  };
}
