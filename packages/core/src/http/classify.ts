import { type BlueClerkError, ProviderError } from '../errors/index';
import type { ClassifyContext } from './types';

/**
 * Status-code classification used when a provider's `classifyError` returns nothing. Messages name the provider and
 * the status only - a business user reads them, so API paths (with company ids in them) stay in `details` for logs;
 * response bodies can echo request data, so they are not quoted.
 */
export function defaultClassifyError(
  response: Response,
  _bodyText: string,
  context: ClassifyContext,
): BlueClerkError {
  const { status } = response;
  const where = `${context.providerId} answered HTTP ${status}`;
  const base = { status, details: { method: context.method, path: context.path } };
  if (status === 400 || status === 422)
    return new ProviderError('validation_failed', `${where}: request rejected`, base);
  if (status === 403) {
    return new ProviderError('provider_error', `${where}: access forbidden`, {
      ...base,
      action: 'Check the scopes granted to the connection and the subscription of the connected company',
    });
  }
  if (status === 404) return new ProviderError('not_found', `${where}: not found`, base);
  if (status === 409)
    return new ProviderError('conflict', `${where}: conflict`, { ...base, retryable: false });
  if (status === 408 || status >= 500) {
    return new ProviderError('provider_error', `${where}: provider failure`, { ...base, retryable: true });
  }
  return new ProviderError('provider_error', where, base);
}
