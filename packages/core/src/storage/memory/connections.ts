import { ConcurrencyError, ValidationError } from '../../errors/index';
import { randomId } from '../../runtime/index';
import type {
  ConnectionFilter,
  ConnectionHealth,
  ConnectionPatch,
  ConnectionRecord,
  ConnectionStore,
  FenceCheck,
  NewConnection,
} from '../connections';
import { toJsonObject } from '../json-object';
import { checkOwnerFilter } from '../owner-scope';
import { isProviderId, PROVIDER_ID_PATTERN } from '../types';
import { compositeKey, copy, type MemoryState } from './backend';
import type { MemoryContext } from './context';

const INITIAL_HEALTH: ConnectionHealth = {
  status: 'healthy',
  lastSuccessAt: null,
  lastErrorAt: null,
  lastError: null,
  consecutiveFailures: 0,
};

export function createMemoryConnectionStore(ctx: MemoryContext): ConnectionStore {
  return {
    async createConnection(input: NewConnection) {
      if (!isProviderId(input.provider)) {
        throw new ValidationError('provider must be a well-formed provider id', [
          { path: 'provider', message: `must match ${PROVIDER_ID_PATTERN}` },
        ]);
      }
      if (typeof input.ownerId !== 'string' || input.ownerId === '') {
        throw new ValidationError('ownerId must be a non-empty string', [
          { path: 'ownerId', message: 'required' },
        ]);
      }
      const id = input.id ?? randomId();
      const settings = toJsonObject(input.settings === undefined ? {} : input.settings, 'settings');
      const grantId = input.grantId ?? null;
      if (grantId !== null && grantId === id) throw grantRefused('a connection cannot hold its own grant');
      const now = ctx.clock.now();
      const record: ConnectionRecord = {
        id,
        provider: input.provider,
        ownerId: input.ownerId,
        tenantId: input.tenantId ?? null,
        status: input.status ?? 'pending',
        tokens: copy(input.tokens ?? null, 'tokens'),
        health: copy(INITIAL_HEALTH),
        metadata: copy(input.metadata ?? {}, 'metadata'),
        settings,
        grantId,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      const state = ctx.state();
      if (state.connections.has(id)) {
        throw new ConcurrencyError('conflict', `Connection ${id} already exists`);
      }
      if (grantId !== null) assertGrantHolder(state, record);
      state.seq += 1;
      state.connections.set(id, { value: record, seq: state.seq });
      return copy(record);
    },

    async getConnection(id) {
      const entry = ctx.state().connections.get(id);
      return entry ? copy(entry.value) : null;
    },

    async listConnections(filter: ConnectionFilter = {}) {
      checkOwnerFilter(filter, 'listConnections');
      return [...ctx.state().connections.values()]
        .filter(
          ({ value }) =>
            (filter.ownerId === undefined || value.ownerId === filter.ownerId) &&
            (filter.provider === undefined || value.provider === filter.provider) &&
            (filter.status === undefined || value.status === filter.status) &&
            (filter.grantId === undefined || value.grantId === filter.grantId) &&
            (filter.tenantId === undefined || value.tenantId === filter.tenantId),
        )
        .sort((a, b) => b.value.createdAt - a.value.createdAt || b.seq - a.seq)
        .map(({ value }) => copy(value));
    },

    async updateConnection(id, patch: ConnectionPatch, options) {
      if (!Number.isInteger(options.expectedVersion)) {
        throw new ValidationError('expectedVersion must be an integer');
      }
      // Copy the patch before the critical section: a copy failure must leave nothing half-written.
      const tokens = patch.tokens === undefined ? undefined : copy(patch.tokens, 'tokens');
      const metadata = patch.metadata === undefined ? undefined : copy(patch.metadata, 'metadata');
      const settings = patch.settings === undefined ? undefined : toJsonObject(patch.settings, 'settings');

      // From here to the write there is no await: check-and-set is atomic against other async callers.
      const state = ctx.state();
      const entry = state.connections.get(id);
      if (!entry) {
        throw new ConcurrencyError('conflict', `Connection ${id} does not exist`);
      }
      // Fence first: a fenced-out writer should learn it lost its lease, which is the more useful signal.
      if (options.fence && isFencedOut(ctx, options.fence)) {
        throw new ConcurrencyError(
          'lease_lost',
          `Write to connection ${id} refused: a newer lease on ${options.fence.key} was granted`,
        );
      }
      const current = entry.value;
      if (current.version !== options.expectedVersion) {
        throw new ConcurrencyError(
          'conflict',
          `Connection ${id} is at version ${current.version}, not ${options.expectedVersion}`,
          { details: { expectedVersion: options.expectedVersion, actualVersion: current.version } },
        );
      }
      const next: ConnectionRecord = {
        ...current,
        tenantId: patch.tenantId === undefined ? current.tenantId : patch.tenantId,
        status: patch.status ?? current.status,
        tokens: tokens === undefined ? current.tokens : tokens,
        metadata: metadata ?? current.metadata,
        settings: settings ?? current.settings,
        version: current.version + 1,
        updatedAt: ctx.clock.now(),
      };
      entry.value = next;
      return copy(next);
    },

    async setConnectionHealth(id, health) {
      const value = copy(health, 'health');
      const entry = ctx.state().connections.get(id);
      if (!entry) return false;
      entry.value = { ...entry.value, health: value };
      return true;
    },

    async deleteConnection(id) {
      const state = ctx.state();
      if (!state.connections.delete(id)) return false;
      const prefix = compositeKey(id, '');
      for (const [key, link] of state.links) {
        if (link.connectionId === id) {
          state.links.delete(key);
          state.linksByProviderId.delete(compositeKey(id, link.entityType, link.providerId));
        }
      }
      for (const key of state.cursors.keys()) {
        if (key.startsWith(prefix)) state.cursors.delete(key);
      }
      for (const [key, entry] of state.ledger) {
        if (entry.connectionId === id) state.ledger.delete(key);
      }
      return true;
    },
  };
}

/**
 * A grant member must point at a connection that exists and has the same owner and provider: the token set it borrows
 * was granted to that owner by that provider. (Deleting the holder later does not cascade; core handles members.)
 */
function assertGrantHolder(state: MemoryState, record: ConnectionRecord): void {
  const holder = record.grantId === null ? undefined : state.connections.get(record.grantId)?.value;
  if (!holder) throw grantRefused('no such connection');
  if (holder.ownerId !== record.ownerId) throw grantRefused('the connection belongs to another owner');
  if (holder.provider !== record.provider) throw grantRefused('the connection belongs to another provider');
}

function grantRefused(problem: string): ValidationError {
  return new ValidationError(
    `grantId must name another connection of the same owner and provider: ${problem}`,
    [{ path: 'grantId', message: problem }],
  );
}

/** True when a lease newer than the caller's was granted on the key: the caller's lease was taken over. */
function isFencedOut(ctx: MemoryContext, fence: FenceCheck): boolean {
  return (ctx.state().fences.get(fence.key) ?? 0) > fence.fence;
}
