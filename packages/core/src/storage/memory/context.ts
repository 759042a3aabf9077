import type { Clock } from '../../runtime/index';
import type { MemoryState } from './backend';

/** What each in-memory store needs: the live shared state (re-read per call, `clear()` swaps it) and the clock. */
export interface MemoryContext {
  state(): MemoryState;
  clock: Clock;
}
