import { type SyncStateStore, ValidationError } from '@blueclerk/core';
import type { StoreContext } from './context';
import { guarded, nowPlusMs } from './sql';

// One call in this many also sweeps expired delivery ids, so the table stays small without a scheduled job.
const SWEEP_EVERY = 200;
const SWEEP_BATCH = 1000;

export function createPrismaSyncStateStore(ctx: StoreContext): SyncStateStore {
  const cursors = ctx.table('blueclerk_sync_cursors');
  const deliveries = ctx.table('blueclerk_webhook_deliveries');
  let calls = 0;

  return {
    async getCursor(connectionId, scope) {
      const rows = await guarded('getCursor', () =>
        ctx.client.$queryRawUnsafe<Array<{ cursor: string }>>(
          `SELECT cursor FROM ${cursors} WHERE connection_id = $1::text AND scope = $2::text`,
          connectionId,
          scope,
        ),
      );
      return rows[0]?.cursor ?? null;
    },

    async setCursor(connectionId, scope, cursor) {
      await guarded('setCursor', () =>
        ctx.client.$executeRawUnsafe(
          `INSERT INTO ${cursors} (connection_id, scope, cursor, updated_at) VALUES ($1::text, $2::text, $3::text, now())
           ON CONFLICT (connection_id, scope) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = now()`,
          connectionId,
          scope,
          cursor,
        ),
      );
    },

    async rememberDelivery(provider, deliveryId, ttlMs) {
      if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
        throw new ValidationError(`Delivery ttlMs must be a positive number, got ${ttlMs}`);
      }
      calls += 1;
      if (calls % SWEEP_EVERY === 0) {
        await guarded('rememberDelivery', () =>
          ctx.client.$executeRawUnsafe(
            `DELETE FROM ${deliveries} WHERE ctid IN
               (SELECT ctid FROM ${deliveries} WHERE expires_at <= now() LIMIT ${SWEEP_BATCH})`,
          ),
        );
      }
      // Insert, or revive an id whose memory ran out; a row comes back only for the one caller that did either.
      const rows = await guarded('rememberDelivery', () =>
        ctx.client.$queryRawUnsafe<unknown[]>(
          `INSERT INTO ${deliveries} AS d (provider, delivery_id, expires_at)
           VALUES ($1::text, $2::text, ${nowPlusMs('$3')})
           ON CONFLICT (provider, delivery_id) DO UPDATE SET expires_at = EXCLUDED.expires_at
             WHERE d.expires_at <= now()
           RETURNING 1 AS remembered`,
          provider,
          deliveryId,
          ttlMs,
        ),
      );
      return rows.length === 1;
    },

    async forgetDelivery(provider, deliveryId) {
      await guarded('forgetDelivery', () =>
        ctx.client.$executeRawUnsafe(
          `DELETE FROM ${deliveries} WHERE provider = $1::text AND delivery_id = $2::text`,
          provider,
          deliveryId,
        ),
      );
    },
  };
}
