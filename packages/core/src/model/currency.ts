import { z } from 'zod';
import { ValidationError } from '../errors/index';
import { expectString } from '../runtime/arguments';

/**
 * ISO 4217 minor-unit exponents that differ from the common 2. Anything not listed uses 2 decimal places.
 * Why a table: a yen amount of "1000" is 1000 minor units, a dinar amount of "1.005" is 1005 - a fixed factor of 100
 * would silently corrupt both.
 */
const EXPONENT_OVERRIDES: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

/** Three upper-case letters (ISO 4217 shape). Lower-case input is upper-cased. */
export const CurrencyCodeSchema = /* @__PURE__ */ (() =>
  z
    .string()
    .trim()
    .transform((value) => value.toUpperCase())
    .pipe(z.string().regex(/^[A-Z]{3}$/, 'Currency must be a 3-letter ISO 4217 code')))();

export type CurrencyCode = z.infer<typeof CurrencyCodeSchema>;

/**
 * Number of decimal places of a currency's minor unit (USD 2, JPY 0, KWD 3). Lower case and padding are accepted;
 * anything that is not a 3-letter code throws `ValidationError` naming `currency`.
 */
export function currencyExponent(currency: string): number {
  expectString('currencyExponent', 'currency', currency);
  const parsed = CurrencyCodeSchema.safeParse(currency);
  if (!parsed.success) {
    throw new ValidationError('currencyExponent: currency must be a 3-letter ISO 4217 code', [
      { path: 'currency', message: 'not a 3-letter ISO 4217 code' },
    ]);
  }
  return EXPONENT_OVERRIDES[parsed.data] ?? 2;
}
