export type { BatchOperation, BatchOperationResult, RunBatch } from './batch';
export type {
  BatchCapability,
  IdempotencyKeyCapability,
  IncrementalPullCapability,
  PaymentReferenceCapability,
  ProviderCapabilities,
  RateLimits,
  WebhookCapability,
} from './capabilities';
export type { ProviderChange, PullChanges, PullChangesRequest, PullChangesResult } from './changes';
export {
  mergeConnectionSettings,
  parseConnectionSettings,
  type SettingsOwner,
} from './connection-settings';
export type { ProviderCallContext } from './context';
export type { ProviderHttpDescription } from './http-description';
export { providerHttpProfile } from './http-profile';
export type {
  CustomerOperations,
  InvoiceOperations,
  ItemOperations,
  PaymentCreateOptions,
  PaymentOperations,
  ReferenceLookupHints,
} from './operations';
export type { CreateOptions, ListOptions, Page, ProviderRecord, UpdateOptions } from './records';
export {
  createAccountingProviderRegistry,
  createProviderRegistry,
  type ProviderRegistry,
} from './registry';
export type { ConnectionSettingsSpec, SettingsSchema } from './settings';
export {
  type AccountingProvider,
  type AccountingProviderV1,
  assertProviderSpec,
  defineProvider,
  SUPPORTED_PROVIDER_SPEC_VERSIONS,
} from './spec';
export type { NormalizedWebhookEvent, ProviderWebhooks, WebhookHeaders, WebhookOperation } from './webhooks';
