import { RateLimitError } from '../errors/index';
import type { Clock } from '../runtime/clock';

/**
 * Per-connection request limits, shared by every client of the same connection in this process - the ONE limiter of
 * a connection (the engine does not count calls again):
 * - a concurrency semaphore (QuickBooks 10 concurrent requests per realm, Xero 5 per tenant);
 * - a sliding one-minute window (QuickBooks 500/min, Xero 60/min);
 * - a separate one-minute window for batch requests (QuickBooks 40 batches/min per realm);
 * - a sliding 24-hour budget (Xero 5,000/day per organisation, 1,000 on Starter). An exhausted day budget is not
 *   waited out: the request fails at once with `RateLimitError` carrying the reset time, instead of a 429 storm.
 * A 429 pauses the whole connection, not just the request that got it.
 *
 * In-process only: several processes on one connection each get their own budget (fleet-wide limits are separate
 * work); set limits per process below the provider's if you run many workers.
 */
export interface RequestLimits {
  /** Null: no per-minute limit. */
  requestsPerMinute: number | null;
  /** Null: no concurrency limit. */
  maxConcurrent: number | null;
  /** Null or absent: no daily budget. */
  requestsPerDay?: number | null;
  /** Batch requests per minute, counted on top of `requestsPerMinute`. Null or absent: none. */
  batchRequestsPerMinute?: number | null;
}

export interface LimiterWaitContext {
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  /** The request is a batch request (counts against `batchRequestsPerMinute` too). */
  batch?: boolean;
}

export interface ConnectionLimiter {
  /**
   * Waits for a concurrency slot, the minute windows and any pause; resolves with the function that frees the slot.
   * Throws `RateLimitError` (with `retryAfterMs` and `details.resetAt`) when the daily budget is spent.
   */
  acquire(context: LimiterWaitContext): Promise<() => void>;
  /** Holds every new request of this connection until `epochMs` (a 429's Retry-After, an exhausted limit header). */
  pauseUntil(epochMs: number): void;
  /** Requests currently holding a slot. */
  readonly inFlight: number;
}

export interface LimiterRegistry {
  /** The limiter for `key` (e.g. `quickbooks:<connectionId>`), created with `limits` on first use. */
  get(key: string, limits: RequestLimits): ConnectionLimiter;
  /** Drops a connection's limiter (after disconnect). */
  delete(key: string): void;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 3_600_000;

/**
 * Start times inside a sliding window. Hand-written rather than a library: it must run on the injectable clock
 * (tests, simulators) and share one semaphore with the other windows, which rate-limit packages do not offer.
 */
function slidingWindow(limit: number | null | undefined, windowMs: number) {
  const max = limit ?? Number.POSITIVE_INFINITY;
  const starts: number[] = [];
  let head = 0;
  const prune = (now: number) => {
    while (head < starts.length && (starts[head] as number) <= now - windowMs) head++;
    if (head > 1024 && head * 2 > starts.length) {
      starts.splice(0, head);
      head = 0;
    }
  };
  return {
    /** Ms until a slot frees, 0 when one is free now. */
    waitMs(now: number): number {
      prune(now);
      if (starts.length - head < max) return 0;
      return (starts[head] as number) + windowMs - now;
    },
    record(now: number) {
      starts.push(now);
    },
  };
}

export function createConnectionLimiter(limits: RequestLimits): ConnectionLimiter {
  const maxConcurrent = limits.maxConcurrent ?? Number.POSITIVE_INFINITY;
  const minute = slidingWindow(limits.requestsPerMinute, MINUTE_MS);
  const batchMinute = slidingWindow(limits.batchRequestsPerMinute, MINUTE_MS);
  const day = slidingWindow(limits.requestsPerDay, DAY_MS);
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  let pausedUntil = 0;

  function release(): void {
    const next = waiting.shift();
    // Hand the slot straight to the next waiter so a newcomer cannot overtake it.
    if (next) next();
    else inFlight--;
  }

  async function takeSlot(): Promise<void> {
    if (inFlight < maxConcurrent) {
      inFlight++;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  }

  return {
    get inFlight() {
      return inFlight;
    },
    pauseUntil(epochMs) {
      pausedUntil = Math.max(pausedUntil, epochMs);
    },
    async acquire({ clock, sleep, batch }) {
      await takeSlot();
      try {
        for (;;) {
          const now = clock.now();
          const dayWait = day.waitMs(now);
          if (dayWait > 0) {
            const resetAt = now + dayWait;
            throw new RateLimitError(
              `The daily request budget of ${limits.requestsPerDay} for this connection is used up; it frees up at ${new Date(resetAt).toISOString()}`,
              dayWait,
              { details: { window: 'day', resetAt, limit: limits.requestsPerDay } },
            );
          }
          let wait = Math.max(pausedUntil - now, minute.waitMs(now));
          if (batch) wait = Math.max(wait, batchMinute.waitMs(now));
          if (wait <= 0) {
            minute.record(now);
            day.record(now);
            if (batch) batchMinute.record(now);
            break;
          }
          await sleep(wait);
        }
      } catch (error) {
        release();
        throw error;
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        release();
      };
    },
  };
}

export function createLimiterRegistry(): LimiterRegistry {
  const limiters = new Map<string, ConnectionLimiter>();
  return {
    get(key, limits) {
      let limiter = limiters.get(key);
      if (!limiter) {
        limiter = createConnectionLimiter(limits);
        limiters.set(key, limiter);
      }
      return limiter;
    },
    delete(key) {
      limiters.delete(key);
    },
  };
}

/** The process-wide registry `createProviderHttp` uses unless given another. */
export const sharedLimiterRegistry: LimiterRegistry = /* @__PURE__ */ createLimiterRegistry();
