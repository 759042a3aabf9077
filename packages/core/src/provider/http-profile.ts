import type { ProviderHttpProfile } from '../http/types';
import type { AccountingProvider } from './spec';

/**
 * The HTTP profile of a provider's connections, derived from its one set of facts: limits, idempotency-key
 * placement and batch pacing from `capabilities`, URL, headers, timeout and limit headers from `http`.
 */
export function providerHttpProfile(
  provider: Pick<AccountingProvider, 'id' | 'capabilities' | 'http'>,
): ProviderHttpProfile {
  const { capabilities, http } = provider;
  return {
    id: provider.id,
    baseUrl: http.baseUrl,
    ...(http.headers ? { headers: http.headers } : {}),
    limits: {
      requestsPerMinute: capabilities.limits.requestsPerMinute,
      maxConcurrent: capabilities.limits.concurrency,
      requestsPerDay: capabilities.limits.requestsPerDay,
      batchRequestsPerMinute: capabilities.batch?.requestsPerMinute ?? null,
    },
    idempotency: capabilities.idempotencyKey,
    timeoutMs: http.timeoutMs,
    ...(http.retry ? { retry: http.retry } : {}),
    ...(http.limitHeaders ? { limitHeaders: http.limitHeaders } : {}),
  };
}
