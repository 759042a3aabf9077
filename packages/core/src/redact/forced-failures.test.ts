import { afterEach, describe, expect, it } from 'vitest';
import { AuthError, BlueClerkError, NetworkError, ProviderError } from '../errors/index';
import type { Logger, LogLevel } from '../runtime/logger';
import { createRedactingLogger } from './logger';
import { clearRegisteredSecrets, registerSecret } from './secret-registry';

/*
 * Forced failures: errors built the way provider and HTTP code will build them, with secrets in every place a
 * secret can hide. Each secret must be gone from message, stack, details, the cause chain and logger output.
 */

const ACCESS_TOKEN = `eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..${'q'.repeat(900)}.T0k3nTag`;
const OPAQUE_ACCESS = 'OpaqueAccess7fK2mQ9pL4xZ8vB1nR6t';
const REFRESH_TOKEN = 'AB11730000000RefreshTokenValue9xYz';
const CLIENT_SECRET = 'Zq8vT1kLmN3pR7sW9xYb2cD4eF6gH0jA';
const AUTH_CODE = 'AB11700000000AuthCodeQ9wE';
const SECRETS = [ACCESS_TOKEN, OPAQUE_ACCESS, REFRESH_TOKEN, CLIENT_SECRET, AUTH_CODE];

afterEach(() => clearRegisteredSecrets());

function collectText(value: unknown, seen = new Set<unknown>()): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null || seen.has(value)) return String(value);
  seen.add(value);
  const parts: string[] = [];
  if (value instanceof Error) parts.push(value.message, value.stack ?? '', collectText(value.cause, seen));
  for (const key of Reflect.ownKeys(value))
    parts.push(collectText((value as Record<PropertyKey, unknown>)[key], seen));
  try {
    parts.push(JSON.stringify(value));
  } catch {
    // a cycle; the walk above covered it
  }
  return parts.join('\n');
}

function expectClean(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
  expect(text).not.toContain(btoa(`client-id:${CLIENT_SECRET}`));
}

function leakyProviderError(): Error {
  // The innermost error carries the token request a naive HTTP layer would attach to it.
  const tokenRequest = new Error(
    `POST https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer failed: grant_type=authorization_code&code=${AUTH_CODE}&redirect_uri=https%3A%2F%2Fapp.test%2Fcb`,
  );
  Object.assign(tokenRequest, {
    headers: { Authorization: `Basic ${btoa(`client-id:${CLIENT_SECRET}`)}`, Accept: 'application/json' },
    body: { client_secret: CLIENT_SECRET, code: AUTH_CODE },
  });
  const response = new Error(
    `400 {"error":"invalid_grant","access_token":"${ACCESS_TOKEN}","refresh_token":"${REFRESH_TOKEN}"}`,
    { cause: tokenRequest },
  );
  return new TypeError(`request with Authorization: Bearer ${ACCESS_TOKEN} failed`, { cause: response });
}

describe('BlueClerkError redacts itself', () => {
  it('scrubs its message, action, details and the whole cause chain', () => {
    const error = new AuthError('oauth_exchange_failed', `Code exchange failed for ?code=${AUTH_CODE}`, {
      cause: leakyProviderError(),
      action: `Reconnect; do not reuse client_secret=${CLIENT_SECRET}`,
      details: { tokens: { accessToken: ACCESS_TOKEN }, status: 400 },
    });
    expect(BlueClerkError.isInstance(error)).toBe(true);
    expect(error.message).toBe('Code exchange failed for ?code=[REDACTED]');
    expect(error.details).toEqual({ tokens: '[REDACTED]', status: 400 });
    expect(error.cause).toBeInstanceOf(TypeError);
    expect((error.cause as Error).message).toBe('request with Authorization: [REDACTED]');
    const chain: Error[] = [];
    for (let e: unknown = error; e instanceof Error; e = e.cause) chain.push(e);
    expect(chain).toHaveLength(4);
    expectClean(collectText(error));
  });

  it('catches a registered opaque token that has no tell-tale shape', () => {
    registerSecret(OPAQUE_ACCESS);
    const error = new ProviderError('provider_error', `Provider rejected ${OPAQUE_ACCESS}`, {
      cause: new Error(`raw: ${OPAQUE_ACCESS}`),
      status: 401,
    });
    expect(error.message).toBe('Provider rejected [REDACTED]');
    expectClean(collectText(error));
  });

  it('keeps a wrapped BlueClerkError recognisable with its code', () => {
    const inner = new NetworkError('timeout', `timed out calling ?access_token=${REFRESH_TOKEN}`);
    const outer = new AuthError('needs_reconnect', 'Refresh failed', { cause: inner });
    expect(BlueClerkError.isInstance(outer.cause)).toBe(true);
    expect((outer.cause as NetworkError).code).toBe('timeout');
    expect((outer.cause as NetworkError).retryable).toBe(true);
    expect((outer.cause as NetworkError).category).toBe('timeout');
    expectClean(collectText(outer));
  });

  it('survives a cause chain with a cycle', () => {
    const a = new Error(`Bearer ${ACCESS_TOKEN}`);
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const error = new AuthError('token_invalid', 'bad', { cause: a });
    expectClean(collectText(error));
  });
});

describe('createRedactingLogger', () => {
  function capture() {
    const lines: Array<{ level: LogLevel; message: string; fields?: Record<string, unknown> }> = [];
    const logger: Logger = { log: (level, message, fields) => lines.push({ level, message, fields }) };
    return { lines, logger };
  }

  it('redacts messages and fields, errors included, without touching the caller objects', () => {
    const { lines, logger } = capture();
    const log = createRedactingLogger(logger);
    const fields = {
      connectionId: 'conn_1',
      error: leakyProviderError(),
      request: {
        headers: { authorization: `Bearer ${ACCESS_TOKEN}` },
        url: `https://x.test/cb?code=${AUTH_CODE}`,
      },
      tokenSet: { accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN },
    };
    log.log('error', `refresh failed: refresh_token=${REFRESH_TOKEN}`, fields);
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line.level).toBe('error');
    expect(line.message).toBe('refresh failed: refresh_token=[REDACTED]');
    expect(line.fields?.connectionId).toBe('conn_1');
    expect(line.fields?.tokenSet).toBe('[REDACTED]');
    expect(line.fields?.error).toBeInstanceOf(TypeError);
    expectClean(collectText(line));
    // The caller's objects still hold what they held.
    expect(fields.tokenSet.accessToken).toBe(ACCESS_TOKEN);
  });

  it('passes through lines without fields and does not wrap twice', () => {
    const { lines, logger } = capture();
    const log = createRedactingLogger(logger);
    expect(createRedactingLogger(log)).toBe(log);
    log.log('info', 'connected');
    expect(lines).toEqual([{ level: 'info', message: 'connected', fields: undefined }]);
  });
});
