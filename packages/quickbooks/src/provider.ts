import {
  type AccountingProvider,
  createProviderHttp,
  defineProvider,
  type ProviderCapabilities,
  type ProviderHttp,
  type ProviderHttpOptions,
  providerHttpProfile,
  type TokenPolicy,
} from '@blueclerk/core/provider';
import { createRunBatch, QUICKBOOKS_BATCH_MAX } from './batch';
import { createQuickBooksClient, type QuickBooksClient, quickBooksHttpDescription } from './client';
import { classifyQuickBooksError } from './errors';
import { quickBooksOAuth } from './oauth';
import { createOperations } from './operations';
import { createPullChanges } from './pull';
import {
  QuickBooksConnectionSettingsSchema,
  type QuickBooksSettings,
  type ResolvedQuickBooksSettings,
  resolveQuickBooksSettings,
} from './settings';
import { quickBooksWebhooks } from './webhooks';

/** What QuickBooks Online can do, from Intuit's published limits (see shared/providers.md section 2). */
export const QUICKBOOKS_CAPABILITIES: ProviderCapabilities = {
  payments: 'api',
  webhooks: {
    supported: true,
    entities: ['customer', 'item', 'invoice', 'payment'],
    paymentEvents: 'push',
  },
  batch: { maxOperations: QUICKBOOKS_BATCH_MAX, requestsPerMinute: 40 },
  idempotencyKey: { in: 'query', name: 'requestid', maxLength: 50 },
  incrementalPull: {
    strategy: 'cdc',
    maxLookbackDays: 30,
    entities: ['customer', 'item', 'invoice', 'payment'],
  },
  versionedUpdates: true,
  voidInvoices: true,
  paymentReference: { field: 'PaymentRefNum', maxLength: 21 },
  limits: { requestsPerMinute: 500, concurrency: 10, requestsPerDay: null },
};

/**
 * Intuit's documented token lifetimes: 1 h access tokens, refresh tokens valid 100 days (rolling) whose predecessor
 * keeps working 24 h after a rotation; rotated proactively after 60 days so an idle company never expires.
 */
export const QUICKBOOKS_TOKEN_POLICY: TokenPolicy = {
  accessTokenTtlSec: 3600,
  refreshAheadSec: 300,
  refreshTokenTtlDays: 100,
  rotateRefreshTokenAfterDays: 60,
  refreshTokenReuseGraceSec: 24 * 3600,
};

/** The QuickBooks provider plus its app-wide settings and a shortcut for building an HTTP client by hand. */
export type QuickBooksProvider = AccountingProvider<ProviderHttp> & {
  readonly settings: ResolvedQuickBooksSettings;
  /** `createProviderHttp` with the profile core derives from this provider (for apps assembling parts themselves). */
  createHttp(options: Omit<ProviderHttpOptions, 'provider' | 'classifyError'>): ProviderHttp;
};

/**
 * Proves the new token reaches the realm the callback URL named: `realmId` is a query parameter anyone can edit, and
 * QuickBooks refuses a token on another company's URL (403, Fault 3100).
 */
function verifyRealm(client: QuickBooksClient) {
  return async ({ http, tenantId }: { http: ProviderHttp; tenantId: string }) => {
    const info = await client.companyInfo({
      connectionId: `verify:${tenantId}`,
      tenantId,
      http,
      settings: {},
    });
    if (String(info.Id ?? tenantId) !== tenantId) return false as const;
    return typeof info.CompanyName === 'string' ? { tenantName: info.CompanyName } : {};
  };
}

/** Reads the company's home currency (Preferences `CurrencyPrefs.HomeCurrency`) when it connects. */
function discoverCompanySettings(client: QuickBooksClient) {
  return async (ctx: Parameters<QuickBooksClient['preferences']>[0]) => {
    const preferences = await client.preferences(ctx);
    const currency = (preferences.CurrencyPrefs as { HomeCurrency?: { value?: unknown } } | undefined)
      ?.HomeCurrency?.value;
    return typeof currency === 'string' && /^[A-Za-z]{3}$/.test(currency)
      ? { homeCurrency: currency.toUpperCase() }
      : {};
  };
}

/** Builds the QuickBooks Online provider. Settings are validated now (`ConfigurationError` on a bad value). */
export function createQuickBooksProvider(settings: QuickBooksSettings = {}): QuickBooksProvider {
  const resolved = resolveQuickBooksSettings(settings);
  const client = createQuickBooksClient(resolved);
  const operations = createOperations(resolved, client);
  const http = quickBooksHttpDescription(resolved);
  const provider = defineProvider<ProviderHttp>({
    specVersion: 'v1',
    id: 'quickbooks',
    displayName: 'QuickBooks Online',
    capabilities: QUICKBOOKS_CAPABILITIES,
    oauth: { ...quickBooksOAuth, verifyTenant: verifyRealm(client) },
    tokenPolicy: QUICKBOOKS_TOKEN_POLICY,
    connectionSettings: {
      schema: QuickBooksConnectionSettingsSchema,
      discover: discoverCompanySettings(client),
    },
    customers: operations.customers,
    items: operations.items,
    invoices: operations.invoices,
    payments: operations.payments,
    batch: createRunBatch(resolved, client),
    pullChanges: createPullChanges(resolved, client),
    webhooks: quickBooksWebhooks,
    http,
    classifyError: classifyQuickBooksError,
  });
  return {
    ...provider,
    settings: resolved,
    createHttp: (options) =>
      createProviderHttp({
        ...options,
        provider: providerHttpProfile(provider),
        classifyError: http.classifyResponse,
      }),
  };
}
