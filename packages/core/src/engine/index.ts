export { createSyncEngine, type SyncEngine } from './engine';
export type { HostAdapter, HostChangeNotice, LocalRecord, RecordOrigin } from './host';
export type { ImportOptions, ItemImportOptions } from './import';
export type { InvoiceSyncOptions } from './invoice-sync';
export type { ContextWithoutSettings, SyncEngineOptions } from './options';
export { MANUAL_PAYMENT_REASON, paymentLedgerKey } from './payment-sync';
export { type PullOptions, pullCursorScope } from './pull';
export type {
  BulkSyncSummary,
  DependencyResult,
  ImportSummary,
  InvoiceSyncResult,
  PaymentSyncResult,
  PollPlan,
  PollSummary,
  PullSummary,
  SyncFailure,
  WebhookEventOutcome,
  WebhookResult,
} from './results';
export type { WebhookRequest } from './webhooks';
