import { expect } from 'vitest';
import { BlueClerkError, ConfigurationError } from '../../errors/index';
import { defaultClassifyError } from '../../http/classify';
import type { AccountingProvider } from '../../provider/spec';
import { type ProviderSuite, required } from './harness';
import type { WireResponseSample } from './setup';

/**
 * What core's HTTP layer makes of one response: the provider's classifier first (it sees 2xx too), then
 * `defaultClassifyError` for a non-2xx it leaves alone. Null: accepted as a success.
 */
function classifyLikeCore<THttp>(
  p: AccountingProvider<THttp>,
  sample: WireResponseSample,
): BlueClerkError | null {
  if (sample.status === 401 || sample.status === 429) {
    throw new ConfigurationError(
      'wireResponses',
      `Wire sample "${sample.name}": core classifies ${sample.status} itself, before the provider's classifier`,
    );
  }
  const json = typeof sample.body !== 'string';
  const text = json ? JSON.stringify(sample.body) : (sample.body as string);
  const headers = new Headers(sample.headers);
  if (json && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const response = new Response(text, { status: sample.status, headers });
  const context = { providerId: p.id, method: sample.method ?? 'POST', path: sample.path ?? '/conformance' };
  const verdict = p.http.classifyResponse(response, text, context);
  if (verdict) return verdict;
  return response.ok ? null : defaultClassifyError(response, text, context);
}

/** Cases every provider meets; a setup that leaves one out fails the clause. */
const REQUIRED_SAMPLES: ReadonlyArray<{
  what: string;
  versioned?: true;
  covers(s: WireResponseSample): boolean;
}> = [
  { what: 'a 2xx the classifier accepts (code null)', covers: (s) => s.status < 300 && s.code === null },
  { what: 'a duplicate (code duplicate)', covers: (s) => s.code === 'duplicate' },
  { what: 'a refused request (code validation_failed)', covers: (s) => s.code === 'validation_failed' },
  { what: 'a 5xx (code provider_error)', covers: (s) => s.status >= 500 && s.code === 'provider_error' },
  { what: 'a stale version (code conflict)', versioned: true, covers: (s) => s.code === 'conflict' },
];

/** `classifyError` on what operations throw, and `http.classifyResponse` on raw provider responses. */
export function defineErrorClauses<THttp>(suite: ProviderSuite<THttp>): void {
  const { caps } = suite;

  suite.test('classifyError: typed errors pass through; raw throwables become core errors', async (p) => {
    const typed = new BlueClerkError('rate_limited', 'slow down', { retryable: true });
    expect(p.classifyError(typed)).toBe(typed);
    // What fetch rejects with when the connection fails, and what AbortSignal.timeout aborts with.
    expect(p.classifyError(new TypeError('fetch failed')).code).toBe('network');
    expect(
      p.classifyError(new DOMException('The operation was aborted due to timeout', 'TimeoutError')).code,
    ).toBe('timeout');
    const unknown = p.classifyError(new Error('boom'));
    expect(BlueClerkError.isInstance(unknown)).toBe(true);
    expect(unknown.code).toBe('internal');
  });

  suite.test('http.classifyResponse: raw provider responses classify into core codes', async (p, s) => {
    const samples = required(s.wireResponses, 'wireResponses (raw provider responses)');
    const missing = REQUIRED_SAMPLES.filter(
      (r) => (!r.versioned || caps.versionedUpdates) && !samples.some(r.covers),
    );
    expect(
      missing.map((r) => r.what),
      'wire samples the setup must supply',
    ).toEqual([]);
    for (const sample of samples) {
      const verdict = classifyLikeCore(p, sample);
      if (sample.code === null) {
        expect(verdict, `${sample.name}: accepted as a success`).toBeNull();
        continue;
      }
      expect(BlueClerkError.isInstance(verdict), `${sample.name}: a core error`).toBe(true);
      expect(verdict?.code, `${sample.name}: code`).toBe(sample.code);
      if (sample.retryable !== undefined) {
        expect(verdict?.retryable, `${sample.name}: retryable`).toBe(sample.retryable);
      }
      if (sample.status >= 500 && sample.code === 'provider_error') {
        expect(verdict?.retryable, `${sample.name}: a 5xx is retryable`).toBe(true);
      }
    }
  });
}
