import { BlueClerkError } from '../errors/index';
import type { EntityType, EpochMs } from '../storage/types';
import { applyProviderChange } from './apply-change';
import type { PullSummary } from './results';
import type { ConnectionScope, EngineRuntime } from './runtime';

const DAY_MS = 24 * 3_600_000;

export interface PullOptions {
  /**
   * First pull only (no stored cursor): how far back to look. Clamped to the provider's `maxLookbackDays` (the
   * summary then carries `sinceClampedTo`).
   */
  since?: EpochMs;
  /** Most pull rounds in one call while the provider says `hasMore`. Default 20. */
  maxRounds?: number;
}

/** Sync-state scope of the incremental-pull cursor for an entity. */
export function pullCursorScope(entityType: EntityType): string {
  return `pull:${entityType}`;
}

/**
 * Pulls changes since the stored cursor (one per connection and entity), applies them, and stores the provider's
 * next cursor after each round - after applying, so a crash re-pulls a round instead of losing it.
 */
export async function pullEntityChanges<THttp>(
  rt: EngineRuntime<THttp>,
  scope: ConnectionScope<THttp>,
  entityType: EntityType,
  options: PullOptions = {},
): Promise<PullSummary> {
  const pull = rt.provider.pullChanges;
  if (!pull) {
    throw new BlueClerkError('unsupported', `${rt.provider.displayName} does not support incremental pulls`);
  }
  const { connection } = scope;
  const cursorScope = pullCursorScope(entityType);
  let cursor = await rt.storage.syncState.getCursor(connection.id, cursorScope);
  const summary: PullSummary = {
    entityType,
    changes: 0,
    applied: 0,
    failed: 0,
    cursor: cursor ?? '',
    failure: null,
  };
  let since = cursor === null ? options.since : undefined;
  const lookbackDays = rt.provider.capabilities.incrementalPull.maxLookbackDays;
  if (since !== undefined && lookbackDays !== null) {
    // The provider refuses (or silently truncates) older windows: QuickBooks CDC answers nothing past 30 days.
    const earliest = rt.clock.now() - lookbackDays * DAY_MS;
    if (since < earliest) {
      since = earliest;
      summary.sinceClampedTo = earliest;
    }
  }
  const maxRounds = options.maxRounds ?? 20;
  for (let round = 0; round < maxRounds; round++) {
    const request = { entityType, cursor, since: cursor === null ? since : undefined };
    let result: Awaited<ReturnType<typeof pull>>;
    try {
      result = await rt.call(scope, (ctx) => pull(ctx, request));
    } catch (error) {
      summary.failure = rt.fail(connection, entityType, null, error);
      return summary;
    }
    for (const bad of result.rejected ?? []) {
      summary.changes++;
      summary.failed++;
      rt.fail(connection, bad.entityType, null, bad.error);
    }
    for (const change of result.changes) {
      summary.changes++;
      try {
        if ((await applyProviderChange(rt, scope, change)).applied) summary.applied++;
      } catch (error) {
        summary.failed++;
        rt.fail(connection, change.entityType, null, error);
      }
    }
    cursor = result.nextCursor;
    summary.cursor = cursor;
    await rt.storage.syncState.setCursor(connection.id, cursorScope, cursor);
    if (!result.hasMore) break;
  }
  return summary;
}
