import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlueClerkError, ValidationError } from '../errors/index';
import { formatScaled, MAX_DECIMAL_EXPONENT, MAX_DECIMAL_LENGTH } from './decimal';
import {
  addMoney,
  currencyExponent,
  fromMinorUnits,
  lineAmount,
  money,
  moneyFromDecimal,
  multiplyMoney,
  parseDecimal,
  parseInvoice,
  subtractMoney,
  sumMoney,
  toMinorUnits,
} from './index';

/*
 * Every number parser on an input path (request bodies, provider JSON) gets hostile text. Two promises: only a typed
 * error comes out, and each call returns quickly. The time bound is a behaviour bound against CPU denial of service
 * (`1e20000000` used to take seconds), not a benchmark: 50 ms is hundreds of times what a parse needs.
 */
const MAX_MS_PER_CASE = 50;
const NUM_RUNS = 300;

/** Runs `fn`, returning how long it took; a slow first run (GC pause, JIT) is measured once more. */
function elapsedMs(fn: () => void): number {
  const once = () => {
    const start = performance.now();
    fn();
    return performance.now() - start;
  };
  const first = once();
  return first <= MAX_MS_PER_CASE ? first : Math.min(first, once());
}

/** Calls `parse`; it may return or throw a `ValidationError`, nothing else, and must finish within the bound. */
function expectTypedAndFast(parse: () => unknown): void {
  const ms = elapsedMs(() => {
    try {
      parse();
    } catch (error) {
      if (!BlueClerkError.isInstance(error) || !ValidationError.isInstance(error)) throw error;
    }
  });
  expect(ms).toBeLessThan(MAX_MS_PER_CASE);
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** What `fn` threw and how long it took to throw it. */
function timedThrow(fn: () => unknown): { error: unknown; ms: number } {
  let error: unknown;
  const ms = elapsedMs(() => {
    error = thrown(fn);
  });
  return { error, ms };
}

// Digits of other scripts look like numbers to people and to `Number()` in some engines' locale paths, never to us.
const UNICODE_DIGITS = ['٣', '۴', '५', '৬', '７', '𝟠', '๙', '²', '½', 'Ⅻ'];
const WHITESPACE = [' ', '\t', '\n', '\r', '\u00a0', '\u2028', '\u3000', '\ufeff', '\u200b'];

const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 30 });
const hostileDigit = fc.oneof(fc.constantFrom(...'0123456789'), fc.constantFrom(...UNICODE_DIGITS));
const exponent = fc.oneof(
  fc.integer({ min: -500, max: 500 }).map(String),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.constantFrom('20000000', '-20000000', '0000000000000000000000000000001', '9'.repeat(60), ''),
);

/** Strings shaped like numbers, with the parts attackers vary: signs, exponents, digits of other scripts, padding. */
const numberLike = fc
  .tuple(
    fc.constantFrom('', '+', '-', '--', '+-', '−'),
    fc.oneof(digits, fc.string({ unit: hostileDigit, maxLength: 8 })),
    fc.option(fc.oneof(digits, fc.string({ unit: hostileDigit, maxLength: 8 })), { nil: undefined }),
    fc.option(fc.tuple(fc.constantFrom('e', 'E', 'e+', 'e-', 'ee'), exponent), { nil: undefined }),
    fc.string({ unit: fc.constantFrom(...WHITESPACE), maxLength: 3 }),
    fc.string({ unit: fc.constantFrom(...WHITESPACE), maxLength: 3 }),
  )
  .map(
    ([sign, int, frac, exp, before, after]) =>
      `${before}${sign}${int}${frac === undefined ? '' : `.${frac}`}${exp ? exp.join('') : ''}${after}`,
  );

const hostileText = fc.oneof(
  numberLike,
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(
    '1e20000000',
    '-1e20000000',
    '1e-20000000',
    '1.5e999999999999',
    'NaN',
    '-NaN',
    'Infinity',
    '-Infinity',
    '+Infinity',
    '0x1F',
    '1_000',
    '1,000.00',
    '',
    ' ',
    '.',
    'e5',
    '1e',
    '9'.repeat(MAX_DECIMAL_LENGTH + 1),
    `0.${'0'.repeat(98)}1`,
  ),
);

const hostileNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -0,
    Number.MAX_VALUE,
    5e-324,
  ),
);

const hostileValue = fc.oneof(hostileText, hostileNumber, fc.anything());
const currency = fc.oneof(fc.constantFrom('USD', 'usd', 'JPY', 'KWD', 'CLF'), fc.anything());
const rounding = fc.constantFrom('reject', 'half-up', 'half-even', undefined);

describe('number parsers under hostile input', () => {
  it('parseDecimal refuses 1e20000000 at once instead of expanding it', () => {
    const { error, ms } = timedThrow(() => parseDecimal('1e20000000', 'quantity'));
    expect(ms).toBeLessThan(MAX_MS_PER_CASE);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).message).toMatch(`exponent beyond +-${MAX_DECIMAL_EXPONENT}`);
    expect((error as ValidationError).issues).toEqual([
      { path: 'quantity', message: `exponent beyond +-${MAX_DECIMAL_EXPONENT}` },
    ]);
  });

  it('parseDecimal refuses a megabyte of digits at once instead of building a bigint from it', () => {
    const { error, ms } = timedThrow(() => parseDecimal('9'.repeat(1_000_000)));
    expect(ms).toBeLessThan(MAX_MS_PER_CASE);
    expect((error as ValidationError).message).toMatch(`longer than ${MAX_DECIMAL_LENGTH} characters`);
  });

  it('an invoice line quantity of "1e20000000" from a request body is refused at once, not expanded', () => {
    const line = { quantity: '1e20000000', unitPrice: money(100, 'USD'), amount: money(100, 'USD') };
    const invoice = {
      customer: { id: 'c1' },
      issueDate: '2026-01-05',
      status: 'OPEN',
      currency: 'USD',
      lines: [line],
      total: money(100, 'USD'),
      balance: money(100, 'USD'),
    };
    for (const parse of [() => parseInvoice(invoice), () => lineAmount('1e20000000', money(100, 'USD'))]) {
      const { error, ms } = timedThrow(parse);
      expect(ms).toBeLessThan(MAX_MS_PER_CASE);
      expect(ValidationError.isInstance(error)).toBe(true);
    }
    expect(() => parseInvoice(invoice)).toThrow(/lines\.0\.quantity: Quantity must be a decimal number/);
  });

  it('no string reaching parseDecimal (huge exponents, unicode digits, NaN, Infinity, signs, whitespace) throws anything but ValidationError or takes over 50 ms', () => {
    fc.assert(
      fc.property(hostileValue, (value) => {
        expectTypedAndFast(() => {
          const parsed = parseDecimal(value as string);
          // What parses is plain ASCII decimal text within the bounds, read exactly.
          expect(typeof parsed.units).toBe('bigint');
          expect(Number.isInteger(parsed.scale) && parsed.scale >= 0).toBe(true);
          expect(parsed.scale).toBeLessThanOrEqual(MAX_DECIMAL_LENGTH + MAX_DECIMAL_EXPONENT);
        });
      }),
      { numRuns: NUM_RUNS * 2 },
    );
  });

  it('no hostile amount reaching toMinorUnits or moneyFromDecimal throws anything but ValidationError or takes over 50 ms', () => {
    fc.assert(
      fc.property(hostileValue, currency, rounding, (value, code, mode) => {
        expectTypedAndFast(() => {
          const minor = toMinorUnits(value as string, code as string, { rounding: mode });
          expect(Number.isSafeInteger(minor)).toBe(true);
        });
        expectTypedAndFast(() => {
          const m = moneyFromDecimal(value as string, code as string, { rounding: mode });
          expect(Number.isSafeInteger(m.amount)).toBe(true);
        });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('no hostile quantity reaching multiplyMoney, lineAmount or an invoice line throws anything but ValidationError or takes over 50 ms', () => {
    const unitPrice = money(8000, 'USD');
    fc.assert(
      fc.property(hostileValue, (quantity) => {
        expectTypedAndFast(() => multiplyMoney(unitPrice, quantity as string));
        expectTypedAndFast(() => lineAmount(quantity as string, unitPrice));
        expectTypedAndFast(() =>
          parseInvoice({
            customer: { id: 'c1' },
            issueDate: '2026-01-05',
            status: 'OPEN',
            currency: 'USD',
            lines: [{ quantity, unitPrice, amount: unitPrice }],
            total: unitPrice,
            balance: unitPrice,
          }),
        );
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('the bounds refuse no JS number: every finite double parses exactly', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const parsed = parseDecimal(value);
        expect(Number(formatScaled(parsed.units, parsed.scale))).toBe(value === 0 ? 0 : value);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('the bounds refuse no real amount: every safe number of cents round-trips through its decimal text', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.constantFrom('USD', 'JPY', 'KWD', 'CLF'), (cents, code) => {
        expect(toMinorUnits(fromMinorUnits(cents, code), code)).toBe(cents);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('money helpers under wrong argument types', () => {
  const usd = money(100, 'USD');
  const cases: Array<[string, () => unknown, string]> = [
    ['toMinorUnits(x, 5)', () => toMinorUnits('1', 5 as never), 'currency'],
    [
      'toMinorUnits(x, "USD", { rounding: "up" })',
      () => toMinorUnits('1', 'USD', { rounding: 'up' as never }),
      'options.rounding',
    ],
    ['toMinorUnits(x, "USD", 5)', () => toMinorUnits('1', 'USD', 5 as never), 'options'],
    ['toMinorUnits({}, "USD")', () => toMinorUnits({} as never, 'USD'), 'amount'],
    ['money("1", 5)', () => money('1' as never, 5 as never), 'amount'],
    ['money(1, 5)', () => money(1, 5 as never), 'currency'],
    ['moneyFromDecimal("1", null)', () => moneyFromDecimal('1', null as never), 'currency'],
    ['fromMinorUnits(1, null)', () => fromMinorUnits(1, null as never), 'currency'],
    ['fromMinorUnits("1", "USD")', () => fromMinorUnits('1' as never, 'USD'), 'amount'],
    ['currencyExponent(1)', () => currencyExponent(1 as never), 'currency'],
    ['addMoney(null, usd)', () => addMoney(null as never, usd), 'a'],
    ['subtractMoney(usd, { amount: "1" })', () => subtractMoney(usd, { amount: '1' } as never), 'b.amount'],
    ['sumMoney(null, "USD")', () => sumMoney(null as never, 'USD'), 'amounts'],
    ['sumMoney([usd, 5], "USD")', () => sumMoney([usd, 5 as never], 'USD'), 'amounts.1'],
    ['multiplyMoney(usd, {})', () => multiplyMoney(usd, {} as never), 'quantity'],
    ['multiplyMoney(usd, 1, "up")', () => multiplyMoney(usd, 1, 'up' as never), 'rounding'],
    ['lineAmount(null, usd)', () => lineAmount(null as never, usd), 'quantity'],
    ['parseDecimal("1", Symbol())', () => parseDecimal('1', Symbol('label') as never), 'label'],
  ];
  it.each(cases)('%s is a ValidationError naming the argument, not a TypeError', (_name, call, argument) => {
    const error = thrown(call);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).issues[0]?.path).toBe(argument);
  });

  it('no value in any argument position of a money helper escapes as an untyped error', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (x, y, z) => {
        const calls = [
          () => toMinorUnits(x as never, y as never, z as never),
          () => moneyFromDecimal(x as never, y as never, z as never),
          () => fromMinorUnits(x as never, y as never),
          () => money(x as never, y as never),
          () => currencyExponent(x as never),
          () => addMoney(x as never, y as never),
          () => subtractMoney(usd, x as never),
          () => sumMoney(x as never, y as never),
          () => multiplyMoney(x as never, y as never, z as never),
          () => lineAmount(x as never, y as never),
        ];
        for (const call of calls) expectTypedAndFast(call);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
