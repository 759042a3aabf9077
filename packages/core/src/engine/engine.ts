import type { EntityType } from '../storage/types';
import { syncInvoicesInBulk } from './bulk';
import { type ImportOptions, type ItemImportOptions, importCustomers, importItems } from './import';
import { type InvoiceSyncOptions, syncInvoiceInScope } from './invoice-sync';
import type { SyncEngineOptions } from './options';
import { type PullOptions, pullEntityChanges } from './pull';
import type {
  BulkSyncSummary,
  ImportSummary,
  InvoiceSyncResult,
  PaymentSyncResult,
  PullSummary,
  WebhookResult,
} from './results';
import { createEngineRuntime } from './runtime';
import { syncPaymentInScope } from './sync-payment';
import { handleWebhookRequest, type WebhookRequest } from './webhooks';

/**
 * The sync engine: one per provider, serving any number of that provider's connections. Every method reports
 * failures in its result (classified, with a message and an action) and as a `sync.failed` event; only programming
 * errors (an unknown connection id, a provider/connection mismatch) and bad webhook bodies throw.
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
  /** The webhook pipeline (verify, normalize, de-duplicate, fetch, apply). */
  handleWebhook(request: WebhookRequest): Promise<WebhookResult>;
}

export function createSyncEngine<THttp>(options: SyncEngineOptions<THttp>): SyncEngine {
  const rt = createEngineRuntime(options);

  const emptyImport = (entityType: 'customer' | 'item'): ImportSummary => ({
    entityType,
    created: 0,
    linked: 0,
    skipped: 0,
    failed: 0,
    processed: 0,
    complete: false,
    failures: [],
  });

  return {
    async syncInvoice(connectionId, invoiceLocalId, invoiceOptions) {
      const opened = await rt.openOrFail(connectionId, 'invoice', invoiceLocalId);
      if ('failure' in opened) return { status: 'failed', localId: invoiceLocalId, failure: opened.failure };
      return syncInvoiceInScope(rt, opened.scope, invoiceLocalId, invoiceOptions);
    },

    async syncPayment(connectionId, paymentLocalId) {
      const opened = await rt.openOrFail(connectionId, 'payment', paymentLocalId);
      if ('failure' in opened) return { status: 'failed', localId: paymentLocalId, failure: opened.failure };
      return syncPaymentInScope(rt, opened.scope, paymentLocalId);
    },

    async syncInvoices(connectionId, invoiceLocalIds) {
      const opened = await rt.openOrFail(connectionId, 'invoice', null);
      if ('failure' in opened) {
        const failure = opened.failure;
        const results = invoiceLocalIds.map((localId) => ({ status: 'failed' as const, localId, failure }));
        return { results, synced: 0, skipped: 0, failed: results.length, batchRequests: 0 };
      }
      return syncInvoicesInBulk(rt, opened.scope, invoiceLocalIds);
    },

    async importCustomers(connectionId, importOptions) {
      const opened = await rt.openOrFail(connectionId, 'customer', null);
      if ('failure' in opened) {
        return {
          ...emptyImport('customer'),
          failed: 1,
          failures: [{ providerId: '', failure: opened.failure }],
        };
      }
      return importCustomers(rt, opened.scope, importOptions);
    },

    async importItems(connectionId, importOptions) {
      const opened = await rt.openOrFail(connectionId, 'item', null);
      if ('failure' in opened) {
        return { ...emptyImport('item'), failed: 1, failures: [{ providerId: '', failure: opened.failure }] };
      }
      return importItems(rt, opened.scope, importOptions);
    },

    async pullChanges(connectionId, entityType, pullOptions) {
      const opened = await rt.openOrFail(connectionId, entityType, null);
      if ('failure' in opened) {
        const cursor = (await rt.storage.syncState.getCursor(connectionId, `pull:${entityType}`)) ?? '';
        return { entityType, changes: 0, applied: 0, failed: 0, cursor, failure: opened.failure };
      }
      try {
        return await pullEntityChanges(rt, opened.scope, entityType, pullOptions);
      } catch (error) {
        const cursor = (await rt.storage.syncState.getCursor(connectionId, `pull:${entityType}`)) ?? '';
        return {
          entityType,
          changes: 0,
          applied: 0,
          failed: 0,
          cursor,
          failure: rt.fail(opened.scope.connection, entityType, null, error),
        };
      }
    },

    handleWebhook(request) {
      return handleWebhookRequest(rt, request);
    },
  };
}
