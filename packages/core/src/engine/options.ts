import type { EventBus } from '../events/types';
import type { ProviderCallContext } from '../provider/context';
import type { AccountingProvider } from '../provider/spec';
import type { Clock } from '../runtime/clock';
import type { Logger } from '../runtime/logger';
import type { ConnectionRecord } from '../storage/connections';
import type { BlueClerkStorage } from '../storage/storage';
import type { ProviderId } from '../storage/types';
import type { HostAdapter } from './host';

/** The per-call context `contextFor` builds; the engine adds the connection's validated `settings`. */
export type ContextWithoutSettings<THttp> = Omit<ProviderCallContext<THttp>, 'settings'>;

/**
 * Everything `createSyncEngine` needs. One engine serves every configured provider and any number of connections;
 * each call routes by the connection's provider.
 */
export interface SyncEngineOptions<THttp = unknown> {
  /** The providers the app offers, by id (`{ quickbooks: createQuickBooksProvider(), ... }`). */
  providers: Readonly<Record<ProviderId, AccountingProvider<THttp>>>;
  storage: BlueClerkStorage;
  host: HostAdapter;
  /**
   * Builds the per-call provider context for a connection: tenant id and an authenticated HTTP client (usually
   * `createProviderHttp` with the token manager). Called once per engine operation.
   */
  contextFor(
    connection: ConnectionRecord,
    provider: AccountingProvider<THttp>,
  ): ContextWithoutSettings<THttp> | Promise<ContextWithoutSettings<THttp>>;
  /** Where typed events go (`sync.succeeded`, `sync.failed` ...). Notifications and health subscribe here. */
  events?: EventBus;
  clock?: Clock;
  logger?: Logger;
  /**
   * How long a payment claim blocks others before it counts as abandoned and the next attempt looks the payment up
   * by reference. Default 150 000 ms: QuickBooks may take up to 120 s to finish a request server-side, so a post is
   * only presumed lost after that.
   */
  paymentClaimTtlMs?: number;
  /** Same for invoice creates. Default 150 000 ms. */
  invoiceClaimTtlMs?: number;
  /** How long webhook delivery ids are remembered for de-duplication. Default 7 days (Xero retries for 24 h). */
  deliveryTtlMs?: number;
  /** Upper bound on parallel invoice syncs in `syncInvoices`; the provider's concurrency limit caps it further. Default 4. */
  bulkConcurrency?: number;
  /**
   * Default interval `pollPlan` suggests for entities the provider sends no events for (Xero payments). Default
   * 15 minutes; stretched so polling uses at most a tenth of a daily request budget.
   */
  pollIntervalMs?: number;
}
