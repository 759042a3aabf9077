import { ValidationError } from '../errors/index';

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

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;
const EXPONENTIAL = /^([+-])?(\d+)(?:\.(\d+))?e([+-]?\d+)$/i;

/** Parses `"10.05"`, `"-3"`, `1.5` or `1e-7` exactly. Numbers go through their shortest round-trip string. */
export function parseDecimal(value: string | number, label = 'value'): ScaledDecimal {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new ValidationError(`${label} must be a finite number`, [{ path: label, message: 'not finite' }]);
    text = String(value);
  } else {
    text = value.trim();
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
    let units = BigInt(int + frac) * (sign === '-' ? -1n : 1n);
    let scale = frac.length - Number(power);
    if (scale < 0) {
      units *= 10n ** BigInt(-scale);
      scale = 0;
    }
    return { units, scale };
  }
  throw new ValidationError(`${label} is not a decimal number: "${text.slice(0, 40)}"`, [
    { path: label, message: 'not a decimal number' },
  ]);
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
