import { ConcurrencyError, type EntityLink, type EntityLinkStore, type EntityType } from '@blueclerk/core';
import type { StoreContext } from './context';
import { epochMs, fromEpochMs, guarded, isUniqueViolation, storageFailure, toNumber } from './sql';

interface LinkRow {
  connection_id: string;
  entity_type: string;
  local_id: string;
  provider_id: string;
  provider_version: string | null;
  content_hash: string | null;
  last_synced_at_ms: unknown;
}

const COLUMNS = `connection_id, entity_type, local_id, provider_id, provider_version, content_hash,
  ${epochMs('last_synced_at')} AS last_synced_at_ms`;

function toLink(row: LinkRow): EntityLink {
  return {
    connectionId: row.connection_id,
    entityType: row.entity_type as EntityType,
    localId: row.local_id,
    providerId: row.provider_id,
    providerVersion: row.provider_version,
    contentHash: row.content_hash,
    lastSyncedAt: toNumber(row.last_synced_at_ms),
  };
}

export function createPrismaLinkStore(ctx: StoreContext): EntityLinkStore {
  const links = ctx.table('blueclerk_entity_links');

  async function findOne(where: string, values: unknown[]): Promise<EntityLink | null> {
    const rows = await guarded('findLink', () =>
      ctx.client.$queryRawUnsafe<LinkRow[]>(`SELECT ${COLUMNS} FROM ${links} WHERE ${where}`, ...values),
    );
    return rows[0] ? toLink(rows[0]) : null;
  }

  return {
    async upsertLink(link) {
      try {
        // The unique index on (connection_id, entity_type, provider_id) is what refuses a provider id that is
        // linked to another local id, also when two workers race to link it.
        const rows = await ctx.client.$queryRawUnsafe<LinkRow[]>(
          `INSERT INTO ${links} AS k (connection_id, entity_type, local_id, provider_id, provider_version,
             content_hash, last_synced_at)
           VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, ${fromEpochMs('$7')})
           ON CONFLICT (connection_id, entity_type, local_id) DO UPDATE SET
             provider_id = EXCLUDED.provider_id, provider_version = EXCLUDED.provider_version,
             content_hash = EXCLUDED.content_hash, last_synced_at = EXCLUDED.last_synced_at
           RETURNING ${COLUMNS}`,
          link.connectionId,
          link.entityType,
          link.localId,
          link.providerId,
          link.providerVersion,
          link.contentHash,
          link.lastSyncedAt,
        );
        return toLink(rows[0] as LinkRow);
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new ConcurrencyError(
            'conflict',
            `${link.entityType} ${link.providerId} is already linked to another local record`,
            { details: { connectionId: link.connectionId, entityType: link.entityType } },
          );
        }
        throw storageFailure('upsertLink', error);
      }
    },

    findLinkByLocalId(connectionId, entityType, localId) {
      return findOne('connection_id = $1::text AND entity_type = $2::text AND local_id = $3::text', [
        connectionId,
        entityType,
        localId,
      ]);
    },

    findLinkByProviderId(connectionId, entityType, providerId) {
      return findOne('connection_id = $1::text AND entity_type = $2::text AND provider_id = $3::text', [
        connectionId,
        entityType,
        providerId,
      ]);
    },

    async deleteLink(connectionId, entityType, localId) {
      const count = await guarded('deleteLink', () =>
        ctx.client.$executeRawUnsafe(
          `DELETE FROM ${links} WHERE connection_id = $1::text AND entity_type = $2::text AND local_id = $3::text`,
          connectionId,
          entityType,
          localId,
        ),
      );
      return count > 0;
    },
  };
}
