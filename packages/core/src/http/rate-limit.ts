/**
 * Reading a provider's throttling signals: `Retry-After` (RFC 9110: delay-seconds or an HTTP date) and the
 * remaining-budget headers some providers send on every response (Xero `X-MinLimit-Remaining`, `X-DayLimit-Remaining`).
 */

/** A header that counts the requests left in a window; when it reads 0 the window must pass before the next call. */
export interface LimitHeader {
  /** Header name, e.g. `X-MinLimit-Remaining`. */
  name: string;
  /** Longest time until the budget refills (60 000 for a per-minute limit, 86 400 000 for a daily one). */
  windowMs: number;
}

/** Milliseconds to wait according to `Retry-After`, or null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/** The longest window among limit headers that read zero or less; null when none is exhausted. */
export function exhaustedLimitWait(headers: Headers, limitHeaders: readonly LimitHeader[]): number | null {
  let wait: number | null = null;
  for (const header of limitHeaders) {
    const raw = headers.get(header.name);
    if (raw === null || raw.trim() === '') continue;
    const remaining = Number(raw);
    if (Number.isFinite(remaining) && remaining <= 0) wait = Math.max(wait ?? 0, header.windowMs);
  }
  return wait;
}
