import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlueClerkError, ValidationError } from '../errors/index';
import { describeType } from './arguments';
import { createManualClock } from './clock';
import { randomId, randomReference } from './ids';

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('runtime functions under wrong argument types', () => {
  const cases: Array<[string, () => unknown, string]> = [
    ['randomId(-1)', () => randomId(-1), 'bytes'],
    ['randomId("16")', () => randomId('16' as never), 'bytes'],
    // Web Crypto would throw a DOMException past 65,536 bytes.
    ['randomId(1e6)', () => randomId(1e6), 'bytes'],
    ['randomReference(1.5)', () => randomReference(1.5), 'length'],
    ['createManualClock("2026")', () => createManualClock('2026' as never), 'start'],
    ['clock.advance("1000")', () => createManualClock().advance('1000' as never), 'ms'],
    ['clock.set(NaN)', () => createManualClock().set(Number.NaN), 'ms'],
  ];
  it.each(cases)(
    '%s is a ValidationError naming the argument, not a RangeError or a silent NaN',
    (_n, call, arg) => {
      const error = thrown(call);
      expect(ValidationError.isInstance(error)).toBe(true);
      expect((error as ValidationError).issues[0]?.path).toBe(arg);
    },
  );

  it('no value passed to randomId, randomReference or the manual clock escapes as an untyped error', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        for (const call of [
          () => randomId(value as never),
          () => randomReference(value as never),
          () => createManualClock(value as never).advance(value as never),
        ]) {
          try {
            call();
          } catch (error) {
            if (!BlueClerkError.isInstance(error)) throw error;
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the defaults and valid sizes working', () => {
    expect(randomId()).toMatch(/^[0-9a-f]{32}$/);
    expect(randomReference()).toMatch(/^[A-Z2-7]{20}$/);
    const clock = createManualClock(1000);
    clock.advance(500);
    expect(clock.now()).toBe(1500);
  });

  it('describes a wrong value by its type only, so a secret in the wrong position is not echoed', () => {
    expect(describeType('s3cr3t-value')).toBe('a string');
    expect(describeType(null)).toBe('null');
    expect(describeType([])).toBe('an array');
    expect(describeType({})).toBe('an object');
    expect(describeType(Number.NaN)).toBe('NaN');
  });
});
