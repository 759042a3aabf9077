/**
 * Switchable faults, latency and the per-realm rate limiter of the simulator. Tests flip these to reproduce what a
 * production QuickBooks connection goes through: slow answers, 5xx, hung connections, throttling, and the worst
 * one for idempotency - a write QuickBooks committed whose response never reached the client.
 */

export type FaultKind =
  /** Answer with a 5xx SystemFault before doing anything. */
  | 'server_error'
  /** Fail the connection (fetch rejects) before doing anything. */
  | 'network_error'
  /** Never answer (until the client aborts, `releaseHangs()`, or `maxHangMs`); nothing is committed. */
  | 'hang'
  /** Commit the write, then fail the connection: the client cannot know it succeeded. */
  | 'lose_response'
  /** Commit the write, then never answer (the client times out). */
  | 'hang_after_commit'
  /** Answer 429 with the throttle Fault even though the limits were not reached. */
  | 'throttle';

export interface FaultMatch {
  /** HTTP method, e.g. 'POST'. */
  method?: string;
  /** Substring of, or pattern over, the URL path plus query (e.g. '/invoice', /\/query\?/). */
  path?: string | RegExp;
  realmId?: string;
}

export interface FaultInjection {
  kind: FaultKind;
  /** Status for `server_error` (default 503). */
  status?: number;
  /** How many matching requests it applies to (default 1; `Infinity` until cleared). */
  times?: number;
  match?: FaultMatch;
}

export type Latency = number | { min: number; max: number };

interface ActiveFault extends FaultInjection {
  remaining: number;
}

export interface RequestFacts {
  method: string;
  pathAndQuery: string;
  realmId: string | null;
}

export class FaultSwitchboard {
  #rules: ActiveFault[] = [];
  #latency: Latency = 0;
  #releases = new Set<() => void>();

  constructor(latency: Latency = 0) {
    this.#latency = latency;
  }

  inject(injection: FaultInjection): void {
    this.#rules.push({ ...injection, remaining: injection.times ?? 1 });
  }

  setLatency(latency: Latency): void {
    this.#latency = latency;
  }

  clear(): void {
    this.#rules = [];
    this.#latency = 0;
    this.releaseHangs();
  }

  /** Lets every hung request finish (as a network error). */
  releaseHangs(): void {
    for (const release of this.#releases) release();
    this.#releases.clear();
  }

  /** Takes the first rule matching the request, consuming one use of it. */
  take(facts: RequestFacts, kinds: readonly FaultKind[]): ActiveFault | undefined {
    const index = this.#rules.findIndex(
      (rule) => kinds.includes(rule.kind) && ruleMatches(rule.match, facts),
    );
    if (index < 0) return undefined;
    const rule = this.#rules[index] as ActiveFault;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.#rules.splice(index, 1);
    return rule;
  }

  latencyMs(): number {
    const l = this.#latency;
    if (typeof l === 'number') return l;
    return l.min + Math.random() * (l.max - l.min);
  }

  /** Waits until the request is aborted, hangs are released, or `maxMs` passes. */
  hang(signal: AbortSignal | undefined, maxMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#releases.delete(done);
        resolve();
      };
      const timer = setTimeout(done, maxMs);
      this.#releases.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

function ruleMatches(match: FaultMatch | undefined, facts: RequestFacts): boolean {
  if (!match) return true;
  if (match.method && match.method.toUpperCase() !== facts.method.toUpperCase()) return false;
  if (match.realmId && match.realmId !== facts.realmId) return false;
  if (match.path !== undefined) {
    if (
      typeof match.path === 'string'
        ? !facts.pathAndQuery.includes(match.path)
        : !match.path.test(facts.pathAndQuery)
    ) {
      return false;
    }
  }
  return true;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

export interface RateLimits {
  /** Requests per minute per realm (Intuit: 500, batch requests included). */
  perMinute: number;
  /** Concurrent requests per realm (Intuit: 10). */
  concurrent: number;
  /** Batch requests per minute per realm (Intuit: 40). */
  batchesPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { perMinute: 500, concurrent: 10, batchesPerMinute: 40 };

/** Sliding one-minute window over request start times; returns false when the request must be throttled. */
export function admitToWindow(times: number[], now: number, limit: number): boolean {
  while (times.length > 0 && (times[0] as number) <= now - 60_000) times.shift();
  if (times.length >= limit) return false;
  times.push(now);
  return true;
}
