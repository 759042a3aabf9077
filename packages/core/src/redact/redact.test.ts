import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors/index';
import { createRedactingLogger } from './logger';
import { redactText } from './redact-text';
import { redactError, redactValue } from './redact-value';
import {
  clearRegisteredSecrets,
  MAX_REGISTERED_SECRETS,
  registeredSecretCount,
  registerSecret,
} from './secret-registry';
import { isSensitiveKey } from './sensitive-keys';

const ACCESS =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6IjFDQUY4RTY2NzcyRDZEQzAyOEQ2NzI2RkQwMjYxNTgxNTcwRUZDMTkifQ.eyJzdWIiOiIxMjMifQ.sig-part_123';
const REFRESH = 'AB11730000000RefreshTokenValue9xYz';
const CODE = 'AB11700000000AuthCodeQ9wE';
const CLIENT_SECRET = 'Zq8vT1kLmN3pR7sW9xYb2cD4eF6gH0jA';

afterEach(() => clearRegisteredSecrets());

describe('redactText', () => {
  it.each([
    ['Authorization: Bearer abc123.def456-ghi', 'Authorization: [REDACTED]'],
    ['sent header authorization=Bearer 9f8e7d6c5b4a', 'sent header authorization=[REDACTED] [REDACTED]'],
    ['Bearer abcdefghij1234', 'Bearer [REDACTED]'],
    [`Basic ${btoa(`client-id:${CLIENT_SECRET}`)}`, 'Basic [REDACTED]'],
    ['Cookie: session=abc; other=def', 'Cookie: [REDACTED]'],
    [
      `GET https://app.test/callback?code=${CODE}&state=s1&realmId=9130`,
      'GET https://app.test/callback?code=[REDACTED]&state=s1&realmId=9130',
    ],
    [
      `grant_type=refresh_token&refresh_token=${REFRESH}&client_secret=${CLIENT_SECRET}`,
      'grant_type=refresh_token&refresh_token=[REDACTED]&client_secret=[REDACTED]',
    ],
    [
      'https://app.test/#access_token=abc.def&expires_in=3600',
      'https://app.test/#access_token=[REDACTED]&expires_in=3600',
    ],
    ['postgres://admin:hunter2pass@db:5432/x', 'postgres://admin:[REDACTED]@db:5432/x'],
    [
      `{"access_token":"${ACCESS}","token_type":"bearer","expires_in":3600,"x_refresh_token_expires_in":8726400,"refresh_token":"${REFRESH}"}`,
      '{"access_token":"[REDACTED]","token_type":"bearer","expires_in":3600,"x_refresh_token_expires_in":8726400,"refresh_token":"[REDACTED]"}',
    ],
    [
      `{"error":"invalid_client","client_secret":"${CLIENT_SECRET}","code":"${CODE}"}`,
      '{"error":"invalid_client","client_secret":"[REDACTED]","code":"[REDACTED]"}',
    ],
    [`body: "{\\"refreshToken\\":\\"${REFRESH}\\"}"`, 'body: "{\\"refreshToken\\":\\"[REDACTED]\\"}"'],
    [
      `{ headers: { Authorization: 'Bearer ${REFRESH}' }, clientSecret: '${CLIENT_SECRET}' }`,
      "{ headers: { Authorization: '[REDACTED]' }, clientSecret: '[REDACTED]' }",
    ],
    [
      `{"message":"bad request: access_token: '${REFRESH}'"}`,
      `{"message":"bad request: access_token: '[REDACTED]'"}`,
    ],
    [`token is ${ACCESS} ok`, 'token is [REDACTED] ok'],
    ['-----BEGIN PRIVATE KEY-----\nMIIEv...\n-----END PRIVATE KEY-----', '[REDACTED]'],
  ])('redacts %j', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it.each([
    'Refresh token expired; reconnect the account',
    'access token contains whitespace',
    'Basic authentication failed',
    'bearer token missing',
    '{"code":"invalid_grant","error_description":"Token invalid"}',
    'QuickBooks Fault code=5010 Stale Object Error',
    'https://app.test/callback?state=abc&realmId=9130',
    'expectedVersion=3 fence=12',
  ])('leaves text without secrets alone: %j', (input) => {
    if (input.includes('code=5010')) {
      // In a URL or form body `code=` is always redacted, even when it looks harmless.
      expect(redactText(input)).toBe('QuickBooks Fault code=[REDACTED] Stale Object Error');
    } else {
      expect(redactText(input)).toBe(input);
    }
  });
});

describe('secret registry', () => {
  it('replaces registered values anywhere, longest match first', () => {
    registerSecret(REFRESH);
    registerSecret(`${REFRESH}-longer`);
    expect(redactText(`provider echoed ${REFRESH}-longer and ${REFRESH}.`)).toBe(
      'provider echoed [REDACTED] and [REDACTED].',
    );
  });

  it('ignores values shorter than 8 characters and non-strings', () => {
    registerSecret('short');
    registerSecret(null);
    registerSecret(undefined);
    expect(registeredSecretCount()).toBe(0);
    expect(redactText('short')).toBe('short');
  });

  it('is bounded: the oldest values drop out first, re-registering refreshes a value', () => {
    registerSecret('first-secret-value');
    registerSecret('kept-secret-value');
    for (let i = 0; i < MAX_REGISTERED_SECRETS - 2; i += 1) registerSecret(`filler-secret-${i}`);
    registerSecret('first-secret-value'); // now the newest
    registerSecret('one-more-secret'); // evicts the oldest, which is now 'kept-secret-value'
    expect(registeredSecretCount()).toBe(MAX_REGISTERED_SECRETS);
    expect(redactText('first-secret-value')).toBe('[REDACTED]');
    expect(redactText('kept-secret-value')).toBe('kept-secret-value');
    expect(redactText('filler-secret-0 one-more-secret')).toBe('[REDACTED] [REDACTED]');
  });
});

describe('isSensitiveKey', () => {
  it('matches secret names in any spelling and keeps expiries, types and URLs', () => {
    for (const key of [
      'access_token',
      'refreshToken',
      'ID-TOKEN',
      'client_secret',
      'Authorization',
      'cookie',
      'password',
      'x-api-key',
      'apiKey',
      'secret',
      'token',
      'QUICKBOOKS_CLIENT_SECRET',
      'BLUECLERK_ENCRYPTION_KEYS',
      'code_verifier',
    ]) {
      expect(isSensitiveKey(key), key).toBe(true);
    }
    for (const key of [
      'accessTokenExpiresAt',
      'expires_in',
      'token_type',
      'tokenUrl',
      'SyncToken',
      'state',
      'realmId',
      'clientId',
      'connectionId',
    ]) {
      expect(isSensitiveKey(key), key).toBe(false);
    }
  });

  it('tells an authorization code from an error code', () => {
    expect(isSensitiveKey('code', CODE)).toBe(true);
    expect(isSensitiveKey('code', 'SplxlOBeZQQYbYS6WxSbIA')).toBe(true);
    expect(isSensitiveKey('code')).toBe(true);
    for (const errorCode of ['rate_limited', 'invalid_grant', 'ECONNRESET', '5010', 401]) {
      expect(isSensitiveKey('code', errorCode), String(errorCode)).toBe(false);
    }
  });
});

describe('redactValue', () => {
  it('returns a deep redacted copy and leaves the input untouched', () => {
    const input = {
      connectionId: 'conn_1',
      tokens: { accessToken: ACCESS, refreshToken: REFRESH },
      tokenSet: null,
      accessTokenExpiresAt: 1_700_000_000_000,
      request: { url: `https://x.test/cb?code=${CODE}`, headers: { Authorization: `Bearer ${ACCESS}` } },
      list: [`Bearer ${REFRESH}`, 42, { client_secret: CLIENT_SECRET }],
      error: { code: 'rate_limited' },
      when: new Date(5),
    };
    const snapshot = structuredClone(input);
    const out = redactValue(input);
    expect(out).toEqual({
      connectionId: 'conn_1',
      tokens: '[REDACTED]',
      tokenSet: null,
      accessTokenExpiresAt: 1_700_000_000_000,
      request: { url: 'https://x.test/cb?code=[REDACTED]', headers: { Authorization: '[REDACTED]' } },
      list: ['Bearer [REDACTED]', 42, { client_secret: '[REDACTED]' }],
      error: { code: 'rate_limited' },
      when: new Date(5),
    });
    expect(input).toEqual(snapshot);
  });

  it('handles cycles, maps, sets, bytes and fetch objects', () => {
    const cyclic: Record<string, unknown> = { name: 'loop', password: 'hunter2hunter2' };
    cyclic.self = cyclic;
    const out = redactValue(cyclic) as Record<string, unknown>;
    expect(out.self).toBe(out);
    expect(out.password).toBe('[REDACTED]');

    const map = redactValue(
      new Map<string, unknown>([
        ['refresh_token', REFRESH],
        ['realm', '9130'],
      ]),
    );
    expect([...map]).toEqual([
      ['refresh_token', '[REDACTED]'],
      ['realm', '9130'],
    ]);
    expect([...redactValue(new Set([`Bearer ${REFRESH}`]))]).toEqual(['Bearer [REDACTED]']);
    expect(redactValue({ key: new Uint8Array(32) })).toEqual({ key: '[Uint8Array(32)]' });

    const headers = new Headers({ authorization: `Bearer ${ACCESS}`, 'content-type': 'application/json' });
    expect(redactValue(headers)).toEqual({ authorization: '[REDACTED]', 'content-type': 'application/json' });
    const request = new Request(`https://x.test/token?code=${CODE}`, { headers, method: 'POST' });
    expect(redactValue(request)).toEqual({ method: 'POST', url: 'https://x.test/token?code=[REDACTED]' });
    expect(redactValue(new URL(`https://x.test/?access_token=${REFRESH}`))).toBe(
      'https://x.test/?access_token=[REDACTED]',
    );
  });

  it('survives throwing getters', () => {
    const hostile = {
      get boom(): string {
        throw new Error(`getter leaked ${REFRESH}`);
      },
      ok: 1,
    };
    expect(redactValue(hostile)).toEqual({ boom: '[Unreadable]', ok: 1 });
  });
});

describe('redactError', () => {
  it('scrubs message, stack, own properties and every cause, keeping name, code and prototype', () => {
    class HttpError extends Error {
      status = 400;
      body = `{"error":"invalid_grant","refresh_token":"${REFRESH}"}`;
      options = { headers: { Authorization: `Bearer ${ACCESS}` } };
    }
    const root = new Error(`callback https://app.test/cb?code=${CODE}&state=x failed`);
    const middle = new HttpError(`client_secret=${CLIENT_SECRET} rejected`, { cause: root });
    middle.name = 'HttpError';
    const top = Object.assign(new TypeError(`fetch failed with Bearer ${ACCESS}`, { cause: middle }), {
      code: 'ECONNRESET',
    });

    const safe = redactError(top);
    expect(safe).not.toBe(top);
    expect(safe).toBeInstanceOf(TypeError);
    expect(safe.name).toBe('TypeError');
    expect((safe as unknown as { code: string }).code).toBe('ECONNRESET');
    expect(safe.message).toBe('fetch failed with Bearer [REDACTED]');
    const safeMiddle = safe.cause as HttpError;
    expect(safeMiddle).toBeInstanceOf(HttpError);
    expect(safeMiddle.name).toBe('HttpError');
    expect(safeMiddle.status).toBe(400);
    expect(safeMiddle.message).toBe('client_secret=[REDACTED] rejected');
    expect(safeMiddle.body).toBe('{"error":"invalid_grant","refresh_token":"[REDACTED]"}');
    expect(safeMiddle.options).toEqual({ headers: { Authorization: '[REDACTED]' } });
    expect((safeMiddle.cause as Error).message).toBe(
      'callback https://app.test/cb?code=[REDACTED]&state=x failed',
    );

    const all = collectText(safe);
    for (const secret of [ACCESS, REFRESH, CODE, CLIENT_SECRET]) expect(all).not.toContain(secret);
    // The original is untouched.
    expect(top.message).toContain(ACCESS);
  });

  it('keeps cause cycles finite and handles AggregateError and non-errors', () => {
    const a = new Error(`a ${REFRESH}`);
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const safe = redactError(a);
    expect(((safe.cause as Error).cause as Error) === safe).toBe(true);
    // A bare opaque token has no tell-tale shape: only the registry can catch it.
    expect(safe.message).toBe(`a ${REFRESH}`);
    registerSecret(REFRESH);
    expect(redactError(a).message).toBe('a [REDACTED]');

    const aggregate = redactError(new AggregateError([new Error(`Bearer ${ACCESS}`)], 'many'));
    expect((aggregate.errors[0] as Error).message).toBe('Bearer [REDACTED]');
    expect(redactError(`Bearer ${ACCESS}`)).toBe('Bearer [REDACTED]');
    expect(redactError({ password: 'x1y2z3w4v5' })).toEqual({ password: '[REDACTED]' });
  });
});

/** Every string reachable from an error: message, stack, own properties and causes, plus its JSON. */
function collectText(value: unknown, seen = new Set<unknown>()): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null || seen.has(value)) return String(value);
  seen.add(value);
  const parts: string[] = [];
  if (value instanceof Error) parts.push(value.message, value.stack ?? '', collectText(value.cause, seen));
  for (const key of Reflect.ownKeys(value)) {
    const entry = (value as Record<PropertyKey, unknown>)[key];
    parts.push(collectText(entry, seen));
  }
  try {
    parts.push(JSON.stringify(value));
  } catch {
    // cycles: the walk above covered them
  }
  return parts.join('\n');
}

describe('one secret registry per process', () => {
  it('is shared by every bundled copy of core (a second module instance sees what the first registered)', async () => {
    const first = await import('./secret-registry');
    // A query string makes Vite load a second, independent instance of the same module: a second bundled copy.
    const second = (await import(`./secret-registry?copy=${Date.now()}`)) as typeof first;
    expect(second).not.toBe(first);
    first.registerSecret('sk_live_shared_between_copies_91x');
    expect(second.redactRegisteredSecrets('echo sk_live_shared_between_copies_91x')).toBe('echo [REDACTED]');
  });
});

describe('createRedactingLogger under wrong argument types', () => {
  it.each([
    ['null', null],
    ['a function', () => {}],
    ['an object without log', { info: () => {} }],
    ['a string', 'console'],
  ])(
    'refuses %s at set-up with a ConfigurationError naming logger, not a TypeError at the first log line',
    (_name, logger) => {
      let error: unknown;
      try {
        createRedactingLogger(logger as never);
      } catch (caught) {
        error = caught;
      }
      expect(ConfigurationError.isInstance(error)).toBe(true);
      expect((error as ConfigurationError).setting).toBe('logger');
    },
  );

  it('still wraps a logger once and redacts what it logs', () => {
    const lines: string[] = [];
    const logger = createRedactingLogger({ log: (_level, message) => lines.push(message) });
    expect(createRedactingLogger(logger)).toBe(logger);
    logger.log('info', `Authorization: Bearer ${ACCESS}`);
    expect(lines).toEqual(['Authorization: [REDACTED]']);
  });
});
