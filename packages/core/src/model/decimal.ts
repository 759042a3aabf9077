import { ValidationError } from '../errors/index';
import { describeType, expectString } from '../runtime/arguments';

/**
 * Exact decimal arithmetic on bigint, for the few places money meets decimals (provider strings, quantities).
 * Why not floats: 0.1 + 0.2 !== 0.3, and 10.05 * 100 === 1004.9999999999999.
 */
export interface ScaledDecimal {
  /** The value times 10^scale, as an integer. */
  units: bigint;
  scale: number;
}

/** How to handle digits beyond the target scale. */
export type Rounding = 'reject' | 'half-up' | 'half-even';

/**
 * Bounds checked before any digit is expanded. `1e20000000` is ten characters that ask for a bigint of twenty million
 * digits: expanding it first took seconds of CPU per call, and any request field reaching a parser (an invoice line's
 * `quantity`, a provider amount) could stall a server for everyone. 100 characters is far beyond any amount or
 * quantity (a safe integer has 16 digits; QuickBooks keeps 7 decimals); 400 covers the exponent of every finite
 * double (`5e-324` ... `1.7976931348623157e308`), so no JS number is refused for its exponent.
 */
export const MAX_DECIMAL_LENGTH = 100;
export const MAX_DECIMAL_EXPONENT = 400;

// ASCII digits only: `\d` without the `u` flag does not match other scripts' digits (`١٢`, full-width `１`).
const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;
const EXPONENTIAL = /^([+-])?(\d+)(?:\.(\d+))?e([+-]?\d+)$/i;

function refuse(label: string, message: string, issue: string): ValidationError {
  return new ValidationError(`${label} ${message}`, [{ path: label, message: issue }]);
}

/**
 * Parses `"10.05"`, `"-3"`, `1.5` or `1e-7` exactly. Numbers go through their shortest round-trip string.
 * Throws `ValidationError` for anything else, including text over `MAX_DECIMAL_LENGTH` characters and exponents
 * beyond +-`MAX_DECIMAL_EXPONENT`, both refused before any digit is expanded.
 */
export function parseDecimal(value: string | number, label = 'value'): ScaledDecimal {
  expectString('parseDecimal', 'label', label);
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw refuse(label, 'must be a finite number', 'not finite');
    text = String(value);
  } else if (typeof value === 'string') {
    if (value.length > MAX_DECIMAL_LENGTH) {
      throw refuse(
        label,
        `is longer than ${MAX_DECIMAL_LENGTH} characters`,
        `longer than ${MAX_DECIMAL_LENGTH} characters`,
      );
    }
    text = value.trim();
  } else {
    throw refuse(
      label,
      `must be a decimal string or a number, got ${describeType(value)}`,
      `not a decimal string or number (${describeType(value)})`,
    );
  }
  const plain = DECIMAL.exec(text);
  if (plain) {
    const [, sign, int = '0', frac = ''] = plain;
    const units = BigInt(int + frac) * (sign === '-' ? -1n : 1n);
    return { units, scale: frac.length };
  }
  const exp = EXPONENTIAL.exec(text);
  if (exp) {
    const [, sign, int = '0', frac = '', power = '0'] = exp;
    // Safe to read as a number: the text is at most MAX_DECIMAL_LENGTH characters.
    const exponent = Number(power);
    if (Math.abs(exponent) > MAX_DECIMAL_EXPONENT) {
      throw refuse(
        label,
        `has an exponent beyond +-${MAX_DECIMAL_EXPONENT}: "${text.slice(0, 40)}"`,
        `exponent beyond +-${MAX_DECIMAL_EXPONENT}`,
      );
    }
    let units = BigInt(int + frac) * (sign === '-' ? -1n : 1n);
    let scale = frac.length - exponent;
    if (scale < 0) {
      units *= 10n ** BigInt(-scale);
      scale = 0;
    }
    return { units, scale };
  }
  throw refuse(label, `is not a decimal number: "${text.slice(0, 40)}"`, 'not a decimal number');
}

/** Re-expresses `value` at `scale`, rounding as asked. `reject` throws if non-zero digits would be lost. */
export function rescale(value: ScaledDecimal, scale: number, rounding: Rounding, label = 'value'): bigint {
  if (value.scale <= scale) return value.units * 10n ** BigInt(scale - value.scale);
  const divisor = 10n ** BigInt(value.scale - scale);
  const quotient = value.units / divisor; // truncates toward zero
  const remainder = value.units % divisor;
  if (remainder === 0n) return quotient;
  if (rounding === 'reject') {
    throw new ValidationError(`${label} has more than ${scale} decimal places`, [
      { path: label, message: `more than ${scale} decimal places` },
    ]);
  }
  const twice = (remainder < 0n ? -remainder : remainder) * 2n;
  const away = value.units < 0n ? -1n : 1n;
  if (twice > divisor) return quotient + away;
  if (twice < divisor) return quotient;
  // Exactly half: half-up rounds away from zero, half-even to the even neighbour.
  if (rounding === 'half-up') return quotient + away;
  return quotient % 2n === 0n ? quotient : quotient + away;
}

/** Formats `units / 10^scale` as a plain decimal string with exactly `scale` places. */
export function formatScaled(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const int = scale === 0 ? digits : digits.slice(0, -scale);
  const frac = scale === 0 ? '' : `.${digits.slice(-scale)}`;
  return `${negative ? '-' : ''}${int}${frac}`;
}

/** Converts a bigint to a number, refusing values a JS number cannot hold exactly. */
export function toSafeNumber(value: bigint, label = 'value'): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new ValidationError(`${label} is too large`, [
      { path: label, message: 'exceeds the safe integer range' },
    ]);
  }
  return Number(value);
}
