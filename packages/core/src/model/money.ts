import { z } from 'zod';
import { ValidationError } from '../errors/index';
import { CurrencyCodeSchema, currencyExponent } from './currency';
import { formatScaled, parseDecimal, type Rounding, rescale, toSafeNumber } from './decimal';

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

/**
 * Converts a provider decimal (`"10.05"`, `10.05`, `"1000"`) into integer minor units of `currency`, exactly.
 * `toMinorUnits('10.05', 'USD') === 1005`; `toMinorUnits('1000', 'JPY') === 1000`; `toMinorUnits('1.005', 'KWD') === 1005`.
 */
export function toMinorUnits(
  value: string | number,
  currency: string,
  options: ToMinorUnitsOptions = {},
): number {
  const exponent = currencyExponent(currency);
  const units = rescale(parseDecimal(value, 'amount'), exponent, options.rounding ?? 'reject', 'amount');
  return toSafeNumber(units, 'amount');
}

/** Formats minor units as the decimal string providers expect: `fromMinorUnits(1005, 'USD') === '10.05'`. */
export function fromMinorUnits(amount: number, currency: string): string {
  if (!Number.isSafeInteger(amount)) {
    throw new ValidationError('Money amount must be a safe integer of minor units', [
      { path: 'amount', message: 'not a safe integer' },
    ]);
  }
  return formatScaled(BigInt(amount), currencyExponent(currency));
}

/**
 * Minor units as a JSON number for providers that take numbers (QuickBooks `Amount`, Xero `UnitAmount`).
 * Parsing the exact decimal string yields the nearest double, which serialises back to the same digits.
 */
export function fromMinorUnitsToNumber(amount: number, currency: string): number {
  return Number(fromMinorUnits(amount, currency));
}

/** Builds a validated `Money` from minor units. */
export function money(amount: number, currency: string): Money {
  const parsed = MoneySchema.safeParse({ amount, currency });
  if (!parsed.success) {
    throw new ValidationError('Invalid money value', [
      { path: 'amount', message: parsed.error.issues[0]?.message ?? 'invalid' },
    ]);
  }
  return parsed.data;
}

/** Builds `Money` from a provider decimal: `moneyFromDecimal('10.05', 'usd')` -> `{ amount: 1005, currency: 'USD' }`. */
export function moneyFromDecimal(
  value: string | number,
  currency: string,
  options: ToMinorUnitsOptions = {},
): Money {
  return money(toMinorUnits(value, currency, options), currency.toUpperCase());
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
  assertSameCurrency(a, b);
  return money(a.amount + b.amount, a.currency);
}

/** Subtracts `b` from `a` (same currency). */
export function subtractMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.amount - b.amount, a.currency);
}

/** Sums amounts; all must be in `currency`. */
export function sumMoney(amounts: readonly Money[], currency: string): Money {
  return amounts.reduce((total, next) => addMoney(total, next), money(0, currency.toUpperCase()));
}

/**
 * Unit price x quantity, rounded half-up to the currency's minor unit: the line amount of `1.5` hours at 80.00
 * is 120.00. Quantity may be fractional (`'1.5'`, `0.25`); computed in bigint so no float drift.
 */
export function multiplyMoney(
  unitPrice: Money,
  quantity: string | number,
  rounding: Rounding = 'half-up',
): Money {
  const q = parseDecimal(quantity, 'quantity');
  const product = { units: BigInt(unitPrice.amount) * q.units, scale: q.scale };
  return money(toSafeNumber(rescale(product, 0, rounding, 'amount'), 'amount'), unitPrice.currency);
}
