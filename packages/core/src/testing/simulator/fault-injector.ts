import type { SimulatedRequest } from './simulated-request';

/**
 * Switchable faults and latency for provider simulators: what a production connection goes through - slow answers,
 * 5xx, hung connections, and the worst case for idempotency, a write the provider committed whose response never
 * reached the client.
 *
 * A simulator wraps each request in `faults.run(...)`; tests switch faults on with `faults.inject(...)`.
 *
 * @example
 * const faults = createFaultInjector({ renderServerError: (status) => Response.json({ error: 'server' }, { status }) });
 * http.post(url, ({ request }) =>
 *   faults.run(request, describeRequest(request), async () => ({ response: await create(request), committed: true })),
 * );
 * // in a test: the next POST /invoices is committed, then its response is lost
 * faults.inject({ kind: 'lose_response', match: { method: 'POST', path: '/invoices' } });
 */
export type FaultKind =
  /** Answer with a 5xx (`status`, default 503) before doing anything. */
  | 'server_error'
  /** Fail the connection (the client's fetch rejects) before doing anything. */
  | 'network_error'
  /** Never answer - until the client aborts, `releaseHangs()` or `maxHangMs` - then fail the connection. */
  | 'hang'
  /** Run the handler (its effect is applied), then fail the connection: the client cannot know it succeeded. */
  | 'lose_response'
  /** Run the handler, then never answer (the client times out). */
  | 'hang_after_commit'
  /** Answer as if a rate limit were reached; taken by `createRateLimiter({ faults })`, not by `run`. */
  | 'throttle'
  /** Delay the answer by `latencyMs` (on top of the base latency). */
  | 'latency';

/** A fixed delay in ms, or a uniformly random one between `min` and `max`. */
export type Latency = number | { min: number; max: number };

/** Which requests a fault applies to. Every given field must match; none given matches every request. */
export interface FaultMatch {
  /** HTTP method, any case. */
  method?: string;
  /** A substring of, or a pattern tested against, the URL path plus query (e.g. `'/invoice'`, `/\/query\?/`). */
  path?: string | RegExp;
  /** Only requests for this tenant (see `SimulatedRequest.tenant`). */
  tenant?: string;
  /** Any other condition. */
  predicate?: (request: SimulatedRequest) => boolean;
}

export interface FaultInjection {
  kind: FaultKind;
  /** Status of a `server_error`. Default 503. */
  status?: number;
  /** Delay of a `latency` fault. Default 0. */
  latencyMs?: Latency;
  /** How many matching requests it applies to. Default 1; `Infinity` until `clear()`. */
  times?: number;
  match?: FaultMatch;
}

/** What a simulator's handler produced; `committed: false` (nothing changed) exempts it from after-commit faults. */
export type HandlerOutcome = Response | { response: Response; committed: boolean };

export interface FaultRunOptions {
  /** Renders a `server_error` for this request. Default: the injector's `renderServerError`. */
  renderServerError?: (status: number, request: SimulatedRequest) => Response;
  /** Whether the base latency (`setLatency`) applies. Default true; matched `latency` faults always apply. */
  baseLatency?: boolean;
}

export interface FaultInjectorOptions {
  /** Base latency of every `run`. Default 0. */
  latency?: Latency;
  /** Upper bound of a hang when the client never aborts. Default 130 000 ms. */
  maxHangMs?: number;
  /** Default rendering of a `server_error`. Default: an empty body with that status. */
  renderServerError?: (status: number, request: SimulatedRequest) => Response;
  /** Source of randomness for ranged latency. Default `Math.random`. */
  random?: () => number;
}

export interface FaultInjectorStats {
  /** Faults that applied to a request (each use of a rule counts once). */
  fired: number;
  firedByKind: Partial<Record<FaultKind, number>>;
}

export interface FaultInjector {
  /** Switches a fault on for the next `times` matching requests, after those injected before it. */
  inject(injection: FaultInjection): void;
  setLatency(latency: Latency): void;
  /** Removes every fault and the base latency, and releases hung requests. */
  clear(): void;
  /** Lets every hung request finish (as a network error). */
  releaseHangs(): void;
  /**
   * Runs one request through the switches: base and matched latency, then `server_error` / `network_error` /
   * `hang`, then `execute`, then (only when it committed) `lose_response` / `hang_after_commit`.
   */
  run(
    request: Request,
    info: SimulatedRequest,
    execute: () => HandlerOutcome | Promise<HandlerOutcome>,
    options?: FaultRunOptions,
  ): Promise<Response>;
  /** Takes (and counts) the first rule of one of `kinds` matching the request, for provider-specific switches. */
  take(info: SimulatedRequest, kinds: readonly FaultKind[]): FaultInjection | undefined;
  /** Waits until `signal` aborts, `releaseHangs()` is called or `maxHangMs` passes. */
  hang(signal?: AbortSignal): Promise<void>;
  stats(): FaultInjectorStats;
  resetStats(): void;
}

interface ActiveRule {
  injection: FaultInjection;
  remaining: number;
}

const BEFORE: readonly FaultKind[] = ['server_error', 'network_error', 'hang'];
const AFTER: readonly FaultKind[] = ['lose_response', 'hang_after_commit'];

/** Sleeps `ms`; resolves early when `signal` aborts. */
export function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function isCommittedOutcome(outcome: HandlerOutcome): outcome is { response: Response; committed: boolean } {
  // Not `instanceof Response`: a Response from another copy of undici (e.g. a real fetch) is still a Response.
  return typeof (outcome as { committed?: unknown }).committed === 'boolean';
}

export function matchesFault(match: FaultMatch | undefined, request: SimulatedRequest): boolean {
  if (!match) return true;
  if (match.method && match.method.toUpperCase() !== request.method.toUpperCase()) return false;
  if (match.tenant !== undefined && match.tenant !== request.tenant) return false;
  if (match.path !== undefined) {
    const target = request.url.pathname + request.url.search;
    const hit = typeof match.path === 'string' ? target.includes(match.path) : match.path.test(target);
    if (!hit) return false;
  }
  return match.predicate ? match.predicate(request) : true;
}

export function createFaultInjector(options: FaultInjectorOptions = {}): FaultInjector {
  const maxHangMs = options.maxHangMs ?? 130_000;
  const random = options.random ?? Math.random;
  const renderDefault = options.renderServerError ?? ((status: number) => new Response(null, { status }));
  let latency: Latency = options.latency ?? 0;
  let rules: ActiveRule[] = [];
  const releases = new Set<() => void>();
  let stats: FaultInjectorStats = { fired: 0, firedByKind: {} };

  const pick = (value: Latency): number =>
    typeof value === 'number' ? value : value.min + random() * (value.max - value.min);

  const take = (info: SimulatedRequest, kinds: readonly FaultKind[]): FaultInjection | undefined => {
    const index = rules.findIndex(
      (rule) => kinds.includes(rule.injection.kind) && matchesFault(rule.injection.match, info),
    );
    if (index < 0) return undefined;
    const rule = rules[index] as ActiveRule;
    rule.remaining -= 1;
    if (rule.remaining <= 0) rules.splice(index, 1);
    stats.fired += 1;
    stats.firedByKind[rule.injection.kind] = (stats.firedByKind[rule.injection.kind] ?? 0) + 1;
    return rule.injection;
  };

  const releaseHangs = () => {
    for (const release of [...releases]) release();
    releases.clear();
  };

  const hang = (signal?: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      const done = () => {
        clearTimeout(timer);
        releases.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, maxHangMs);
      releases.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });

  return {
    inject(injection) {
      rules.push({ injection, remaining: injection.times ?? 1 });
    },
    setLatency(value) {
      latency = value;
    },
    clear() {
      rules = [];
      latency = 0;
      releaseHangs();
    },
    releaseHangs,
    take,
    hang,
    async run(request, info, execute, runOptions = {}) {
      const extra = take(info, ['latency']);
      const wait = (runOptions.baseLatency === false ? 0 : pick(latency)) + pick(extra?.latencyMs ?? 0);
      await abortableDelay(wait, request.signal);
      const before = take(info, BEFORE);
      if (before) {
        if (before.kind === 'server_error') {
          return (runOptions.renderServerError ?? renderDefault)(before.status ?? 503, info);
        }
        if (before.kind === 'hang') await hang(request.signal);
        return Response.error();
      }
      const outcome = await execute();
      const { response, committed } = isCommittedOutcome(outcome)
        ? outcome
        : { response: outcome, committed: true };
      if (!committed) return response;
      // A lost response to a committed write is the case idempotency keys exist for: the provider changed state,
      // the client never learned it.
      const after = take(info, AFTER);
      if (!after) return response;
      if (after.kind === 'hang_after_commit') await hang(request.signal);
      return Response.error();
    },
    stats: () => structuredClone(stats),
    resetStats() {
      stats = { fired: 0, firedByKind: {} };
    },
  };
}
