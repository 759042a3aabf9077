export { defaultClassifyError } from './classify';
export {
  type ConnectionLimiter,
  createConnectionLimiter,
  createLimiterRegistry,
  type LimiterRegistry,
  type LimiterWaitContext,
  type RequestLimits,
  sharedLimiterRegistry,
} from './limiter';
export { createProviderHttp } from './provider-http';
export { exhaustedLimitWait, type LimitHeader, parseRetryAfter } from './rate-limit';
export {
  type ClassifyContext,
  type ClassifyError,
  DEFAULT_RETRY_SETTINGS,
  type HttpHooks,
  type HttpMethod,
  type HttpRequestOptions,
  type HttpResponse,
  type ProviderHttp,
  type ProviderHttpOptions,
  type ProviderHttpProfile,
  type RetrySettings,
} from './types';
