import type { SyncNotification } from '../storage/notifications';
import { isReconnectCategory } from './messages';

/**
 * Burst de-duplication. The same failure within a window is stored once; repeats only raise its occurrence count.
 *
 * Record-scoped failures (a missing customer email, a duplicate name) are keyed by the record. Connection-scoped ones
 * (rate limits, network, timeouts, reconnects) are keyed by the connection alone: a rate-limit storm fails every record
 * in a bulk sync, and one banner line says all there is to say. `sync.failed` with a token category and
 * `connection.needs_reconnect` share one key, since they ask the user for the same thing.
 */
const CONNECTION_SCOPED = new Set(['rate_limited', 'network', 'timeout', 'needs_reconnect', 'token_expired']);

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

const MAX_REMEMBERED_COUNTS = 5000;

interface Burst {
  notification: SyncNotification;
  occurrences: number;
  windowStart: number;
  lastAt: number;
}

/**
 * In-process memory of open bursts. The notification store is append-only, so repeat counts live here; the notifier's
 * read side overlays them on stored notifications (`occurrencesOf`). Pruned as it goes so a long-running process does
 * not grow without bound.
 */
export class BurstTracker {
  private readonly bursts = new Map<string, Burst>();
  private readonly byNotificationId = new Map<string, Burst>();

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

  start(key: string, notification: SyncNotification, occurrences: number, now: number): Burst {
    this.prune(now);
    const burst = { notification, occurrences, windowStart: notification.createdAt, lastAt: now };
    this.bursts.set(key, burst);
    this.byNotificationId.set(notification.id, burst);
    this.trimCounts();
    return burst;
  }

  repeat(burst: Burst, now: number): number {
    burst.occurrences += 1;
    burst.lastAt = Math.max(burst.lastAt, now);
    return burst.occurrences;
  }

  /** Occurrences recorded in this process for a stored notification id (undefined if unknown here). */
  occurrencesOf(notificationId: string): { occurrences: number; lastAt: number } | undefined {
    const burst = this.byNotificationId.get(notificationId);
    return burst ? { occurrences: burst.occurrences, lastAt: burst.lastAt } : undefined;
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

  // Closed bursts keep their count (bounded, oldest dropped first) so the banner still shows "x50" after the window.
  private trimCounts(): void {
    while (this.byNotificationId.size > MAX_REMEMBERED_COUNTS) {
      const oldest = this.byNotificationId.keys().next();
      if (oldest.done) break;
      this.byNotificationId.delete(oldest.value);
    }
  }
}
