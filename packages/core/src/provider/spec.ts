import { type BlueClerkError, ConfigurationError } from '../errors/index';
import type { ClassifyError, ProviderHttpProfile } from '../http/types';
import type { ProviderOAuthConfig } from '../oauth/types';
import type { ProviderId } from '../storage/types';
import type { TokenPolicy } from '../tokens/policy';
import type { RunBatch } from './batch';
import type { ProviderCapabilities } from './capabilities';
import type { PullChanges } from './changes';
import type { CustomerOperations, InvoiceOperations, ItemOperations, PaymentOperations } from './operations';
import type { ProviderWebhooks } from './webhooks';

/**
 * The provider specification, version 1.
 *
 * A provider package (`@blueclerk/quickbooks`, ...) exports a factory returning one of these. It is plain data
 * plus functions: no per-connection state, no retry loops (core's HTTP layer retries), no token handling (the
 * context's HTTP client is already authenticated). Core's engine does the orchestration: links, ledger,
 * de-duplication, events.
 *
 * `specVersion` lets core refuse a provider built against a contract it does not speak, the way the Vercel AI SDK
 * tags `specificationVersion`.
 *
 * @example
 * ```ts
 * export function createQuickBooksProvider(settings: QuickBooksSettings): AccountingProvider<ProviderHttp> {
 *   return defineProvider({
 *     specVersion: 'v1',
 *     id: 'quickbooks',
 *     displayName: 'QuickBooks Online',
 *     capabilities: { payments: 'api', idempotencyKey: { in: 'query', name: 'requestid', maxLength: 50 }, ... },
 *     oauth: quickBooksOAuth(settings),
 *     tokenPolicy: TOKEN_POLICIES.quickbooks,
 *     customers, items, invoices, payments,
 *     batch: runQuickBooksBatch,
 *     pullChanges: pullQuickBooksChanges,
 *     webhooks: quickBooksWebhooks,
 *     classifyError: classifyQuickBooksError,
 *   });
 * }
 * ```
 */
export interface AccountingProviderV1<THttp = unknown> {
  readonly specVersion: 'v1';
  /** Which provider this is. */
  readonly id: ProviderId;
  /** Human name for messages ("QuickBooks Online"). */
  readonly displayName: string;
  readonly capabilities: ProviderCapabilities;
  /** OAuth endpoints, scopes, PKCE, tenant resolution. */
  readonly oauth: ProviderOAuthConfig;
  /** Token lifetimes and rotation (usually `TOKEN_POLICIES[id]`). */
  readonly tokenPolicy: TokenPolicy;

  readonly customers: CustomerOperations<THttp>;
  readonly items: ItemOperations<THttp>;
  readonly invoices: InvoiceOperations<THttp>;
  /** Null exactly when `capabilities.payments === 'manual'`. */
  readonly payments: PaymentOperations<THttp> | null;

  /** Present exactly when `capabilities.batch` is non-null. */
  readonly batch?: RunBatch<THttp>;
  /** Incremental pull since a stored cursor. */
  readonly pullChanges?: PullChanges<THttp>;
  /** Null exactly when `capabilities.webhooks.supported` is false. */
  readonly webhooks: ProviderWebhooks | null;

  /**
   * What core's HTTP layer needs to talk to this provider: base URL, limits, idempotency-key placement, timeouts,
   * and the classifier for its error bodies. With it, `createBlueClerk` builds each connection's authenticated
   * client itself; providers never ship retry loops of their own.
   */
  readonly http?: { readonly profile: ProviderHttpProfile; readonly classifyResponse: ClassifyError };

  /**
   * Maps anything the provider's operations can throw onto core's error classes: `AuthError` (401, invalid_grant ->
   * `needs_reconnect`), `RateLimitError` (429, with Retry-After), `NetworkError` (timeouts, resets: outcome unknown),
   * `ProviderError` with `duplicate` / `not_found` / `conflict` (stale version) / `validation_failed` /
   * `provider_error`, `MissingFieldError`. Already-classified `BlueClerkError`s are returned unchanged. Messages
   * never include tokens or secrets.
   */
  classifyError(error: unknown): BlueClerkError;
}

/** The current provider contract. */
export type AccountingProvider<THttp = unknown> = AccountingProviderV1<THttp>;

/** Contract versions this core speaks. */
export const SUPPORTED_PROVIDER_SPEC_VERSIONS = ['v1'] as const;

/**
 * Checks a provider's declared capabilities against the members it supplies and returns it unchanged. Throws
 * `ConfigurationError` naming the first mismatch (e.g. `payments: 'api'` without `payments` operations), so a
 * half-built provider fails at start-up instead of mid-sync.
 */
export function defineProvider<THttp>(provider: AccountingProviderV1<THttp>): AccountingProviderV1<THttp> {
  assertProviderSpec(provider);
  return provider;
}

/** See `defineProvider`. */
export function assertProviderSpec<THttp>(provider: AccountingProviderV1<THttp>): void {
  const fail = (setting: string, message: string): never => {
    throw new ConfigurationError(`provider.${setting}`, `Provider "${provider.id}": ${message}`);
  };
  if (!(SUPPORTED_PROVIDER_SPEC_VERSIONS as readonly string[]).includes(provider.specVersion)) {
    fail('specVersion', `unsupported specVersion "${String(provider.specVersion)}"; this core speaks v1`);
  }
  const caps = provider.capabilities;
  if (caps.payments === 'api' && !provider.payments)
    fail('payments', "declares payments 'api' but has no payments operations");
  if (caps.payments === 'manual' && provider.payments)
    fail('payments', "declares payments 'manual' but supplies payments operations");
  if (caps.webhooks.supported && !provider.webhooks)
    fail('webhooks', 'declares webhook support but has no webhooks member');
  if (!caps.webhooks.supported && provider.webhooks) fail('webhooks', 'supplies webhooks but declares none');
  if (caps.batch && !provider.batch) fail('batch', 'declares a batch capability but has no batch function');
  if (caps.batch && caps.batch.maxOperations < 1) fail('batch', 'batch.maxOperations must be at least 1');
  if (caps.voidInvoices && !provider.invoices.void)
    fail('invoices.void', 'declares voidInvoices but has no invoices.void');
  if (caps.idempotencyKey && caps.idempotencyKey.maxLength < 16) {
    fail('idempotencyKey', 'idempotency key maxLength below 16 leaves no room for a random key');
  }
  if (caps.paymentReference && caps.paymentReference.maxLength < 20) {
    fail('paymentReference', 'payment reference field shorter than the engine’s 20-character references');
  }
}
