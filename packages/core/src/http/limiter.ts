import type { Clock } from '../runtime/clock';

/**
 * Per-connection request limits, shared by every client of the same connection in this process: a concurrency
 * semaphore (QuickBooks allows 10 concurrent requests per realm, Xero 5 per tenant) and a sliding one-minute window
 * (QuickBooks 500/min, Xero 60/min). A 429 pauses the whole connection, not just the request that got it.
 *
 * In-process only: several processes on one connection each get their own budget, so set limits per process
 * below the provider's if you run many workers.
 */
export interface RequestLimits {
  /** Null: no per-minute limit. */
  requestsPerMinute: number | null;
  /** Null: no concurrency limit. */
  maxConcurrent: number | null;
}

export interface LimiterWaitContext {
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
}

export interface ConnectionLimiter {
  /** Waits for a concurrency slot, the minute window and any pause; resolves with the function that frees the slot. */
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

const WINDOW_MS = 60_000;

export function createConnectionLimiter(limits: RequestLimits): ConnectionLimiter {
  const maxConcurrent = limits.maxConcurrent ?? Number.POSITIVE_INFINITY;
  const perMinute = limits.requestsPerMinute ?? Number.POSITIVE_INFINITY;
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  const starts: number[] = [];
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
    async acquire({ clock, sleep }) {
      await takeSlot();
      try {
        for (;;) {
          const now = clock.now();
          while (starts.length > 0 && (starts[0] as number) <= now - WINDOW_MS) starts.shift();
          let wait = pausedUntil - now;
          if (starts.length >= perMinute) wait = Math.max(wait, (starts[0] as number) + WINDOW_MS - now);
          if (wait <= 0) {
            starts.push(now);
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
export const sharedLimiterRegistry: LimiterRegistry = createLimiterRegistry();
