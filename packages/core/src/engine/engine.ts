import { BlueClerkError } from '../errors/index';
import { createAccountingProviderRegistry } from '../provider/registry';
import { assertOptionsObject } from '../runtime/arguments';
import type { ConnectionRecord } from '../storage/connections';
import type { EntityType, ProviderId } from '../storage/types';
import { syncInvoicesInBulk } from './bulk';
import { type ImportOptions, type ItemImportOptions, importCustomers, importItems } from './import';
import { type InvoiceSyncOptions, syncInvoiceInScope } from './invoice-sync';
import type { SyncEngineOptions } from './options';
import { planPolling, pollConnection } from './poll';
import { type PullOptions, pullEntityChanges } from './pull';
import type {
  BulkSyncSummary,
  ImportSummary,
  InvoiceSyncResult,
  PaymentSyncResult,
  PollPlan,
  PollSummary,
  PullSummary,
  SyncFailure,
  WebhookResult,
} from './results';
import { type ConnectionScope, createEngineRuntime, type EngineRuntime } from './runtime';
import { syncPaymentInScope } from './sync-payment';
import { handleWebhookRequest, type WebhookRequest } from './webhooks';

/**
 * The sync engine: one per app, serving every configured provider and any number of connections. Each call routes by
 * the connection's provider. Every method reports failures in its result (classified, with a message and an action)
 * and as a `sync.failed` event - an unknown connection or a connection of a provider the app does not configure
 * included. Rejections are kept for programming errors: bad webhook bodies, an unknown provider id in
 * `handleWebhook`, and `pollPlan` of an unknown connection or unconfigured provider.
 */
export interface SyncEngine {
  /**
   * Syncs one invoice, gated on status: OPEN / SENT / PAID push (customer and items first, then the invoice, then
   * its unsynced payments); DRAFT is skipped; VOID voids an already-synced invoice where the provider can. Call it
   * whenever an invoice's status or content changes.
   */
  syncInvoice(
    connectionId: string,
    invoiceLocalId: string,
    options?: InvoiceSyncOptions,
  ): Promise<InvoiceSyncResult>;
  /**
   * Pushes one payment exactly once (ledger + idempotency key + reference look-up). Syncs its invoice first when
   * that was never synced. `manual` for providers without a payment API.
   */
  syncPayment(connectionId: string, paymentLocalId: string): Promise<PaymentSyncResult>;
  /** Syncs many invoices, through the provider's batch endpoint when it has one, within its limits. */
  syncInvoices(connectionId: string, invoiceLocalIds: readonly string[]): Promise<BulkSyncSummary>;
  /** Paged, resumable customer import with email de-duplication. */
  importCustomers(connectionId: string, options?: ImportOptions): Promise<ImportSummary>;
  /** Paged, resumable item import with account and tax mapping. */
  importItems(connectionId: string, options?: ItemImportOptions): Promise<ImportSummary>;
  /** Incremental pull of one entity type since the stored cursor. */
  pullChanges(connectionId: string, entityType: EntityType, options?: PullOptions): Promise<PullSummary>;
  /**
   * The webhook pipeline of one provider (verify, normalize, de-duplicate, fetch, apply), delivered to every active
   * connection of the tenant it names. An unknown provider id throws `ConfigurationError` naming the configured ones.
   */
  handleWebhook(providerId: ProviderId, request: WebhookRequest): Promise<WebhookResult>;
  /**
   * What to poll for this connection and how often: the entities its provider can pull but sends no events for
   * (Xero payments). Schedule `poll` at `intervalMs` (a cron job, a queue); nothing to do when `entityTypes` is empty.
   */
  pollPlan(connectionId: string): Promise<PollPlan>;
  /**
   * Runs the poll plan once: incremental pulls from the stored cursors, so a payment made in the provider marks the
   * invoice paid here even without a webhook. Failures are in each pull's `failure`.
   */
  poll(connectionId: string): Promise<PollSummary>;
}

export function createSyncEngine<THttp>(options: SyncEngineOptions<THttp>): SyncEngine {
  assertOptionsObject('createSyncEngine', options);
  const registry = createAccountingProviderRegistry(options.providers);
  const runtimes = new Map<string, EngineRuntime<THttp>>(
    registry.list().map((provider) => [provider.id, createEngineRuntime(provider, options)]),
  );
  // Failures that happen before a provider is known (unknown connection) are reported through the first one;
  // classification of core errors does not depend on the provider.
  const fallback = runtimes.get(registry.ids[0] as string) as EngineRuntime<THttp>;

  type Opened =
    | { rt: EngineRuntime<THttp>; scope: ConnectionScope<THttp> }
    | { rt: EngineRuntime<THttp>; failure: SyncFailure };

  /** Reads the connection once, picks its provider's runtime and opens it; failures are classified, not thrown. */
  async function open(
    connectionId: string,
    entityType: EntityType | null,
    localId: string | null,
  ): Promise<Opened> {
    let connection: ConnectionRecord | null;
    try {
      connection = await options.storage.connections.getConnection(connectionId);
    } catch (error) {
      return { rt: fallback, failure: fallback.fail(null, entityType, localId, error) };
    }
    if (!connection) {
      const error = new BlueClerkError('not_found', `Connection ${connectionId} does not exist`);
      return { rt: fallback, failure: fallback.fail(null, entityType, localId, error) };
    }
    const rt = runtimes.get(connection.provider);
    if (!rt) {
      let error: unknown;
      try {
        registry.get(connection.provider);
      } catch (caught) {
        error = caught;
      }
      return { rt: fallback, failure: fallback.fail(connection, entityType, localId, error) };
    }
    const opened = await rt.openOrFail(connectionId, entityType, localId, connection);
    return 'failure' in opened ? { rt, failure: opened.failure } : { rt, scope: opened.scope };
  }

  const emptyImport = (entityType: 'customer' | 'item', failure: SyncFailure): ImportSummary => ({
    entityType,
    created: 0,
    linked: 0,
    skipped: 0,
    failed: 1,
    processed: 0,
    complete: false,
    failures: [{ providerId: '', failure }],
  });

  async function failedPull(
    rt: EngineRuntime<THttp>,
    connectionId: string,
    entityType: EntityType,
    failure: SyncFailure,
  ): Promise<PullSummary> {
    const cursor =
      (await rt.storage.syncState.getCursor(connectionId, `pull:${entityType}`).catch(() => null)) ?? '';
    return { entityType, changes: 0, applied: 0, failed: 0, cursor, failure };
  }

  return {
    async syncInvoice(connectionId, invoiceLocalId, invoiceOptions) {
      const opened = await open(connectionId, 'invoice', invoiceLocalId);
      if ('failure' in opened) return { status: 'failed', localId: invoiceLocalId, failure: opened.failure };
      return syncInvoiceInScope(opened.rt, opened.scope, invoiceLocalId, invoiceOptions);
    },

    async syncPayment(connectionId, paymentLocalId) {
      const opened = await open(connectionId, 'payment', paymentLocalId);
      if ('failure' in opened) return { status: 'failed', localId: paymentLocalId, failure: opened.failure };
      return syncPaymentInScope(opened.rt, opened.scope, paymentLocalId);
    },

    async syncInvoices(connectionId, invoiceLocalIds) {
      const opened = await open(connectionId, 'invoice', null);
      if ('failure' in opened) {
        const failure = opened.failure;
        const results = invoiceLocalIds.map((localId) => ({ status: 'failed' as const, localId, failure }));
        return { results, synced: 0, skipped: 0, failed: results.length, batchRequests: 0 };
      }
      return syncInvoicesInBulk(opened.rt, opened.scope, invoiceLocalIds);
    },

    async importCustomers(connectionId, importOptions) {
      const opened = await open(connectionId, 'customer', null);
      if ('failure' in opened) return emptyImport('customer', opened.failure);
      return importCustomers(opened.rt, opened.scope, importOptions);
    },

    async importItems(connectionId, importOptions) {
      const opened = await open(connectionId, 'item', null);
      if ('failure' in opened) return emptyImport('item', opened.failure);
      return importItems(opened.rt, opened.scope, importOptions);
    },

    async pullChanges(connectionId, entityType, pullOptions) {
      const opened = await open(connectionId, entityType, null);
      if ('failure' in opened) return failedPull(opened.rt, connectionId, entityType, opened.failure);
      try {
        return await pullEntityChanges(opened.rt, opened.scope, entityType, pullOptions);
      } catch (error) {
        const failure = opened.rt.fail(opened.scope.connection, entityType, null, error);
        return failedPull(opened.rt, connectionId, entityType, failure);
      }
    },

    async handleWebhook(providerId, request) {
      // Async, so an unknown provider id rejects like every other failure instead of throwing synchronously.
      const provider = registry.get(providerId);
      return handleWebhookRequest(runtimes.get(provider.id) as EngineRuntime<THttp>, request);
    },

    async pollPlan(connectionId) {
      const connection = await options.storage.connections.getConnection(connectionId);
      if (!connection) throw new BlueClerkError('not_found', `Connection ${connectionId} does not exist`);
      const provider = registry.get(connection.provider);
      return planPolling(runtimes.get(provider.id) as EngineRuntime<THttp>, connectionId);
    },

    async poll(connectionId) {
      const opened = await open(connectionId, null, null);
      if ('failure' in opened) {
        return { connectionId, pulls: [], nextPollAt: null, failure: opened.failure };
      }
      try {
        return await pollConnection(opened.rt, opened.scope);
      } catch (error) {
        const failure = opened.rt.fail(opened.scope.connection, null, null, error);
        return { connectionId, pulls: [], nextPollAt: null, failure };
      }
    },
  };
}
