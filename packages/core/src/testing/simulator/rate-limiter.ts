import { type Clock, systemClock } from '../../runtime/clock';
import type { FaultInjector } from './fault-injector';
import type { SimulatedRequest } from './simulated-request';

/**
 * A provider's rate limits as a simulator enforces them: sliding windows (per minute, per day, any length) and a
 * concurrency cap, each counted per key (a realm, an organisation, an app), with the provider rendering the refusal
 * (QuickBooks: 429 with Fault 3001; Xero: 429 with `Retry-After` and `X-Rate-Limit-Problem`).
 *
 * A refused request is not counted in any window. The windows are checked only after the concurrency cap, and a
 * request is counted in every window that applies only once all of them admit it.
 *
 * @example
 * const limiter = createRateLimiter({
 *   windows: [
 *     { name: 'minute', limit: 60, windowMs: 60_000 },
 *     { name: 'day', limit: 5000, windowMs: 86_400_000 },
 *   ],
 *   concurrency: 5,
 *   renderLimited: ({ window, retryAfterSec }) =>
 *     new Response(null, { status: 429, headers: { 'retry-after': String(retryAfterSec ?? 1), 'x-rate-limit-problem': window } }),
 * });
 * http.get(url, ({ request }) => limiter.run(tenantId, describeRequest(request, tenantId), () => answer(request)));
 */
export interface RateWindow {
  /** Named in `RateLimited.window` and in counters, e.g. `'minute'`, `'day'`, `'batchesPerMinute'`. */
  name: string;
  /** Requests admitted per window. */
  limit: number;
  /** Window length in ms: 60 000 for per-minute limits, 86 400 000 for per-day ones. */
  windowMs: number;
  /** Which requests count against this window. Default: all. */
  appliesTo?: (request: SimulatedRequest) => boolean;
}

/** Why a request was refused; what `renderLimited` renders. */
export interface RateLimited {
  key: string;
  /** The window's name, `'concurrency'`, or `'fault'` for an injected `throttle` fault. */
  window: string;
  limit: number;
  /** When a slot of the window frees up, rounded up to whole seconds (null for concurrency and faults). */
  retryAfterSec: number | null;
  request: SimulatedRequest;
}

export interface RateLimiterOptions {
  /** Clock of the windows. Default: the system clock. */
  clock?: Clock;
  windows?: readonly RateWindow[];
  /** Requests in flight at once per key. Default: unlimited. */
  concurrency?: number;
  /** The provider's refusal: status, body and headers. */
  renderLimited: (limited: RateLimited) => Response;
  /** Where injected `throttle` faults come from. */
  faults?: FaultInjector;
}

export interface RateLimiterStats {
  admitted: number;
  /** Requests refused, whatever the reason. */
  limited: number;
  /** Refusals by window name (`'concurrency'`, `'fault'` included). */
  limitedBy: Record<string, number>;
  /** Highest number of requests in flight at once for any key. */
  maxConcurrent: number;
}

export interface RateUsage {
  inFlight: number;
  /** Requests counted in each window right now. */
  windows: Record<string, number>;
}

export type RateAdmission =
  | { ok: true; release(): void }
  | { ok: false; limited: RateLimited; response: Response };

export interface RateLimiter {
  /** Admits the request for `key` (holding a concurrency slot while `execute` runs) or answers the refusal. */
  run(key: string, request: SimulatedRequest, execute: () => Promise<Response>): Promise<Response>;
  /** The same check by hand: call `release()` once the request finished. */
  acquire(key: string, request: SimulatedRequest): RateAdmission;
  usage(key: string): RateUsage;
  /** Changes limits at run time (`concurrency` and window limits by name). */
  setLimits(limits: { concurrency?: number; windows?: Record<string, number> }): void;
  stats(): RateLimiterStats;
  resetStats(): void;
}

interface KeyState {
  inFlight: number;
  /** Admission times (ms), oldest first, per window name. */
  times: Map<string, number[]>;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const clock = options.clock ?? systemClock;
  const windows = (options.windows ?? []).map((window) => ({ ...window }));
  let concurrency = options.concurrency ?? Number.POSITIVE_INFINITY;
  const keys = new Map<string, KeyState>();
  let stats: RateLimiterStats = { admitted: 0, limited: 0, limitedBy: {}, maxConcurrent: 0 };

  const stateOf = (key: string): KeyState => {
    let state = keys.get(key);
    if (!state) {
      state = { inFlight: 0, times: new Map(windows.map((w) => [w.name, []])) };
      keys.set(key, state);
    }
    return state;
  };

  const prune = (times: number[], windowMs: number, now: number) => {
    while (times.length > 0 && (times[0] as number) <= now - windowMs) times.shift();
  };

  const refuse = (
    key: string,
    request: SimulatedRequest,
    window: string,
    limit: number,
    retryAfterSec: number | null,
  ): RateAdmission => {
    stats.limited += 1;
    stats.limitedBy[window] = (stats.limitedBy[window] ?? 0) + 1;
    const limited: RateLimited = { key, window, limit, retryAfterSec, request };
    return { ok: false, limited, response: options.renderLimited(limited) };
  };

  const acquire = (key: string, request: SimulatedRequest): RateAdmission => {
    if (options.faults?.take(request, ['throttle'])) return refuse(key, request, 'fault', 0, null);
    const state = stateOf(key);
    if (state.inFlight >= concurrency) return refuse(key, request, 'concurrency', concurrency, null);
    const now = clock.now();
    const applicable = windows.filter((w) => !w.appliesTo || w.appliesTo(request));
    for (const window of applicable) {
      const times = state.times.get(window.name) as number[];
      prune(times, window.windowMs, now);
      if (times.length >= window.limit) {
        const retryMs = (times[0] ?? now) + window.windowMs - now;
        return refuse(key, request, window.name, window.limit, Math.max(1, Math.ceil(retryMs / 1000)));
      }
    }
    for (const window of applicable) (state.times.get(window.name) as number[]).push(now);
    state.inFlight += 1;
    stats.admitted += 1;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, state.inFlight);
    let released = false;
    return {
      ok: true,
      release() {
        if (released) return;
        released = true;
        state.inFlight -= 1;
      },
    };
  };

  return {
    acquire,
    async run(key, request, execute) {
      const admission = acquire(key, request);
      if (!admission.ok) return admission.response;
      try {
        return await execute();
      } finally {
        admission.release();
      }
    },
    usage(key) {
      const state = stateOf(key);
      const now = clock.now();
      const counts: Record<string, number> = {};
      for (const window of windows) {
        const times = state.times.get(window.name) as number[];
        prune(times, window.windowMs, now);
        counts[window.name] = times.length;
      }
      return { inFlight: state.inFlight, windows: counts };
    },
    setLimits(limits) {
      if (limits.concurrency !== undefined) concurrency = limits.concurrency;
      for (const [name, limit] of Object.entries(limits.windows ?? {})) {
        const window = windows.find((w) => w.name === name);
        if (!window) throw new Error(`rate limiter has no window named ${name}`);
        window.limit = limit;
      }
    },
    stats: () => structuredClone(stats),
    resetStats() {
      stats = { admitted: 0, limited: 0, limitedBy: {}, maxConcurrent: 0 };
    },
  };
}
