/**
 * @blueclerk/quickbooks - the QuickBooks Online provider for the BlueClerk Accounting SDK.
 *
 * @example
 * const quickbooks = createQuickBooksProvider({ environment: 'sandbox', defaultIncomeAccountId: '79' });
 * const http = quickbooks.createHttp({ connectionId, getAccessToken: tokens.getAccessToken });
 */

export { QUICKBOOKS_BATCH_MAX } from './batch';
export { batchRequestId, type QuickBooksClient, qboLiteral } from './client';
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
  type QuickBooksProvider,
} from './provider';
export {
  DEFAULT_MINOR_VERSION,
  QUICKBOOKS_API_BASE_URLS,
  type QuickBooksSettings,
  type ResolvedQuickBooksSettings,
  resolveQuickBooksSettings,
} from './settings';
export {
  parseQuickBooksWebhook,
  QUICKBOOKS_SIGNATURE_HEADER,
  quickBooksWebhooks,
  verifyQuickBooksWebhook,
} from './webhooks';
