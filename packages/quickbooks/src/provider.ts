import {
  type AccountingProvider,
  type ClassifyError,
  defineProvider,
  type ProviderCapabilities,
  type ProviderHttp,
  type ProviderHttpOptions,
  type ProviderHttpProfile,
  TOKEN_POLICIES,
} from '@blueclerk/core';
import { createRunBatch, QUICKBOOKS_BATCH_MAX } from './batch';
import { createQuickBooksClient, createQuickBooksHttp, quickBooksHttpProfile } from './client';
import { classifyQuickBooksError, classifyQuickBooksResponse } from './errors';
import { quickBooksOAuth } from './oauth';
import { createOperations } from './operations';
import { createPullChanges } from './pull';
import {
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
  bankFeeds: false,
  versionedUpdates: true,
  voidInvoices: true,
  paymentReference: { field: 'PaymentRefNum', maxLength: 21 },
  limits: { requestsPerMinute: 500, concurrency: 10, requestsPerDay: null },
};

/**
 * The QuickBooks provider plus what an app needs to build its HTTP client: the profile (limits, idempotency
 * placement, base URL) and the Fault classifier for `createProviderHttp`, or `createHttp` doing both.
 */
export type QuickBooksProvider = AccountingProvider<ProviderHttp> & {
  readonly settings: ResolvedQuickBooksSettings;
  /** Always present for QuickBooks (optional in the generic contract). */
  readonly http: { readonly profile: ProviderHttpProfile; readonly classifyResponse: ClassifyError };
  /** Shortcut for `createProviderHttp({ provider: http.profile, classifyError: http.classifyResponse, ... })`. */
  createHttp(options: Omit<ProviderHttpOptions, 'provider' | 'classifyError'>): ProviderHttp;
};

/** Builds the QuickBooks Online provider. Settings are validated now (`ConfigurationError` on a bad value). */
export function createQuickBooksProvider(settings: QuickBooksSettings = {}): QuickBooksProvider {
  const resolved = resolveQuickBooksSettings(settings);
  const client = createQuickBooksClient(resolved);
  const operations = createOperations(resolved, client);
  const http = { profile: quickBooksHttpProfile(resolved), classifyResponse: classifyQuickBooksResponse };
  const provider = defineProvider<ProviderHttp>({
    specVersion: 'v1',
    id: 'quickbooks',
    displayName: 'QuickBooks Online',
    capabilities: QUICKBOOKS_CAPABILITIES,
    oauth: quickBooksOAuth,
    tokenPolicy: TOKEN_POLICIES.quickbooks,
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
    http,
    createHttp: (options) => createQuickBooksHttp(resolved, options),
  };
}
