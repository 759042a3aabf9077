import {
  AuthError,
  BlueClerkError,
  MissingFieldError,
  NetworkError,
  ProviderError,
  RateLimitError,
} from '@blueclerk/core';
import { describe, expect, it } from 'vitest';
import {
  classifyQuickBooksError,
  classifyQuickBooksFault,
  classifyQuickBooksResponse,
  parseQuickBooksFault,
} from './errors';

const fault = (code: string, extra: Record<string, string> = {}) =>
  JSON.stringify({
    Fault: {
      Error: [{ Message: `message ${code}`, Detail: `detail ${code}`, code, element: '', ...extra }],
      type: 'ValidationFault',
    },
    time: '2026-01-01T00:00:00.000-08:00',
  });
const classify = (status: number, body: string) =>
  classifyQuickBooksResponse(new Response(body, { status }), body, {
    providerId: 'quickbooks',
    method: 'POST',
    path: '/v3/company/1/invoice',
  });

describe('QuickBooks error classification', () => {
  it.each([
    ['6240', 'duplicate'],
    ['6140', 'duplicate'],
    ['610', 'not_found'],
    ['2500', 'not_found'],
    ['5010', 'conflict'],
    ['6000', 'validation_failed'],
    ['4001', 'validation_failed'],
    ['500', 'unsupported'],
  ])('Fault %s -> %s', (code, expected) => {
    const error = classify(400, fault(code));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: expected, providerCode: code, status: 400 });
    expect(error?.message).toContain(`detail ${code}`);
  });

  it('maps throttling, authentication, authorization, missing fields and system faults', () => {
    expect(classify(429, fault('3001'))).toBeInstanceOf(RateLimitError);
    expect(classify(401, fault('3200'))).toMatchObject({ code: 'unauthorized' });
    expect(classify(403, fault('3100'))).toBeInstanceOf(AuthError);
    expect(classify(403, fault('3100'))).toMatchObject({ code: 'needs_reconnect' });
    const missing = classify(400, fault('2020', { element: 'IncomeAccountRef' }));
    expect(missing).toBeInstanceOf(MissingFieldError);
    expect((missing as MissingFieldError).field).toBe('item.incomeAccount');
    expect(classify(503, fault('10000'))).toMatchObject({ code: 'provider_error', retryable: true });
    // Not a Fault body: core's status classification.
    expect(classify(502, '<html>bad gateway</html>')).toMatchObject({
      code: 'provider_error',
      retryable: true,
    });
  });

  it('parses the XML and lower-case SDK forms of a Fault', () => {
    const xml =
      '<IntuitResponse><Fault type="SERVICE"><Error code="3001"><Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message></Error></Fault></IntuitResponse>';
    expect(parseQuickBooksFault(xml)).toEqual({
      type: 'SERVICE',
      errors: [
        {
          code: '3001',
          message: 'message=ThrottleExceeded; errorCode=003001; statusCode=429',
          detail: null,
          element: null,
        },
      ],
    });
    const lower = {
      fault: { error: [{ message: 'm', detail: 'd', code: '3200', element: null }], type: 'AUTHENTICATION' },
    };
    expect(parseQuickBooksFault(lower)?.errors[0]?.code).toBe('3200');
    expect(parseQuickBooksFault('not json')).toBeNull();
  });

  it('classifies thrown values for the engine and keeps typed errors unchanged', () => {
    const typed = classifyQuickBooksFault(
      {
        type: 'ValidationFault',
        errors: [{ code: '6240', message: 'Duplicate', detail: null, element: null }],
      },
      { status: 400, where: 'POST /customer' },
    );
    expect(classifyQuickBooksError(typed)).toBe(typed);
    expect(classifyQuickBooksError(new TypeError('fetch failed'))).toBeInstanceOf(NetworkError);
    const unknown = classifyQuickBooksError(new Error('Bearer eyJsecret leaked?'));
    expect(BlueClerkError.isInstance(unknown)).toBe(true);
    expect(unknown.code).toBe('internal');
    expect(unknown.message).not.toContain('eyJsecret');
    expect(JSON.stringify(unknown.details)).not.toContain('eyJsecret');
  });
});
