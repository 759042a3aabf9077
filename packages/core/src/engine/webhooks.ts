import { BlueClerkError, ProviderError } from '../errors/index';
import type { ProviderChange } from '../provider/changes';
import type { NormalizedWebhookEvent, WebhookHeaders } from '../provider/webhooks';
import type { ConnectionRecord } from '../storage/connections';
import { applyProviderChange } from './apply-change';
import type { WebhookEventOutcome, WebhookResult } from './results';
import type { ConnectionScope, EngineRuntime } from './runtime';

export interface WebhookRequest {
  /** The exact bytes received. Parse nothing before verifying: re-serialised JSON does not match the signature. */
  rawBody: string | Uint8Array;
  headers: WebhookHeaders;
  /** The app's webhook verifier token / key for this provider. */
  secret: string;
}

const DEFAULT_DELIVERY_TTL_MS = 7 * 24 * 3600 * 1000;

async function fetchChange<THttp>(
  rt: EngineRuntime<THttp>,
  scope: ConnectionScope<THttp>,
  event: NormalizedWebhookEvent,
): Promise<ProviderChange | null> {
  const { entityType, providerId } = event;
  if (event.operation === 'delete') return { entityType, deleted: true, providerId };
  const p = rt.provider;
  switch (entityType) {
    case 'customer': {
      const record = await rt.call(scope, (ctx) => p.customers.get(ctx, providerId));
      return record ? { entityType, deleted: false, record } : { entityType, deleted: true, providerId };
    }
    case 'item': {
      const record = await rt.call(scope, (ctx) => p.items.get(ctx, providerId));
      return record ? { entityType, deleted: false, record } : { entityType, deleted: true, providerId };
    }
    case 'invoice': {
      const record = await rt.call(scope, (ctx) => p.invoices.get(ctx, providerId));
      return record ? { entityType, deleted: false, record } : { entityType, deleted: true, providerId };
    }
    case 'payment': {
      const payments = p.payments;
      if (!payments) return null;
      const record = await rt.call(scope, (ctx) => payments.get(ctx, providerId));
      return record ? { entityType, deleted: false, record } : { entityType, deleted: true, providerId };
    }
    default:
      return null;
  }
}

/** De-duplication key of one delivery for one connection: each connection of a tenant processes it once. */
function deliveryKey(connection: ConnectionRecord, deliveryId: string): string {
  return `${connection.id}:${deliveryId}`;
}

/**
 * Delivers one event to every connection of its tenant. Two owners may legitimately connect one company (and a
 * second, forged connection must not take the webhooks of the first), so no connection is preferred over another.
 */
async function handleEvent<THttp>(
  rt: EngineRuntime<THttp>,
  connectionsOf: (tenantId: string) => Promise<ConnectionRecord[]>,
  event: NormalizedWebhookEvent,
): Promise<WebhookEventOutcome[]> {
  const { deliveryId } = event;
  const connections = await connectionsOf(event.tenantId);
  if (connections.length === 0) {
    return [
      {
        deliveryId,
        connectionId: null,
        status: 'ignored',
        reason: `no connection for tenant ${event.tenantId}`,
      },
    ];
  }
  const outcomes: WebhookEventOutcome[] = [];
  for (const connection of connections) {
    const key = deliveryKey(connection, deliveryId);
    // Remembered before processing so that of concurrent re-deliveries exactly one applies it. If processing then
    // fails, the key is forgotten again so the provider's re-delivery is processed; applying twice is safe because
    // payments go through the ledger and links.
    const first = await rt.storage.syncState.rememberDelivery(
      rt.provider.id,
      key,
      rt.options.deliveryTtlMs ?? DEFAULT_DELIVERY_TTL_MS,
    );
    if (!first) {
      outcomes.push({ deliveryId, connectionId: connection.id, status: 'duplicate' });
      continue;
    }
    const outcome = await processEvent(rt, connection, event);
    if (outcome.status === 'failed') await forgetFailedDelivery(rt, key);
    outcomes.push(outcome);
  }
  return outcomes;
}

async function processEvent<THttp>(
  rt: EngineRuntime<THttp>,
  connection: ConnectionRecord,
  event: NormalizedWebhookEvent,
): Promise<WebhookEventOutcome> {
  const { deliveryId } = event;
  const connectionId = connection.id;
  const opened = await rt.openOrFail(connection.id, event.entityType, null, connection);
  if ('failure' in opened) return { deliveryId, connectionId, status: 'failed', failure: opened.failure };
  try {
    if (event.operation === 'merge' && event.mergedFromProviderId) await relinkMerged(rt, connection, event);
    const change = await fetchChange(rt, opened.scope, event);
    if (!change)
      return {
        deliveryId,
        connectionId,
        status: 'ignored',
        reason: `${event.entityType} events are not synced`,
      };
    const outcome = await applyProviderChange(rt, opened.scope, change);
    if (!outcome.applied) return { deliveryId, connectionId, status: 'ignored', reason: outcome.reason };
    return {
      deliveryId,
      connectionId,
      status: 'applied',
      entityType: event.entityType,
      providerId: event.providerId,
    };
  } catch (error) {
    return {
      deliveryId,
      connectionId,
      status: 'failed',
      failure: rt.fail(connection, event.entityType, null, error),
    };
  }
}

/**
 * A merge in the provider (customer A merged into B) leaves A gone: the local record linked to A is re-pointed at B,
 * so later syncs update B instead of re-creating A. If B is already linked to another local record, the two local
 * records are duplicates only a person can merge: that is reported (a `conflict`) and nothing is re-pointed.
 */
async function relinkMerged<THttp>(
  rt: EngineRuntime<THttp>,
  connection: ConnectionRecord,
  event: NormalizedWebhookEvent,
): Promise<void> {
  const from = event.mergedFromProviderId as string;
  const merged = await rt.storage.links.findLinkByProviderId(connection.id, event.entityType, from);
  if (!merged) return;
  const survivor = await rt.storage.links.findLinkByProviderId(
    connection.id,
    event.entityType,
    event.providerId,
  );
  if (survivor && survivor.localId !== merged.localId) {
    throw new ProviderError(
      'conflict',
      `${rt.provider.displayName} merged ${event.entityType} ${from} into ${event.providerId}, but both are linked to different records here`,
      {
        details: {
          mergedFrom: from,
          survivor: event.providerId,
          localIds: [merged.localId, survivor.localId],
        },
        action: `Merge the two ${event.entityType} records in the app, then sync again`,
      },
    );
  }
  await rt.storage.links.upsertLink({
    ...merged,
    providerId: event.providerId,
    providerVersion: null,
    contentHash: null,
    lastSyncedAt: rt.clock.now(),
  });
  rt.logger.log('info', 'relinked a merged record to the survivor', {
    connectionId: connection.id,
    entityType: event.entityType,
    localId: merged.localId,
  });
}

async function forgetFailedDelivery<THttp>(rt: EngineRuntime<THttp>, key: string): Promise<void> {
  try {
    await rt.storage.syncState.forgetDelivery(rt.provider.id, key);
  } catch (error) {
    // The event already failed and was reported; a store that cannot forget leaves recovery to the incremental pull.
    rt.logger.log('warn', 'could not forget a failed webhook delivery', {
      provider: rt.provider.id,
      deliveryKey: key,
      code: BlueClerkError.isInstance(error) ? error.code : 'internal',
    });
  }
}

/**
 * The webhook pipeline: verify the signature on the raw body, normalize, de-duplicate deliveries per connection,
 * deliver each event to every active connection of its tenant, fetch what it points to and apply it (a payment is recorded against its linked invoice, which is marked paid when its
 * balance reaches zero). `verified: false` means answer 401 and nothing was processed. A body that is not the
 * provider's shape throws `ValidationError` (answer 400).
 */
export async function handleWebhookRequest<THttp>(
  rt: EngineRuntime<THttp>,
  request: WebhookRequest,
): Promise<WebhookResult> {
  const webhooks = rt.provider.webhooks;
  if (!webhooks) throw new BlueClerkError('unsupported', `${rt.provider.displayName} does not send webhooks`);
  if (!(await webhooks.verify(request.rawBody, request.headers, request.secret))) {
    rt.logger.log('warn', 'webhook signature did not verify', { provider: rt.provider.id });
    return { verified: false, events: [] };
  }
  const events = webhooks.parse(request.rawBody, request.headers);
  if (events.length === 0) return { verified: true, events: [] };
  // One look-up per tenant in the delivery (not a scan of every connection of the provider).
  const byTenant = new Map<string, Promise<ConnectionRecord[]>>();
  const connectionsOf = (tenantId: string) => {
    let found = byTenant.get(tenantId);
    if (!found) {
      found = rt.storage.connections
        .listConnections({ provider: rt.provider.id, tenantId })
        // Oldest first, so outcomes come in a stable order; a disconnected connection takes no webhooks.
        .then((list) => list.filter((c) => c.status !== 'disconnected').reverse());
      byTenant.set(tenantId, found);
    }
    return found;
  };
  const outcomes: WebhookEventOutcome[] = [];
  for (const event of events) outcomes.push(...(await handleEvent(rt, connectionsOf, event)));
  return { verified: true, events: outcomes };
}
