import { invalidArgument } from './arguments';

/** The one clock. Inject a fake in tests; everything that reads time takes a `Clock`. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

function finite(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidArgument(fn, name, 'a finite number of milliseconds', value);
  }
  return value;
}

/** A clock tests move by hand. */
export function createManualClock(
  start = Date.UTC(2026, 0, 1),
): Clock & { advance(ms: number): void; set(ms: number): void } {
  let current = finite('createManualClock', 'start', start);
  return {
    now: () => current,
    advance: (ms) => {
      current += finite('clock.advance', 'ms', ms);
    },
    set: (ms) => {
      current = finite('clock.set', 'ms', ms);
    },
  };
}
