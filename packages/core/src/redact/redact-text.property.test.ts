import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactText } from './redact-text';
import { redactValue } from './redact-value';
import { REDACTED } from './sensitive-keys';

/*
 * Redaction runs on every error message, cause and log line, and those can carry provider bodies and request text
 * an attacker shaped. A pattern that backtracks quadratically turns one such body into seconds of CPU, so each call
 * is bounded in time (50 ms: a behaviour bound against CPU denial of service, not a benchmark).
 */
const MAX_MS_PER_CASE = 50;

function elapsedMs(fn: () => void): number {
  const once = () => {
    const start = performance.now();
    fn();
    return performance.now() - start;
  };
  // A slow first run can be a GC pause or JIT compilation; a quadratic pattern is slow every time.
  const first = once();
  return first <= MAX_MS_PER_CASE ? first : Math.min(first, once());
}

// The pieces the patterns look for, so generated text keeps almost matching them.
const FRAGMENTS = [
  '-----BEGIN PRIVATE KEY-----',
  '-----BEGIN RSA PRIVATE KEY-----',
  '-----END PRIVATE KEY-----',
  '\\',
  '\\"',
  '"',
  "'",
  '`',
  ':',
  '=',
  '&',
  '?',
  ' ',
  '\n',
  'Bearer ',
  'Basic ',
  'eyJ',
  '.',
  'https://',
  '@',
  'access_token',
  'code',
  'authorization: ',
  'a',
  'Zq8vT1kL',
];
const hostileText = fc.oneof(
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 2000 }).map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 2000 }),
);

describe('redaction under hostile text', () => {
  it('redactText does not go quadratic on 500 kB of BEGIN PRIVATE KEY lines without an END', () => {
    const text = '-----BEGIN PRIVATE KEY-----\n'.repeat(18_000);
    let out = '';
    expect(
      elapsedMs(() => {
        out = redactText(text);
      }),
    ).toBeLessThan(MAX_MS_PER_CASE);
    // Cut off before its END, a key is still key material.
    expect(out).toBe(REDACTED);
  });

  it('redactText does not go quadratic on a 200 kB run of backslashes (escaped JSON inside JSON)', () => {
    const text = `${'\\'.repeat(200_000)}"`;
    expect(elapsedMs(() => void redactText(text))).toBeLessThan(MAX_MS_PER_CASE);
  });

  it('still redacts a whole PEM key and escaped JSON secrets', () => {
    expect(redactText('key: -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- ok')).toBe(
      `key: ${REDACTED} ok`,
    );
    expect(redactText('{\\"access_token\\":\\"abc123def456\\"}')).toBe(
      `{\\"access_token\\":\\"${REDACTED}\\"}`,
    );
  });

  it('no text made of the pieces secrets hide in makes redactText throw or take over 50 ms', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        expect(elapsedMs(() => void redactText(text))).toBeLessThan(MAX_MS_PER_CASE);
        expect(elapsedMs(() => void redactValue({ message: text, nested: [text] }))).toBeLessThan(
          MAX_MS_PER_CASE * 2,
        );
      }),
      { numRuns: 200 },
    );
  });
});
