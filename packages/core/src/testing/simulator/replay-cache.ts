import { type Clock, systemClock } from '../../runtime/clock';

/**
 * Idempotency-key replay as providers implement it (QuickBooks `?requestid=`, Xero `Idempotency-Key`): the first
 * request with a key runs and its answer is stored; a repeat within the window gets the stored answer back without
 * running again - which is what makes retrying a write whose response was lost safe. After the window the key is
 * forgotten and a repeat runs again.
 *
 * A repeat that arrives while the first request is still running waits for it instead of running twice. A run that
 * throws stores nothing (the waiting repeats get the same error).
 *
 * @example
 * const replays = createReplayCache<StoredResponse>({ windowMs: 6 * 60_000 });
 * const { value, replayed } = await replays.run(key, async () => storeResponse(await create(request)));
 * return replayResponse(value);
 */
export interface ReplayCacheOptions {
  /** Clock of the window. Default: the system clock. */
  clock?: Clock;
  /** How long a key is remembered, from its first request, in ms. Default `Infinity` (never forgotten). */
  windowMs?: number;
}

export interface ReplayOutcome<T> {
  value: T;
  /** True when `value` is the stored answer of an earlier request with the same key. */
  replayed: boolean;
}

export interface ReplayCache<T> {
  /** Runs `execute` for a new (or forgotten) key; replays the stored value for a remembered one. */
  run(key: string, execute: () => Promise<T>): Promise<ReplayOutcome<T>>;
  /** Whether a repeat of `key` would be replayed now. */
  has(key: string): boolean;
  /** Keys remembered now (window not yet passed), oldest first. */
  keys(): string[];
  forget(key: string): void;
  setWindow(windowMs: number): void;
  /** Repeats answered from the cache so far. */
  replays(): number;
}

/** A Fetch response with its body read, so it can be answered more than once. */
export interface StoredResponse {
  status: number;
  headers: Array<[string, string]>;
  body: Uint8Array | null;
}

export async function storeResponse(response: Response): Promise<StoredResponse> {
  const body = response.body ? new Uint8Array(await response.arrayBuffer()) : null;
  return { status: response.status, headers: [...response.headers], body };
}

export function replayResponse(stored: StoredResponse): Response {
  return new Response(stored.body as BodyInit | null, {
    status: stored.status,
    headers: stored.headers,
  });
}

interface Entry<T> {
  firstSeenAt: number;
  value: Promise<T>;
  settled: boolean;
}

export function createReplayCache<T>(options: ReplayCacheOptions = {}): ReplayCache<T> {
  const clock = options.clock ?? systemClock;
  let windowMs = options.windowMs ?? Number.POSITIVE_INFINITY;
  const entries = new Map<string, Entry<T>>();
  let replays = 0;

  const live = (key: string): Entry<T> | undefined => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    // A running first request is never forgotten: its repeats must wait for it, whatever the window.
    if (entry.settled && clock.now() >= entry.firstSeenAt + windowMs) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  return {
    async run(key, execute) {
      const existing = live(key);
      if (existing) {
        const value = await existing.value;
        replays += 1;
        return { value, replayed: true };
      }
      const entry: Entry<T> = { firstSeenAt: clock.now(), value: execute(), settled: false };
      entries.set(key, entry);
      try {
        const value = await entry.value;
        entry.settled = true;
        return { value, replayed: false };
      } catch (error) {
        if (entries.get(key) === entry) entries.delete(key);
        throw error;
      }
    },
    has: (key) => live(key) !== undefined,
    keys: () => [...entries.keys()].filter((key) => live(key) !== undefined),
    forget(key) {
      entries.delete(key);
    },
    setWindow(ms) {
      windowMs = ms;
    },
    replays: () => replays,
  };
}
