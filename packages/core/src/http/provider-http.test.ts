import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuthError, NetworkError, ProviderError, RateLimitError, ValidationError } from '../errors/index';
import { registerSecret } from '../redact/index';
import { createManualClock } from '../runtime/clock';
import type { GetAccessTokenOptions } from '../tokens/manager';
import { exposedText } from '../tokens/test-support';
import { createLimiterRegistry } from './limiter';
import { createProviderHttp } from './provider-http';
import type { ProviderHttpOptions, ProviderHttpProfile } from './types';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const BASE = 'https://api.provider.test/v3';

const PROFILE: ProviderHttpProfile = {
  id: 'xero',
  baseUrl: BASE,
  headers: { accept: 'application/json', 'api-version': '7' },
  limits: { requestsPerMinute: null, maxConcurrent: 5 },
  idempotency: { in: 'header', name: 'Idempotency-Key', maxLength: 128 },
  timeoutMs: 2_000,
  retry: { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 60_000 },
  limitHeaders: [{ name: 'X-MinLimit-Remaining', windowMs: 60_000 }],
};

function setup(overrides: Partial<ProviderHttpOptions> = {}, profile: Partial<ProviderHttpProfile> = {}) {
  const clock = createManualClock(Date.UTC(2026, 0, 1));
  const slept: number[] = [];
  const tokenCalls: Array<GetAccessTokenOptions | undefined> = [];
  let current = 'at_first_token_1234';
  const logs: string[] = [];
  const client = createProviderHttp({
    provider: { ...PROFILE, ...profile },
    connectionId: 'conn-1',
    getAccessToken: async (_id, options) => {
      tokenCalls.push(options);
      if (options?.forceRefresh && options.rejectedAccessToken === current) current = 'at_second_token_5678';
      return current;
    },
    clock,
    // Test sleep: no real waiting, but time moves as if it had.
    sleep: async (ms) => {
      slept.push(ms);
      clock.advance(ms);
    },
    random: () => 0.5,
    limiter: createLimiterRegistry(),
    logger: { log: (level, message, fields) => logs.push(`${level} ${message} ${JSON.stringify(fields)}`) },
    ...overrides,
  });
  return { client, clock, slept, tokenCalls, logs };
}

/** A handler that answers from a list in order and counts calls. */
function sequence(method: 'get' | 'post', path: string, answers: Array<() => Response | Promise<Response>>) {
  const seen: Request[] = [];
  server.use(
    http[method](`${BASE}${path}`, ({ request }) => {
      seen.push(request.clone());
      const answer = answers[Math.min(seen.length - 1, answers.length - 1)] as () => Response;
      return answer();
    }),
  );
  return seen;
}

describe('createProviderHttp', () => {
  it('injects the bearer token, default headers, query and idempotency key, and validates with the schema', async () => {
    const seen = sequence('post', '/Invoices', [
      () => HttpResponse.json({ Invoices: [{ InvoiceID: 'inv-1' }] }),
    ]);
    const { client } = setup();
    const result = await client.request({
      method: 'POST',
      path: '/Invoices',
      query: { summarizeErrors: false, skip: undefined },
      json: { Invoices: [] },
      idempotencyKey: 'key-123',
      schema: z.object({ Invoices: z.array(z.object({ InvoiceID: z.string() })) }),
    });
    expect(result.data.Invoices[0]?.InvoiceID).toBe('inv-1');
    const request = seen[0] as Request;
    expect(request.headers.get('authorization')).toBe('Bearer at_first_token_1234');
    expect(request.headers.get('api-version')).toBe('7');
    expect(request.headers.get('idempotency-key')).toBe('key-123');
    expect(new URL(request.url).search).toBe('?summarizeErrors=false');
    expect(await request.json()).toEqual({ Invoices: [] });
  });

  it('sends the idempotency key as a query parameter when the provider takes it there (QuickBooks requestid)', async () => {
    const seen = sequence('post', '/payment', [() => HttpResponse.json({})]);
    const { client } = setup({}, { idempotency: { in: 'query', name: 'requestid', maxLength: 50 } });
    await client.request({ method: 'POST', path: '/payment', json: {}, idempotencyKey: 'req-1' });
    expect(new URL((seen[0] as Request).url).searchParams.get('requestid')).toBe('req-1');
    await expect(
      client.request({ method: 'POST', path: '/payment', json: {}, idempotencyKey: 'x'.repeat(51) }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('on 401 forces one refresh with the rejected token and retries once', async () => {
    const seen = sequence('get', '/Contacts', [
      () => new HttpResponse(null, { status: 401 }),
      () => HttpResponse.json({ ok: 1 }),
    ]);
    const { client, tokenCalls } = setup();
    const result = await client.request({ method: 'GET', path: '/Contacts' });
    expect(result.data).toEqual({ ok: 1 });
    expect(seen.map((r) => r.headers.get('authorization'))).toEqual([
      'Bearer at_first_token_1234',
      'Bearer at_second_token_5678',
    ]);
    expect(tokenCalls).toEqual([
      undefined,
      { forceRefresh: true, rejectedAccessToken: 'at_first_token_1234' },
    ]);
  });

  it('a second 401 after the refresh ends in AuthError(unauthorized) without more refreshes', async () => {
    const seen = sequence('post', '/Contacts', [() => new HttpResponse(null, { status: 401 })]);
    const { client, tokenCalls } = setup();
    const error = await client
      .request({ method: 'POST', path: '/Contacts', json: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe('unauthorized');
    expect(seen).toHaveLength(2);
    expect(tokenCalls.filter((c) => c?.forceRefresh)).toHaveLength(1);
  });

  it('honours Retry-After in seconds on 429, even for an unkeyed POST', async () => {
    const seen = sequence('post', '/Contacts', [
      () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '7' } }),
      () => HttpResponse.json({ created: true }),
    ]);
    const { client, slept } = setup();
    const result = await client.request({ method: 'POST', path: '/Contacts', json: {} });
    expect(result.data).toEqual({ created: true });
    expect(seen).toHaveLength(2);
    expect(slept).toEqual([7_000]);
  });

  it('honours Retry-After as an HTTP date and the provider limit headers', async () => {
    const { client, slept, clock } = setup();
    const retryAt = new Date(clock.now() + 30_000).toUTCString();
    sequence('get', '/Items', [
      () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': retryAt } }),
      () => new HttpResponse(null, { status: 429, headers: { 'X-MinLimit-Remaining': '0' } }),
      () => HttpResponse.json([]),
    ]);
    await client.request({ method: 'GET', path: '/Items' });
    expect(slept).toEqual([30_000, 60_000]);
  });

  it('pauses the whole connection when a limit header reads zero on a success', async () => {
    sequence('get', '/Items', [
      () => HttpResponse.json([], { headers: { 'X-MinLimit-Remaining': '0' } }),
      () => HttpResponse.json([], { headers: { 'X-MinLimit-Remaining': '59' } }),
    ]);
    const { client, slept } = setup();
    await client.request({ method: 'GET', path: '/Items' });
    expect(slept).toEqual([]);
    await client.request({ method: 'GET', path: '/Items' });
    expect(slept).toEqual([60_000]);
  });

  it('ends with RateLimitError when the provider asks for a longer wait than maxRetryAfterMs', async () => {
    const seen = sequence('get', '/Items', [
      () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '3600' } }),
    ]);
    const { client, slept } = setup();
    const error = await client.request({ method: 'GET', path: '/Items' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(3_600_000);
    expect(seen).toHaveLength(1);
    expect(slept).toEqual([]);
  });

  it('retries a 5xx for GET with bounded, jittered exponential backoff', async () => {
    const seen = sequence('get', '/Invoices', [
      () => new HttpResponse('oops', { status: 503 }),
      () => new HttpResponse('oops', { status: 502 }),
      () => HttpResponse.json({ ok: true }),
    ]);
    const { client, slept } = setup();
    await client.request({ method: 'GET', path: '/Invoices' });
    expect(seen).toHaveLength(3);
    // random() = 0.5 -> half of 100 * 2^(n-1)
    expect(slept).toEqual([50, 100]);
  });

  it('retries a 5xx for a POST with an idempotency key, but not for a POST without one', async () => {
    const keyed = sequence('post', '/Payments', [
      () => new HttpResponse(null, { status: 500 }),
      () => HttpResponse.json({ id: 1 }),
    ]);
    const { client } = setup();
    await client.request({ method: 'POST', path: '/Payments', json: {}, idempotencyKey: 'pay-1' });
    expect(keyed).toHaveLength(2);

    const unkeyed = sequence('post', '/Payments', [() => new HttpResponse(null, { status: 500 })]);
    const error = await client
      .request({ method: 'POST', path: '/Payments', json: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).status).toBe(500);
    expect(unkeyed).toHaveLength(1);
  });

  it('gives up after maxRetries and throws the classified error', async () => {
    const seen = sequence('get', '/Invoices', [() => new HttpResponse(null, { status: 500 })]);
    const { client } = setup();
    await expect(client.request({ method: 'GET', path: '/Invoices' })).rejects.toMatchObject({
      code: 'provider_error',
      retryable: true,
    });
    expect(seen).toHaveLength(4);
  });

  it('uses the provider classifier and does not retry non-retryable errors', async () => {
    const seen = sequence('get', '/Invoices/x', [
      () => HttpResponse.json({ Fault: { Error: [{ code: '610' }] } }, { status: 400 }),
    ]);
    const { client } = setup({
      classifyError: (response, body) =>
        body.includes('"610"')
          ? new ProviderError('not_found', 'Object Not Found', {
              status: response.status,
              providerCode: '610',
            })
          : null,
    });
    await expect(client.request({ method: 'GET', path: '/Invoices/x' })).rejects.toMatchObject({
      code: 'not_found',
      providerCode: '610',
    });
    expect(seen).toHaveLength(1);
  });

  it('times out with NetworkError(timeout)', async () => {
    server.use(http.post(`${BASE}/slow`, () => new Promise<Response>(() => {})));
    const { client } = setup({}, { timeoutMs: 50 });
    const error = await client.request({ method: 'POST', path: '/slow', json: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).code).toBe('timeout');
  });

  it('retries a network failure for GET and reports NetworkError(network) when it persists', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/flaky`, () => {
        calls++;
        return HttpResponse.error();
      }),
    );
    const { client } = setup();
    await expect(client.request({ method: 'GET', path: '/flaky' })).rejects.toMatchObject({
      code: 'network',
    });
    expect(calls).toBe(4);
  });

  it('rejects a 2xx body that does not match the schema with ValidationError', async () => {
    sequence('get', '/Invoices', [() => HttpResponse.json({ Invoices: 'nope' })]);
    const { client } = setup();
    await expect(
      client.request({
        method: 'GET',
        path: '/Invoices',
        schema: z.object({ Invoices: z.array(z.unknown()) }),
      }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('keeps in-flight requests at maxConcurrent across clients of the same connection', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    server.use(
      http.get(`${BASE}/slowish`, async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight--;
        return HttpResponse.json({});
      }),
    );
    const limiter = createLimiterRegistry();
    const options = { limiter, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
    const a = setup(options, { limits: { requestsPerMinute: null, maxConcurrent: 3 } }).client;
    const b = setup(options, { limits: { requestsPerMinute: null, maxConcurrent: 3 } }).client;
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).request({ method: 'GET', path: '/slowish' })),
    );
    expect(maxInFlight).toBe(3);
  });

  it('spreads requests over the minute window when requestsPerMinute is reached', async () => {
    sequence('get', '/Items', [() => HttpResponse.json([])]);
    const { client, slept } = setup({}, { limits: { requestsPerMinute: 3, maxConcurrent: null } });
    for (let i = 0; i < 4; i++) await client.request({ method: 'GET', path: '/Items' });
    expect(slept).toEqual([60_000]);
  });

  it('keeps tokens and secrets out of errors, causes and logs', async () => {
    const secretToken = 'at_first_token_1234';
    registerSecret(secretToken);
    const { client, logs } = setup({
      // A careless classifier that quotes the body, which echoes the Authorization header.
      classifyError: (response, body) =>
        new ProviderError('provider_error', `failed: ${body}`, { status: response.status }),
      fetch: async (input, init) => {
        const request = new Request(input, init);
        if (request.url.endsWith('/network'))
          throw new TypeError(`connect failed; ${request.headers.get('authorization')}`);
        return new Response(`echo ${request.headers.get('authorization')}`, { status: 400 });
      },
    });
    const failures = [
      await client.request({ method: 'POST', path: '/echo', json: {} }).catch((e: unknown) => e),
      await client.request({ method: 'POST', path: '/network', json: {} }).catch((e: unknown) => e),
    ];
    expect(failures[0]).toBeInstanceOf(ProviderError);
    expect(failures[1]).toBeInstanceOf(NetworkError);
    const text = failures.map((f) => exposedText(f)).join('\n') + logs.join('\n');
    expect(text).not.toContain(secretToken);
    expect(text).toContain('failed:');
  });
});

describe('createProviderHttp: GraphQL-style answers, POST reads, identity URLs and declared windows', () => {
  it('lets the classifier fail a 2xx (errors inside HTTP 200) and accept a clean one', async () => {
    const seen = sequence('post', '/graphql', [
      () => HttpResponse.json({ data: { invoicePaymentCreateManual: { didSucceed: false } } }),
      () => HttpResponse.json({ data: { invoicePaymentCreateManual: { didSucceed: true } } }),
    ]);
    const { client } = setup({
      classifyError: (response, text) =>
        response.ok && text.includes('"didSucceed":false')
          ? new ProviderError('validation_failed', 'The provider refused the mutation', { status: 200 })
          : null,
    });
    await expect(client.request({ method: 'POST', path: '/graphql', json: {} })).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(client.request({ method: 'POST', path: '/graphql', json: {} })).resolves.toMatchObject({
      status: 200,
    });
    expect(seen).toHaveLength(2);
  });

  it('retries a POST marked idempotent after a 5xx, and not an unmarked one', async () => {
    const read = sequence('post', '/read', [
      () => new HttpResponse(null, { status: 502 }),
      () => HttpResponse.json({ ok: 1 }),
    ]);
    const { client } = setup();
    await expect(
      client.request({ method: 'POST', path: '/read', json: { query: '{ invoices }' }, idempotent: true }),
    ).resolves.toMatchObject({ data: { ok: 1 } });
    expect(read).toHaveLength(2);
    const write = sequence('post', '/write', [
      () => new HttpResponse(null, { status: 502 }),
      () => HttpResponse.json({}),
    ]);
    await expect(client.request({ method: 'POST', path: '/write', json: {} })).rejects.toMatchObject({
      code: 'provider_error',
    });
    expect(write).toHaveLength(1);
  });

  it('sends an absolute identity URL through the same client, and refuses a non-https one', async () => {
    let authorization: string | null = null;
    server.use(
      http.get('https://identity.provider.test/connections', ({ request }) => {
        authorization = request.headers.get('authorization');
        return HttpResponse.json([{ tenantId: 't-1' }]);
      }),
    );
    const { client } = setup();
    const { data } = await client.request({
      method: 'GET',
      path: '/connections',
      url: 'https://identity.provider.test/connections',
    });
    expect(data).toEqual([{ tenantId: 't-1' }]);
    expect(authorization).toBe('Bearer at_first_token_1234');
    await expect(
      client.request({ method: 'GET', path: '/connections', url: 'http://evil.test/connections' }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('turns a spent daily budget into rate_limited with the reset time, without sending the request', async () => {
    const seen = sequence('get', '/Invoices', [() => HttpResponse.json({})]);
    const { client, clock } = setup(
      {},
      { limits: { requestsPerMinute: null, maxConcurrent: 5, requestsPerDay: 3 } },
    );
    const start = clock.now();
    for (let i = 0; i < 3; i++) await client.request({ method: 'GET', path: '/Invoices' });
    clock.advance(60_000);
    const error = await client.request({ method: 'GET', path: '/Invoices' }).catch((e: unknown) => e);
    expect(RateLimitError.isInstance(error)).toBe(true);
    expect((error as RateLimitError).details).toMatchObject({
      window: 'day',
      resetAt: start + 24 * 3_600_000,
    });
    expect((error as RateLimitError).retryAfterMs).toBe(24 * 3_600_000 - 60_000);
    expect(seen).toHaveLength(3);
    // The budget frees up as the 24-hour window slides past the first requests.
    clock.advance(24 * 3_600_000);
    await expect(client.request({ method: 'GET', path: '/Invoices' })).resolves.toMatchObject({
      status: 200,
    });
  });

  it('paces batch requests to their own per-minute window, leaving single requests alone', async () => {
    sequence('post', '/batch', [() => HttpResponse.json({})]);
    sequence('get', '/one', [() => HttpResponse.json({})]);
    const { client, slept } = setup(
      {},
      { limits: { requestsPerMinute: 100, maxConcurrent: 5, batchRequestsPerMinute: 2 } },
    );
    await client.request({
      method: 'POST',
      path: '/batch',
      json: {},
      batch: true,
      idempotencyKey: 'k-1-abcdefghijkl',
    });
    await client.request({
      method: 'POST',
      path: '/batch',
      json: {},
      batch: true,
      idempotencyKey: 'k-2-abcdefghijkl',
    });
    await client.request({ method: 'GET', path: '/one' });
    expect(slept).toEqual([]);
    await client.request({
      method: 'POST',
      path: '/batch',
      json: {},
      batch: true,
      idempotencyKey: 'k-3-abcdefghijkl',
    });
    expect(slept).toEqual([60_000]);
  });
});

describe('messages a business user reads', () => {
  it('name the provider and what happened, never the API path or a company id; details keep both for logs', async () => {
    sequence('get', '/company/9130350000000001/invoice/7', [
      () => new HttpResponse(null, { status: 404 }),
      () => HttpResponse.json({ unexpected: true }),
      () => new HttpResponse(null, { status: 401 }),
    ]);
    const { client } = setup();
    const path = '/company/9130350000000001/invoice/7';
    const notFound = await client.request({ method: 'GET', path }).catch((e: unknown) => e);
    const badBody = await client
      .request({ method: 'GET', path, schema: z.object({ Invoice: z.object({}) }) })
      .catch((e: unknown) => e);
    for (const error of [notFound, badBody]) {
      expect((error as Error).message).not.toContain('9130350000000001');
      expect((error as Error).message).not.toContain('/company');
      expect((error as ProviderError).details).toMatchObject({ method: 'GET', path });
    }
  });
});
