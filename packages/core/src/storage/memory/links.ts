import { ConcurrencyError } from '../../errors/index';
import type { EntityLinkStore } from '../links';
import { compositeKey, copy } from './backend';
import type { MemoryContext } from './context';

export function createMemoryLinkStore(ctx: MemoryContext): EntityLinkStore {
  return {
    async upsertLink(link) {
      const value = copy(link, 'link');
      const state = ctx.state();
      const localKey = compositeKey(value.connectionId, value.entityType, value.localId);
      const providerKey = compositeKey(value.connectionId, value.entityType, value.providerId);
      const owner = state.linksByProviderId.get(providerKey);
      if (owner !== undefined && owner !== localKey) {
        throw new ConcurrencyError(
          'conflict',
          `${value.entityType} ${value.providerId} is already linked to another local record`,
          { details: { connectionId: value.connectionId, entityType: value.entityType } },
        );
      }
      const previous = state.links.get(localKey);
      if (previous && previous.providerId !== value.providerId) {
        // Relinking to a new provider record frees the old provider id for others.
        state.linksByProviderId.delete(
          compositeKey(value.connectionId, value.entityType, previous.providerId),
        );
      }
      state.links.set(localKey, value);
      state.linksByProviderId.set(providerKey, localKey);
      return copy(value);
    },

    async findLinkByLocalId(connectionId, entityType, localId) {
      const link = ctx.state().links.get(compositeKey(connectionId, entityType, localId));
      return link ? copy(link) : null;
    },

    async findLinkByProviderId(connectionId, entityType, providerId) {
      const state = ctx.state();
      const localKey = state.linksByProviderId.get(compositeKey(connectionId, entityType, providerId));
      const link = localKey === undefined ? undefined : state.links.get(localKey);
      return link ? copy(link) : null;
    },

    async deleteLink(connectionId, entityType, localId) {
      const state = ctx.state();
      const localKey = compositeKey(connectionId, entityType, localId);
      const link = state.links.get(localKey);
      if (!link) return false;
      state.links.delete(localKey);
      state.linksByProviderId.delete(compositeKey(connectionId, entityType, link.providerId));
      return true;
    },
  };
}
