import { z } from 'zod';
import { ValidationError } from '../errors/index';
import { expectOptions, expectString, invalidArgument } from '../runtime/arguments';
import { CurrencyCodeSchema, currencyExponent } from './currency';
import { formatScaled, parseDecimal, type Rounding, rescale, toSafeNumber } from './decimal';
import { toValidationIssues } from './validation';

/** An amount in integer minor units (cents) with its ISO 4217 currency. Never a float. */
export const MoneySchema = /* @__PURE__ */ (() =>
  z.object({
    /** Minor units: USD 10.05 is 1005, JPY 1000 is 1000. */
    amount: z
      .number()
      .int('Money amount must be an integer number of minor units')
      .refine(Number.isSafeInteger, {
        message: 'Money amount exceeds the safe integer range',
      }),
    currency: CurrencyCodeSchema,
  }))();

export type Money = z.infer<typeof MoneySchema>;

export interface ToMinorUnitsOptions {
  /** What to do with digits beyond the currency's exponent. Default `reject` (throws `ValidationError`). */
  rounding?: Rounding;
}

const ROUNDINGS: readonly Rounding[] = ['reject', 'half-up', 'half-even'];

/** The upper-cased ISO 4217 code, or a `ValidationError` naming `currency` (for a wrong type as for a bad code). */
function currencyArgument(fn: string, currency: unknown): string {
  expectString(fn, 'currency', currency);
  const parsed = CurrencyCodeSchema.safeParse(currency);
  if (!parsed.success) {
    throw new ValidationError(`${fn}: currency must be a 3-letter ISO 4217 code`, [
      { path: 'currency', message: 'not a 3-letter ISO 4217 code' },
    ]);
  }
  return parsed.data;
}

function roundingArgument(fn: string, name: string, rounding: unknown, fallback: Rounding): Rounding {
  if (rounding === undefined) return fallback;
  if (!ROUNDINGS.includes(rounding as Rounding)) {
    throw invalidArgument(fn, name, `one of ${ROUNDINGS.map((r) => `'${r}'`).join(', ')}`, rounding);
  }
  return rounding as Rounding;
}

function moneyArgument(fn: string, name: string, value: unknown): Money {
  const parsed = MoneySchema.safeParse(value);
  if (parsed.success) return parsed.data;
  if (typeof value !== 'object' || value === null) {
    throw invalidArgument(fn, name, 'a Money value { amount, currency }', value);
  }
  const issues = toValidationIssues(parsed.error).map((issue) => ({
    path: issue.path === '(root)' ? name : `${name}.${issue.path}`,
    message: issue.message,
  }));
  const first = issues[0] as { path: string; message: string };
  throw new ValidationError(`${fn}: ${first.path}: ${first.message}`, issues);
}

/**
 * Converts a provider decimal (`"10.05"`, `10.05`, `"1000"`) into integer minor units of `currency`, exactly.
 * `toMinorUnits('10.05', 'USD') === 1005`; `toMinorUnits('1000', 'JPY') === 1000`; `toMinorUnits('1.005', 'KWD') === 1005`.
 * Text longer than 100 characters or with an exponent beyond +-400 is refused before it is expanded.
 */
export function toMinorUnits(
  value: string | number,
  currency: string,
  options: ToMinorUnitsOptions = {},
): number {
  const code = currencyArgument('toMinorUnits', currency);
  expectOptions('toMinorUnits', 'options', options);
  const rounding = roundingArgument('toMinorUnits', 'options.rounding', options.rounding, 'reject');
  const units = rescale(parseDecimal(value, 'amount'), currencyExponent(code), rounding, 'amount');
  return toSafeNumber(units, 'amount');
}

/** Formats minor units as the decimal string providers expect: `fromMinorUnits(1005, 'USD') === '10.05'`. */
export function fromMinorUnits(amount: number, currency: string): string {
  if (!Number.isSafeInteger(amount)) {
    throw new ValidationError('Money amount must be a safe integer of minor units', [
      { path: 'amount', message: typeof amount === 'number' ? 'not a safe integer' : 'not a number' },
    ]);
  }
  return formatScaled(BigInt(amount), currencyExponent(currencyArgument('fromMinorUnits', currency)));
}

/**
 * Minor units as a JSON number for providers that take numbers (QuickBooks `Amount`, Xero `UnitAmount`).
 * Parsing the exact decimal string yields the nearest double, which serialises back to the same digits.
 */
export function fromMinorUnitsToNumber(amount: number, currency: string): number {
  return Number(fromMinorUnits(amount, currency));
}

/** Builds a validated `Money` from minor units. Throws `ValidationError` naming `amount` or `currency`. */
export function money(amount: number, currency: string): Money {
  const parsed = MoneySchema.safeParse({ amount, currency });
  if (!parsed.success) {
    const issues = toValidationIssues(parsed.error);
    const first = issues[0] as { path: string; message: string };
    throw new ValidationError(`Invalid money value: ${first.path}: ${first.message}`, issues);
  }
  return parsed.data;
}

/** Builds `Money` from a provider decimal: `moneyFromDecimal('10.05', 'usd')` -> `{ amount: 1005, currency: 'USD' }`. */
export function moneyFromDecimal(
  value: string | number,
  currency: string,
  options: ToMinorUnitsOptions = {},
): Money {
  const code = currencyArgument('moneyFromDecimal', currency);
  return money(toMinorUnits(value, code, options), code);
}

function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) {
    throw new ValidationError(`Cannot combine ${a.currency} and ${b.currency} amounts`, [
      { path: 'currency', message: 'currency mismatch' },
    ]);
  }
}

/** Adds two amounts of the same currency. */
export function addMoney(a: Money, b: Money): Money {
  const left = moneyArgument('addMoney', 'a', a);
  const right = moneyArgument('addMoney', 'b', b);
  assertSameCurrency(left, right);
  return money(left.amount + right.amount, left.currency);
}

/** Subtracts `b` from `a` (same currency). */
export function subtractMoney(a: Money, b: Money): Money {
  const left = moneyArgument('subtractMoney', 'a', a);
  const right = moneyArgument('subtractMoney', 'b', b);
  assertSameCurrency(left, right);
  return money(left.amount - right.amount, left.currency);
}

/** Sums amounts; all must be in `currency`. */
export function sumMoney(amounts: readonly Money[], currency: string): Money {
  if (!Array.isArray(amounts)) throw invalidArgument('sumMoney', 'amounts', 'an array of Money', amounts);
  const code = currencyArgument('sumMoney', currency);
  return amounts.reduce(
    (total, next, index) => addMoney(total, moneyArgument('sumMoney', `amounts.${index}`, next)),
    money(0, code),
  );
}

/**
 * Unit price x quantity, rounded half-up to the currency's minor unit: the line amount of `1.5` hours at 80.00
 * is 120.00. Quantity may be fractional (`'1.5'`, `0.25`); computed in bigint so no float drift. A quantity over 100
 * characters or with an exponent beyond +-400 is refused before it is expanded.
 */
export function multiplyMoney(
  unitPrice: Money,
  quantity: string | number,
  rounding: Rounding = 'half-up',
): Money {
  const price = moneyArgument('multiplyMoney', 'unitPrice', unitPrice);
  const mode = roundingArgument('multiplyMoney', 'rounding', rounding, 'half-up');
  const q = parseDecimal(quantity, 'quantity');
  const product = { units: BigInt(price.amount) * q.units, scale: q.scale };
  return money(toSafeNumber(rescale(product, 0, mode, 'amount'), 'amount'), price.currency);
}
