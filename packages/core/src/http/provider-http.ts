import ky, { type KyRequest } from 'ky';
import pRetry from 'p-retry';
import { AuthError, BlueClerkError, NetworkError, RateLimitError, ValidationError } from '../errors/index';
import { redactError } from '../redact/index';
import { assertOptionsObject } from '../runtime/arguments';
import { systemClock } from '../runtime/clock';
import { silentLogger } from '../runtime/logger';
import { defaultClassifyError } from './classify';
import { sharedLimiterRegistry } from './limiter';
import { exhaustedLimitWait, parseRetryAfter } from './rate-limit';
import {
  DEFAULT_RETRY_SETTINGS,
  type HttpMethod,
  type HttpRequestOptions,
  type HttpResponse,
  type ProviderHttp,
  type ProviderHttpOptions,
} from './types';

const SAFE_METHODS: ReadonlySet<HttpMethod> = new Set(['GET', 'HEAD']);

interface Sent {
  request: Request;
  response: Response;
  text: string;
}

export function createProviderHttp(options: ProviderHttpOptions): ProviderHttp {
  assertOptionsObject('createProviderHttp', options);
  const profile = options.provider;
  const { connectionId } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const retry = { ...DEFAULT_RETRY_SETTINGS, ...profile.retry };
  const limiter = (options.limiter ?? sharedLimiterRegistry).get(
    `${profile.id}:${connectionId}`,
    profile.limits,
  );
  const classify = options.classifyError;
  const baseUrl = profile.baseUrl.replace(/\/+$/, '');

  const client = ky.create({
    retry: 0,
    throwHttpErrors: false,
    timeout: profile.timeoutMs,
    redirect: 'manual',
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  function buildUrl(request: HttpRequestOptions<unknown>): URL {
    if (typeof request.path !== 'string' || !request.path.startsWith('/')) {
      throw new ValidationError('Request path must start with /', [
        { path: 'path', message: 'must start with /' },
      ]);
    }
    let url: URL;
    if (request.url !== undefined) {
      url = parseAbsoluteUrl(request.url);
      if (
        url.protocol !== 'https:' &&
        !(url.protocol === 'http:' && /^(127\.|localhost$|\[::1\]$)/.test(url.hostname))
      ) {
        throw new ValidationError('Request url must be an absolute https URL', [
          { path: 'url', message: 'not an absolute https URL' },
        ]);
      }
    } else {
      url = new URL(baseUrl + request.path);
    }
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    }
    const idem = profile.idempotency;
    if (request.idempotencyKey !== undefined && idem?.in === 'query')
      url.searchParams.set(idem.name, request.idempotencyKey);
    return url;
  }

  function checkIdempotencyKey(key: string | undefined): boolean {
    if (key === undefined || profile.idempotency === null) return false;
    if (key.length === 0 || key.length > profile.idempotency.maxLength) {
      throw new ValidationError(
        `Idempotency key must be 1..${profile.idempotency.maxLength} characters for ${profile.id}`,
        [{ path: 'idempotencyKey', message: `length ${key.length}` }],
      );
    }
    return true;
  }

  /** One send under the connection's limiter; the slot is held until the body is read. */
  async function send(
    request: HttpRequestOptions<unknown>,
    url: URL,
    token: string,
    attempt: number,
  ): Promise<Sent> {
    const headers = new Headers(profile.headers);
    if (!headers.has('accept')) headers.set('accept', 'application/json');
    for (const [name, value] of Object.entries(request.headers ?? {})) headers.set(name, value);
    const idem = profile.idempotency;
    if (request.idempotencyKey !== undefined && idem?.in === 'header')
      headers.set(idem.name, request.idempotencyKey);
    headers.set('authorization', `Bearer ${token}`);

    const release = await limiter.acquire({ clock, sleep, batch: request.batch === true });
    const started = clock.now();
    try {
      let sentRequest: Request | undefined;
      const response = await client(url, {
        method: request.method,
        headers,
        ...(request.json !== undefined ? { json: request.json } : {}),
        ...(request.body !== undefined ? { body: request.body } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
        hooks: {
          beforeRequest: [
            async (kyRequest: KyRequest) => {
              let current: Request = kyRequest;
              for (const hook of options.hooks?.beforeRequest ?? []) {
                const replaced = await hook({ request: current, attempt, connectionId });
                if (replaced) current = replaced;
              }
              sentRequest = current;
              return current === kyRequest ? undefined : current;
            },
          ],
        },
      });
      const finalRequest = sentRequest ?? new Request(url, { method: request.method });
      for (const hook of options.hooks?.afterResponse ?? []) {
        await hook({ request: finalRequest, response, attempt, connectionId });
      }
      const text = await response.text();
      logger.log('debug', 'provider request', {
        provider: profile.id,
        connectionId,
        method: request.method,
        path: request.path,
        status: response.status,
        attempt,
        ms: clock.now() - started,
      });
      return { request: finalRequest, response, text };
    } catch (error) {
      throw transportError(error, request, attempt);
    } finally {
      release();
    }
  }

  function transportError(
    error: unknown,
    request: HttpRequestOptions<unknown>,
    attempt: number,
  ): BlueClerkError {
    if (BlueClerkError.isInstance(error)) return error;
    // The path (with its company id) goes to details for logs; the message is read by business users.
    const where = `A request to ${profile.id}`;
    const details = { method: request.method, path: request.path, attempt };
    if (request.signal?.aborted) {
      return new NetworkError('network', `${where} was cancelled`, {
        retryable: false,
        details,
        cause: redactError(error),
      });
    }
    if ((error as { name?: string } | null)?.name === 'TimeoutError') {
      return new NetworkError('timeout', `${where} timed out after ${profile.timeoutMs} ms`, {
        details,
        cause: redactError(error),
      });
    }
    return new NetworkError('network', `${where} failed before a response arrived`, {
      details,
      cause: redactError(error),
    });
  }

  function rateLimitDelay(response: Response): number | null {
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'), clock.now());
    if (retryAfter !== null) return retryAfter;
    return exhaustedLimitWait(response.headers, profile.limitHeaders ?? []);
  }

  function interpret<T>(sent: Sent, request: HttpRequestOptions<T>, attempt: number): HttpResponse<T> {
    const { response, text } = sent;
    const details = { method: request.method, path: request.path, status: response.status, attempt };
    const exhausted = exhaustedLimitWait(response.headers, profile.limitHeaders ?? []);
    if (exhausted !== null && exhausted <= retry.maxRetryAfterMs) limiter.pauseUntil(clock.now() + exhausted);

    const context = { providerId: profile.id, method: request.method, path: request.path };
    if (response.ok) {
      // The classifier sees 2xx too: GraphQL providers answer 200 with `errors` or `didSucceed: false`.
      const failure = classify?.(response, text, context);
      if (failure) throw failure;
      const data = parseBody(text);
      if (!request.schema) return { status: response.status, headers: response.headers, data: data as T };
      const parsed = request.schema.safeParse(data);
      if (!parsed.success) {
        throw new ValidationError(
          `${profile.id} answered with a body the SDK cannot read`,
          parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
          { details },
        );
      }
      return { status: response.status, headers: response.headers, data: parsed.data };
    }
    if (response.status === 401) {
      throw new AuthError('unauthorized', `${profile.id} rejected the access token`, {
        details,
        action: `If this persists, ask the owner to connect ${profile.id} again`,
      });
    }
    if (response.status === 429) {
      const wait = rateLimitDelay(response);
      throw new RateLimitError(`${profile.id} is rate limiting this connection`, wait ?? undefined, {
        details,
      });
    }
    throw classify?.(response, text, context) ?? defaultClassifyError(response, text, context);
  }

  function backoff(retryNumber: number): number {
    const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (retryNumber - 1));
    return Math.round(random() * ceiling); // full jitter
  }

  return {
    async request<T>(request: HttpRequestOptions<T>): Promise<HttpResponse<T>> {
      const url = buildUrl(request);
      const keyed = checkIdempotencyKey(request.idempotencyKey);
      const safeToRepeat = SAFE_METHODS.has(request.method) || request.idempotent === true || keyed;
      let refreshedAfter401 = false;
      let nextDelayMs = 0;
      let attempt = 0;

      const runAttempt = async (): Promise<HttpResponse<T>> => {
        attempt++;
        if (nextDelayMs > 0) {
          await sleep(nextDelayMs);
          nextDelayMs = 0;
        }
        let token = await options.getAccessToken(connectionId);
        let sent = await send(request, url, token, attempt);
        // A 401 means the request was refused before it was processed, so even an unkeyed write may be resent.
        if (sent.response.status === 401 && !refreshedAfter401) {
          refreshedAfter401 = true;
          token = await options.getAccessToken(connectionId, {
            forceRefresh: true,
            rejectedAccessToken: token,
          });
          sent = await send(request, url, token, attempt);
        }
        return interpret(sent, request, attempt);
      };

      try {
        return await pRetry(runAttempt, {
          retries: retry.maxRetries,
          minTimeout: 0,
          maxTimeout: 0,
          factor: 1,
          randomize: false,
          ...(request.signal ? { signal: request.signal } : {}),
          shouldRetry: ({ error, retriesConsumed }) => {
            if (!BlueClerkError.isInstance(error) || !error.retryable || request.signal?.aborted)
              return false;
            const retryNumber = retriesConsumed + 1;
            if (RateLimitError.isInstance(error)) {
              // A 429 was refused before processing: safe to resend whatever the method.
              const wait = error.retryAfterMs ?? backoff(retryNumber);
              if (wait > retry.maxRetryAfterMs) return false;
              limiter.pauseUntil(clock.now() + wait);
              nextDelayMs = 0; // the limiter pause makes this and every other request of the connection wait
              return true;
            }
            if (!safeToRepeat) return false;
            nextDelayMs = backoff(retryNumber);
            return true;
          },
          onFailedAttempt: ({ error, attemptNumber }) => {
            logger.log('warn', 'provider request failed', {
              provider: profile.id,
              connectionId,
              method: request.method,
              path: request.path,
              attempt: attemptNumber,
              code: BlueClerkError.isInstance(error) ? error.code : 'internal',
            });
          },
        });
      } catch (error) {
        if (BlueClerkError.isInstance(error)) throw redactError(error);
        throw new NetworkError('network', `A request to ${profile.id} failed`, {
          retryable: false,
          details: { method: request.method, path: request.path },
          cause: redactError(error),
        });
      }
    },
  };
}

function parseBody(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function parseAbsoluteUrl(value: unknown): URL {
  try {
    return new URL(String(value));
  } catch {
    return new URL('invalid:');
  }
}
