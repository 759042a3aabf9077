import { BlueClerkError } from '../errors/index';
import { AccountRefSchema, TaxCodeRefSchema } from '../model/common';
import { parseCustomer } from '../model/customer';
import { parseItem } from '../model/item';
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
  const connectionId = scope.connection.id;
  const link = await rt.storage.links.findLinkByLocalId(connectionId, 'customer', localId);
  if (link) return { entityType: 'customer', localId, providerId: link.providerId, action: 'existing' };
  const local = await rt.host.getCustomer(localId);
  if (!local) throw new BlueClerkError('not_found', `Customer ${localId} does not exist in the app`);
  const data = parseCustomer(local.data);

  let record: ProviderRecord<unknown> | null = null;
  let action: DependencyResult['action'] = 'linked';
  if (data.email) {
    const email = data.email;
    const matches = await rt.call(scope, (ctx) => rt.provider.customers.findByEmail(ctx, email));
    record = await firstUnclaimed(rt, connectionId, 'customer', matches);
  }
  if (!record) {
    record = await rt.call(scope, (ctx) =>
      rt.provider.customers.create(ctx, data, {
        idempotencyKey: contentIdempotencyKey(rt, connectionId, 'customer', localId, data),
      }),
    );
    action = 'created';
  }
  await rt.storage.links.upsertLink({
    connectionId,
    entityType: 'customer',
    localId,
    providerId: record.providerId,
    providerVersion: record.version,
    contentHash: contentHash(data),
    lastSyncedAt: rt.clock.now(),
  });
  rt.emit(scope.connection, {
    type: 'sync.succeeded',
    entityType: 'customer',
    localId,
    providerId: record.providerId,
    action,
  });
  return { entityType: 'customer', localId, providerId: record.providerId, action };
}

/**
 * Same for an item: existing link, else a provider item with the same SKU, else the same name, else a new item with
 * `itemDefaults` filled in for a missing income account or tax code.
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
  const connectionId = scope.connection.id;
  const link = await rt.storage.links.findLinkByLocalId(connectionId, 'item', localId);
  if (link) return { entityType: 'item', localId, providerId: link.providerId, action: 'existing' };
  const local = await rt.host.getItem(localId);
  if (!local) throw new BlueClerkError('not_found', `Item ${localId} does not exist in the app`);
  const parsed = parseItem(local.data);
  const { incomeAccount, taxCode } = rt.options.itemDefaults ?? {};
  const defaults = {
    incomeAccount: incomeAccount ? AccountRefSchema.parse(incomeAccount) : undefined,
    taxCode: taxCode ? TaxCodeRefSchema.parse(taxCode) : undefined,
  };
  const data = {
    ...parsed,
    incomeAccount: parsed.incomeAccount ?? defaults.incomeAccount ?? null,
    taxCode: parsed.taxCode ?? (parsed.taxable ? (defaults.taxCode ?? null) : null),
  };

  let record: ProviderRecord<unknown> | null = null;
  let action: DependencyResult['action'] = 'linked';
  if (data.sku) {
    const sku = data.sku;
    const matches = await rt.call(scope, (ctx) => rt.provider.items.findBySku(ctx, sku));
    record = await firstUnclaimed(rt, connectionId, 'item', matches);
  }
  if (!record) {
    const matches = await rt.call(scope, (ctx) => rt.provider.items.findByName(ctx, data.name));
    record = await firstUnclaimed(rt, connectionId, 'item', matches);
  }
  if (!record) {
    record = await rt.call(scope, (ctx) =>
      rt.provider.items.create(ctx, data, {
        idempotencyKey: contentIdempotencyKey(rt, connectionId, 'item', localId, data),
      }),
    );
    action = 'created';
  }
  await rt.storage.links.upsertLink({
    connectionId,
    entityType: 'item',
    localId,
    providerId: record.providerId,
    providerVersion: record.version,
    contentHash: contentHash(data),
    lastSyncedAt: rt.clock.now(),
  });
  rt.emit(scope.connection, {
    type: 'sync.succeeded',
    entityType: 'item',
    localId,
    providerId: record.providerId,
    action,
  });
  return { entityType: 'item', localId, providerId: record.providerId, action };
}
