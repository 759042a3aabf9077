/**
 * @blueclerk/quickbooks - the QuickBooks Online provider for the BlueClerk Accounting SDK.
 *
 * @example
 * const blueclerk = createBlueClerk({
 *   providers: { quickbooks: createQuickBooksProvider({ environment: 'sandbox' }) },
 *   credentials: { quickbooks: clientCredentialsFromEnv(process.env, 'QUICKBOOKS') },
 *   ...
 * });
 * await blueclerk.connections.updateSettings(connectionId, { incomeAccountId: '79' });
 */

export { QUICKBOOKS_BATCH_MAX } from './batch';
export { batchRequestId, type QuickBooksClient, qboLiteral, quickBooksHttpDescription } from './client';
export {
  classifyQuickBooksError,
  classifyQuickBooksFault,
  classifyQuickBooksResponse,
  type ParsedFault,
  parseQuickBooksFault,
} from './errors';
export {
  customerFromQbo,
  customerToQbo,
  invoiceFromQbo,
  invoiceToQbo,
  itemFromQbo,
  itemToQbo,
  PAYMENT_REF_NUM_MAX,
  paymentFromQbo,
  paymentToQbo,
} from './mappers/index';
export { QUICKBOOKS_ACCOUNTING_SCOPE, QUICKBOOKS_OAUTH_ENDPOINTS, quickBooksOAuth } from './oauth';
export {
  createQuickBooksProvider,
  QUICKBOOKS_CAPABILITIES,
  QUICKBOOKS_TOKEN_POLICY,
  type QuickBooksProvider,
} from './provider';
export {
  type CompanySettings,
  companySettings,
  DEFAULT_MINOR_VERSION,
  QUICKBOOKS_API_BASE_URLS,
  type QuickBooksConnectionSettings,
  QuickBooksConnectionSettingsSchema,
  type QuickBooksSettings,
  type ResolvedQuickBooksSettings,
  resolveQuickBooksSettings,
} from './settings';
export {
  parseQuickBooksWebhook,
  QUICKBOOKS_SIGNATURE_HEADER,
  type QuickBooksWebhookEvent,
  quickBooksWebhooks,
  verifyQuickBooksWebhook,
} from './webhooks';
