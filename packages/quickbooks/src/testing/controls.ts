import type {
  FaultInjector,
  FaultKind,
  FaultInjection as KitFaultInjection,
  FaultMatch as KitFaultMatch,
  Latency,
  RateWindow,
} from '@blueclerk/core/testing/simulator';

/**
 * The simulator's switches as QuickBooks tests see them: core's fault injector and rate windows, addressed by
 * `realmId`. Tests flip these to reproduce what a production QuickBooks connection goes through: slow answers, 5xx,
 * hung connections, throttling, and the worst one for idempotency - a write QuickBooks committed whose response
 * never reached the client.
 */
export type { FaultKind, Latency };

export interface FaultMatch extends Omit<KitFaultMatch, 'tenant'> {
  /** Only requests for this company. */
  realmId?: string;
}

export interface FaultInjection extends Omit<KitFaultInjection, 'match'> {
  match?: FaultMatch;
}

/** What `sim.faults` offers. */
export interface QuickBooksFaultControls {
  inject(injection: FaultInjection): void;
  setLatency(latency: Latency): void;
  /** Removes every fault and the latency, and releases hung requests. */
  clear(): void;
  /** Lets every hung request finish (as a network error). */
  releaseHangs(): void;
}

export function quickBooksFaultControls(faults: FaultInjector): QuickBooksFaultControls {
  return {
    inject({ match, ...injection }) {
      if (!match) {
        faults.inject(injection);
        return;
      }
      const { realmId, ...rest } = match;
      faults.inject({ ...injection, match: realmId === undefined ? rest : { ...rest, tenant: realmId } });
    },
    setLatency: (latency) => faults.setLatency(latency),
    clear: () => faults.clear(),
    releaseHangs: () => faults.releaseHangs(),
  };
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

const BATCH_PATH = /\/v3\/company\/[^/]+\/batch(\/|$)/i;

/** Intuit's per-realm windows [Intuit blog 2016-08-08, 2023-07-19]; the concurrency cap is the limiter's own. */
export function quickBooksRateWindows(limits: RateLimits): RateWindow[] {
  return [
    {
      name: 'batchesPerMinute',
      limit: limits.batchesPerMinute,
      windowMs: 60_000,
      appliesTo: (request) => request.method === 'POST' && BATCH_PATH.test(request.url.pathname),
    },
    { name: 'perMinute', limit: limits.perMinute, windowMs: 60_000 },
  ];
}
