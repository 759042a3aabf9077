import { type BlueClerkError, ConfigurationError } from '../errors/index';
import type { ProviderOAuthConfig } from '../oauth/types';
import { isProviderId, type ProviderId } from '../storage/types';
import { type TokenPolicy, tokenPolicyProblem } from '../tokens/policy';
import type { RunBatch } from './batch';
import type { ProviderCapabilities } from './capabilities';
import type { PullChanges } from './changes';
import type { ProviderHttpDescription } from './http-description';
import type { CustomerOperations, InvoiceOperations, ItemOperations, PaymentOperations } from './operations';
import type { ConnectionSettingsSpec } from './settings';
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
 *     oauth: quickBooksOAuth,
 *     tokenPolicy: QUICKBOOKS_TOKEN_POLICY,
 *     http: { baseUrl, timeoutMs: 60_000, classifyResponse: classifyQuickBooksResponse },
 *     connectionSettings: { schema: QuickBooksConnectionSettingsSchema, discover: readCompanyCurrency },
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
  /** Which provider this is: an open id owned by the provider package (see `PROVIDER_ID_PATTERN`). */
  readonly id: ProviderId;
  /** Human name for messages ("QuickBooks Online"). */
  readonly displayName: string;
  /**
   * The one place a provider's facts live: limits (per minute, per day, concurrency), idempotency-key placement,
   * batch size and pacing, pull strategy. Core derives the HTTP profile, the limiter and the engine's pacing from it.
   */
  readonly capabilities: ProviderCapabilities;
  /** OAuth endpoints, scopes, PKCE, tenant resolution. */
  readonly oauth: ProviderOAuthConfig;
  /** Token lifetimes and rotation, as the provider documents them (it lives in the provider package). */
  readonly tokenPolicy: TokenPolicy;
  /**
   * The rest of what core's HTTP layer needs: base URL, fixed headers, timeout, limit headers and the classifier for
   * the provider's responses. Limits and idempotency placement come from `capabilities`, never from here.
   */
  readonly http: ProviderHttpDescription;
  /**
   * What differs per connected company (QuickBooks: income account, tax code, deposit account, payment-method map,
   * home currency), validated on every write and handed to operations as `ctx.settings`. Absent: no such settings.
   */
  readonly connectionSettings?: ConnectionSettingsSpec<THttp>;

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
  if (!isProviderId(provider.id)) {
    throw new ConfigurationError(
      'provider.id',
      'A provider id must be 2-40 lower-case letters, digits or dashes, starting with a letter',
    );
  }
  if (typeof provider.displayName !== 'string' || provider.displayName.trim() === '')
    fail('displayName', 'needs a display name for messages');
  const policyProblem = tokenPolicyProblem(provider.tokenPolicy);
  if (policyProblem) fail('tokenPolicy', policyProblem);
  if (!provider.http || typeof provider.http.classifyResponse !== 'function')
    fail('http', 'declares no HTTP description (base URL, timeout, response classifier)');
  if (!/^https?:\/\//.test(provider.http.baseUrl))
    fail('http.baseUrl', 'http.baseUrl must be an absolute URL');
  if (!(provider.http.timeoutMs > 0)) fail('http.timeoutMs', 'http.timeoutMs must be positive');
  if (provider.oauth.tenantFromCallback && !provider.oauth.verifyTenant)
    fail(
      'oauth.verifyTenant',
      'reads the tenant from the callback URL but cannot verify it (oauth.verifyTenant)',
    );
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
  if (!caps.batch && provider.batch)
    fail('batch', 'supplies a batch function but declares no batch capability');
  if (caps.incrementalPull.entities.length > 0 && !provider.pullChanges)
    fail('pullChanges', 'declares incremental pulls but has no pullChanges function');
  if (caps.webhooks.supported && caps.webhooks.paymentEvents === 'poll' && !provider.pullChanges)
    fail('pullChanges', "declares paymentEvents 'poll' but has no pullChanges to poll with");
  for (const [name, value] of Object.entries(caps.limits)) {
    if (value !== null && !(Number.isInteger(value) && value > 0))
      fail(`capabilities.limits.${name}`, `limits.${name} must be null or a positive integer`);
  }
  if (provider.connectionSettings && typeof provider.connectionSettings.schema?.safeParse !== 'function')
    fail('connectionSettings.schema', 'connectionSettings.schema must have safeParse (a zod schema)');
  if (caps.voidInvoices && !provider.invoices.void)
    fail('invoices.void', 'declares voidInvoices but has no invoices.void');
  if (caps.idempotencyKey && caps.idempotencyKey.maxLength < 16) {
    fail('idempotencyKey', 'idempotency key maxLength below 16 leaves no room for a random key');
  }
  if (caps.paymentReference && caps.paymentReference.maxLength < 20) {
    fail('paymentReference', 'payment reference field shorter than the engine’s 20-character references');
  }
}
