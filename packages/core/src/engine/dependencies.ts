import { BlueClerkError } from '../errors/index';
import { parseCustomer } from '../model/customer';
import { parseItem } from '../model/item';
import type { ProviderCallContext } from '../provider/context';
import type { ProviderRecord } from '../provider/records';
import { randomId } from '../runtime/ids';
import type { EntityType } from '../storage/types';
import { contentHash } from './content-hash';
import type { DependencyResult } from './results';
import type { ConnectionScope, EngineRuntime } from './runtime';

/**
 * Idempotency key for a create of this exact content by this connection: a retry after a lost response sends the
 * same key (the provider replays its first answer instead of creating twice), while an edited record gets a new key
 * (so a create the provider refused is not replayed after the user fixed it).
 */
export function contentIdempotencyKey<THttp>(
  rt: EngineRuntime<THttp>,
  connectionId: string,
  entityType: EntityType,
  localId: string,
  data: unknown,
): string | undefined {
  return idempotencyKeyFor(rt, `${entityType.slice(0, 3)}-${contentHash([connectionId, localId, data])}`);
}

/** A fresh idempotency key within the provider's length limit, or undefined when it takes none. */
export function idempotencyKeyFor<THttp>(rt: EngineRuntime<THttp>, seed?: string): string | undefined {
  const spec = rt.provider.capabilities.idempotencyKey;
  if (!spec) return undefined;
  return (seed ?? randomId(16)).slice(0, spec.maxLength);
}

/** The first candidate not already linked to a different local record. */
async function firstUnclaimed<THttp, T>(
  rt: EngineRuntime<THttp>,
  connectionId: string,
  entityType: EntityType,
  candidates: Array<ProviderRecord<T>>,
): Promise<ProviderRecord<T> | null> {
  for (const candidate of candidates) {
    const link = await rt.storage.links.findLinkByProviderId(connectionId, entityType, candidate.providerId);
    if (!link) return candidate;
  }
  return null;
}

/**
 * Makes sure a local customer has a provider counterpart: an existing link, else a provider customer with the same
 * email (linked, not duplicated), else a new one. Stores the link.
 */
export function ensureCustomer<THttp>(
  rt: EngineRuntime<THttp>,
  scope: ConnectionScope<THttp>,
  localId: string,
): Promise<DependencyResult> {
  // Invoices synced in parallel often share a customer: one resolution, or both would create it.
  return rt.singleFlight(`customer:${scope.connection.id}:${localId}`, () =>
    resolveCustomer(rt, scope, localId),
  );
}

async function resolveCustomer<THttp>(
  rt: EngineRuntime<THttp>,
  scope: ConnectionScope<THttp>,
  localId: string,
): Promise<DependencyResult> {
  return resolveDependency(rt, scope, 'customer', localId, {
    load: async () => {
      const local = await rt.host.getCustomer(localId);
      return local ? parseCustomer(local.data) : null;
    },
    lookups: (data) => (data.email ? [(ctx) => rt.provider.customers.findByEmail(ctx, data.email!)] : []),
    create: (ctx, data, idempotencyKey) => rt.provider.customers.create(ctx, data, { idempotencyKey }),
  });
}

/**
 * Same for an item: existing link, else a provider item with the same SKU, else the same name, else a new item (a
 * missing income account is filled by the provider from the connection's settings, where it has one).
 */
export function ensureItem<THttp>(
  rt: EngineRuntime<THttp>,
  scope: ConnectionScope<THttp>,
  localId: string,
): Promise<DependencyResult> {
  return rt.singleFlight(`item:${scope.connection.id}:${localId}`, () => resolveItem(rt, scope, localId));
}

async function resolveItem<THttp>(
  rt: EngineRuntime<THttp>,
  scope: ConnectionScope<THttp>,
  localId: string,
): Promise<DependencyResult> {
  return resolveDependency(rt, scope, 'item', localId, {
    load: async () => {
      const local = await rt.host.getItem(localId);
      if (!local) return null;
      return parseItem(local.data);
    },
    lookups: (data) => [
      ...(data.sku ? [(ctx: ProviderCallContext<THttp>) => rt.provider.items.findBySku(ctx, data.sku!)] : []),
      (ctx: ProviderCallContext<THttp>) => rt.provider.items.findByName(ctx, data.name),
    ],
    create: (ctx, data, idempotencyKey) => rt.provider.items.create(ctx, data, { idempotencyKey }),
  });
}

/** How one kind of dependency is read locally, looked for in the provider (in order) and created there. */
interface DependencySteps<THttp, T> {
  load(): Promise<T | null>;
  lookups(data: T): Array<(ctx: ProviderCallContext<THttp>) => Promise<Array<ProviderRecord<unknown>>>>;
  create(
    ctx: ProviderCallContext<THttp>,
    data: T,
    idempotencyKey: string | undefined,
  ): Promise<ProviderRecord<unknown>>;
}

/** Existing link, else the first unlinked provider match of each look-up in turn, else a create; then link it. */
async function resolveDependency<THttp, T>(
  rt: EngineRuntime<THttp>,
  scope: ConnectionScope<THttp>,
  entityType: 'customer' | 'item',
  localId: string,
  steps: DependencySteps<THttp, T>,
): Promise<DependencyResult> {
  const connectionId = scope.connection.id;
  const link = await rt.storage.links.findLinkByLocalId(connectionId, entityType, localId);
  if (link) return { entityType, localId, providerId: link.providerId, action: 'existing' };
  const data = await steps.load();
  const noun = entityType === 'customer' ? 'Customer' : 'Item';
  if (!data) throw new BlueClerkError('not_found', `${noun} ${localId} does not exist in the app`);

  let record: ProviderRecord<unknown> | null = null;
  let action: DependencyResult['action'] = 'linked';
  for (const lookup of steps.lookups(data)) {
    const matches = await rt.call(scope, lookup);
    record = await firstUnclaimed(rt, connectionId, entityType, matches);
    if (record) break;
  }
  if (!record) {
    const idempotencyKey = contentIdempotencyKey(rt, connectionId, entityType, localId, data);
    record = await rt.call(scope, (ctx) => steps.create(ctx, data, idempotencyKey));
    action = 'created';
  }
  await rt.storage.links.upsertLink({
    connectionId,
    entityType,
    localId,
    providerId: record.providerId,
    providerVersion: record.version,
    contentHash: contentHash(data),
    lastSyncedAt: rt.clock.now(),
  });
  rt.emit(scope.connection, {
    type: 'sync.succeeded',
    entityType,
    localId,
    providerId: record.providerId,
    action,
  });
  return { entityType, localId, providerId: record.providerId, action };
}
