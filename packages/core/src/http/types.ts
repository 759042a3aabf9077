import type { ZodType } from 'zod';
import type { BlueClerkError } from '../errors/index';
import type { Clock } from '../runtime/clock';
import type { Logger } from '../runtime/logger';
import type { GetAccessTokenOptions } from '../tokens/manager';
import type { LimiterRegistry, RequestLimits } from './limiter';
import type { LimitHeader } from './rate-limit';

/**
 * The HTTP layer every provider uses. A provider declares data (this profile, an error classifier, hooks); core does
 * authentication, limits, retries, timeouts and error typing. There is no other retry loop in the SDK.
 *
 * @example
 * const http = createProviderHttp({
 *   provider: {
 *     id: 'xero',
 *     baseUrl: 'https://api.xero.com/api.xro/2.0',
 *     headers: { accept: 'application/json' },
 *     limits: { requestsPerMinute: 60, maxConcurrent: 5 },
 *     idempotency: { in: 'header', name: 'Idempotency-Key', maxLength: 128 },
 *     timeoutMs: 30_000,
 *     limitHeaders: [{ name: 'X-MinLimit-Remaining', windowMs: 60_000 }],
 *   },
 *   connectionId,
 *   getAccessToken: tokens.getAccessToken,
 *   classifyError: classifyXeroError,
 *   hooks: { beforeRequest: [({ request }) => request.headers.set('xero-tenant-id', tenantId)] },
 * });
 * const { data } = await http.request({ method: 'GET', path: '/Invoices', schema: invoicesSchema });
 */
export interface ProviderHttpProfile {
  /** Provider id; used in error messages and, with the connection id, as the limiter key. */
  id: string;
  /** Absolute base URL; request paths are appended to it. */
  baseUrl: string;
  /** Sent with every request (Accept, API version ...). Request headers override them. Never put secrets here. */
  headers?: Readonly<Record<string, string>>;
  /** Per-connection limits, shared by all clients of a connection in this process. */
  limits: RequestLimits;
  /**
   * How the provider takes an idempotency key for writes (QuickBooks `?requestid=` <= 50 chars, Xero
   * `Idempotency-Key` header <= 128), or null if it takes none. A write is retried after a 5xx or a network
   * failure only when it carries a key the provider honours.
   */
  idempotency: { in: 'query' | 'header'; name: string; maxLength: number } | null;
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** Retry settings; defaults in `DEFAULT_RETRY_SETTINGS`. */
  retry?: Partial<RetrySettings>;
  /** Remaining-budget headers to honour (Xero `X-MinLimit-Remaining`); a zero pauses the connection. */
  limitHeaders?: readonly LimitHeader[];
}

export interface RetrySettings {
  /** Retries after the first attempt (401 refresh-and-retry does not count). Default 3. */
  maxRetries: number;
  /** First backoff ceiling; doubles per retry, with full jitter. Default 500. */
  baseDelayMs: number;
  /** Backoff ceiling. Default 20 000. */
  maxDelayMs: number;
  /**
   * Longest provider-requested wait (Retry-After, exhausted limit header) the client sleeps through itself. A longer
   * one ends the request with `RateLimitError.retryAfterMs` so a job queue can reschedule. Default 60 000.
   */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_SETTINGS: RetrySettings = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
};

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequestOptions<T = unknown> {
  method: HttpMethod;
  /** Path below `baseUrl`, starting with `/`. */
  path: string;
  /**
   * An absolute URL outside `baseUrl` (an identity endpoint such as Xero's `https://api.xero.com/connections`);
   * `path` then only names the call in logs and errors. Same limits, retries and classification as any request.
   */
  url?: string;
  /**
   * The request only reads, whatever its method (a GraphQL query, a search sent as POST): it is retried after a
   * 5xx or a network failure like a GET.
   */
  idempotent?: boolean;
  /** A batch request: it counts against the provider's batch window (`capabilities.batch.requestsPerMinute`). */
  batch?: boolean;
  query?: Record<string, string | number | boolean | null | undefined>;
  /** JSON body (sets Content-Type). */
  json?: unknown;
  /** Raw body, when not JSON. */
  body?: BodyInit;
  headers?: Record<string, string>;
  /**
   * Idempotency key sent the way the profile says. It makes a write safe to retry after a 5xx or a network error.
   * Ignored (and the write then counts as unsafe to repeat) when the provider takes no key.
   */
  idempotencyKey?: string;
  /** Validates the parsed JSON body of a 2xx; a mismatch throws `ValidationError`. */
  schema?: ZodType<T>;
  /** Caller's cancellation; aborting stops waiting and retrying. */
  signal?: AbortSignal;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON (validated when a schema was given), the raw text when not JSON, undefined when empty. */
  data: T;
}

/** What a classifier sees besides the response. */
export interface ClassifyContext {
  providerId: string;
  method: HttpMethod;
  /** Path without the query string. */
  path: string;
}

/**
 * Maps a provider's answer (every status except 401 and 429, which core handles - 2xx included, since GraphQL APIs
 * report errors inside a 200) onto a typed error. Return null to accept a 2xx, or to use `defaultClassifyError` for
 * any other status. The error's `retryable` flag decides whether a safe request is retried. The body may be quoted
 * in the message only after checking it cannot carry secrets; core redacts registered tokens anyway.
 */
export type ClassifyError = (
  response: Response,
  bodyText: string,
  context: ClassifyContext,
) => BlueClerkError | null | undefined;

export interface HttpHooks {
  /** Runs before each send; may return a replacement Request (e.g. add a tenant header). Sees the Authorization header: never log it. */
  beforeRequest?: Array<
    (context: {
      request: Request;
      attempt: number;
      connectionId: string;
      // biome-ignore lint/suspicious/noConfusingVoidType: a hook that only mutates headers returns nothing
    }) => Request | void | Promise<Request | undefined | void>
  >;
  /** Runs after each response, before classification (metrics, reading limit headers). */
  afterResponse?: Array<
    (context: {
      request: Request;
      response: Response;
      attempt: number;
      connectionId: string;
    }) => void | Promise<void>
  >;
}

export interface ProviderHttpOptions {
  provider: ProviderHttpProfile;
  connectionId: string;
  /** Usually `tokenManager.getAccessToken`. Called with `forceRefresh` + the rejected token after a 401. */
  getAccessToken: (connectionId: string, options?: GetAccessTokenOptions) => Promise<string>;
  classifyError?: ClassifyError;
  hooks?: HttpHooks;
  clock?: Clock;
  logger?: Logger;
  fetch?: typeof fetch;
  /** Defaults to the process-wide `sharedLimiterRegistry`. */
  limiter?: LimiterRegistry;
  /** Injectable for tests (backoff, Retry-After, limiter waits). Default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source. Default `Math.random`. */
  random?: () => number;
}

export interface ProviderHttp {
  request<T = unknown>(options: HttpRequestOptions<T>): Promise<HttpResponse<T>>;
}
