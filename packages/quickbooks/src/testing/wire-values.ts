/**
 * Value helpers shared by the simulator: QuickBooks timestamps and decimal amounts.
 * QuickBooks sends money as JSON decimal numbers; the simulator does all arithmetic in integer cents so a long run of
 * payments never drifts (0.1 + 0.2 style errors would make a "paid" invoice keep a 0.0000001 balance).
 */

/**
 * A company's clock: an IANA time zone (`America/Los_Angeles`, offsets follow daylight saving as in QuickBooks) or a
 * fixed UTC offset in minutes.
 */
export type CompanyTimeZone = string | number;

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** UTC offset in minutes of a company's zone at an instant (`-420` for Pacific daylight time). */
export function offsetMinutesAt(zone: CompanyTimeZone, ms: number): number {
  if (typeof zone === 'number') return zone;
  let format = zoneFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    zoneFormats.set(zone, format);
  }
  const name = format.formatToParts(new Date(ms)).find((part) => part.type === 'timeZoneName')?.value ?? '';
  const match = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
  return match[1] === '-' ? -minutes : minutes;
}

/** `2026-01-02T03:04:05-08:00`: the seconds-precision, offset form QuickBooks uses in MetaData. */
export function formatQboDateTime(ms: number, zone: CompanyTimeZone = -480): string {
  const offsetMinutes = offsetMinutesAt(zone, ms);
  const shifted = new Date(ms + offsetMinutes * 60_000);
  const iso = shifted.toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${iso}${sign}${hh}:${mm}`;
}

/** `2026-01-02`: the company-local date of an instant. */
export function formatQboDate(ms: number, zone: CompanyTimeZone = -480): string {
  return new Date(ms + offsetMinutesAt(zone, ms) * 60_000).toISOString().slice(0, 10);
}

/** Parses a decimal amount (number or numeric string) into integer minor units, rounding half away from zero. */
export function decimalToCents(value: unknown): number | null {
  if (typeof value !== 'number' && typeof value !== 'string') return null;
  const text = typeof value === 'number' ? numberToPlainString(value) : value.trim();
  const match = /^(-)?(\d+)(?:\.(\d*))?$/.exec(text);
  if (!match) return null;
  const [, minus, whole = '0', fraction = ''] = match;
  const padded = `${fraction}000`;
  let cents = Number(whole) * 100 + Number(padded.slice(0, 2));
  if (Number(padded[2]) >= 5) cents += 1;
  return minus ? -cents : cents;
}

/** Integer cents back to the JSON number QuickBooks returns (`12.5`, `20`). */
export function centsToDecimal(cents: number): number {
  return cents / 100;
}

function numberToPlainString(value: number): string {
  if (!Number.isFinite(value)) return 'NaN';
  // toFixed avoids exponent notation for small/large values; 10 decimals keeps everything QuickBooks can store.
  return value.toFixed(10).replace(/\.?0+$/, '');
}

/** Unit price x quantity in cents, rounded half up: QuickBooks allows fractional quantities and unit prices. */
export function lineAmountCents(unitPrice: number, qty: number): number {
  // Scale both to integers first so 3.5 * 75 stays exact.
  const priceScaled = Math.round(unitPrice * 1e6);
  const qtyScaled = Math.round(qty * 1e6);
  const product = (BigInt(priceScaled) * BigInt(qtyScaled) * 100n) / 1000000n;
  // product is (unitPrice*qty*100) scaled by 1e6; round half up.
  const whole = product / 1000000n;
  const rest = product % 1000000n;
  return Number(whole) + (rest >= 500000n ? 1 : 0);
}
