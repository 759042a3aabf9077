import type { SyncNotification } from '../storage/notifications';
import { isReconnectCategory } from './messages';

/**
 * Burst de-duplication. The same failure within a window is stored once; repeats only raise its stored occurrence
 * count (`NotificationStore.recordRepeat`).
 *
 * Record-scoped failures (a missing customer email, a duplicate name) are keyed by the record. Connection-scoped ones
 * (rate limits, network, timeouts, reconnects, the app's own storage being unavailable) are keyed by the connection alone: a rate-limit storm fails every record
 * in a bulk sync, and one banner line says all there is to say. `sync.failed` with a token category and
 * `connection.needs_reconnect` share one key, since they ask the user for the same thing.
 */
const CONNECTION_SCOPED = new Set([
  'rate_limited',
  'network',
  'timeout',
  'needs_reconnect',
  'token_expired',
  'storage_unavailable',
]);

export function failureDedupeKey(input: {
  ownerId: string;
  connectionId: string;
  category: string;
  code?: string;
  entityType?: string | null;
  localId?: string | null;
}): string {
  if (isReconnectCategory(input.category)) return `${input.ownerId}|${input.connectionId}|reconnect`;
  if (CONNECTION_SCOPED.has(input.category))
    return `${input.ownerId}|${input.connectionId}|${input.category}`;
  return [
    input.ownerId,
    input.connectionId,
    input.category,
    input.code ?? '-',
    input.entityType ?? '-',
    input.localId ?? '-',
  ].join('|');
}

interface Burst {
  notification: SyncNotification;
  windowStart: number;
}

/**
 * In-process memory of open bursts: which stored notification a failure key folds into until its window closes.
 * It saves a store look-up per repeat; the counts themselves live in the store (`recordRepeat`), so every process and
 * any standalone feed sees the same number. Pruned as it goes so a long-running process does not grow without bound.
 */
export class BurstTracker {
  private readonly bursts = new Map<string, Burst>();

  constructor(private readonly windowMs: number) {}

  /** The open burst for `key` at `now`, if any. */
  open(key: string, now: number): Burst | undefined {
    const burst = this.bursts.get(key);
    if (!burst) return undefined;
    if (now - burst.windowStart >= this.windowMs) {
      this.bursts.delete(key);
      return undefined;
    }
    return burst;
  }

  start(key: string, notification: SyncNotification, now: number): Burst {
    this.prune(now);
    const burst = { notification, windowStart: notification.createdAt };
    this.bursts.set(key, burst);
    return burst;
  }

  /** Forget one burst, e.g. when its stored notification is gone (trimmed or expired by the store). */
  forget(key: string): void {
    this.bursts.delete(key);
  }

  /** Forget every burst of a connection: after a reconnect, the next failure must be reported at once. */
  forgetConnection(ownerId: string, connectionId: string): void {
    const prefix = `${ownerId}|${connectionId}|`;
    for (const key of [...this.bursts.keys()]) if (key.startsWith(prefix)) this.bursts.delete(key);
  }

  private prune(now: number): void {
    if (this.bursts.size < 1000) return;
    for (const [key, burst] of this.bursts) {
      if (now - burst.windowStart >= this.windowMs) this.bursts.delete(key);
    }
  }
}
