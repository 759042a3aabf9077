import type { EntityType } from '../storage/types';
import { pullEntityChanges } from './pull';
import type { PollPlan, PollSummary } from './results';
import type { ConnectionScope, EngineRuntime } from './runtime';

const DEFAULT_POLL_INTERVAL_MS = 15 * 60_000;
const DAY_MS = 24 * 3_600_000;
/** Polling may use at most this share of a daily request budget (Xero 5,000/day, 1,000 on Starter). */
const POLL_BUDGET_SHARE = 0.1;
const PAGE_SCAN_FACTOR = 4;

/**
 * Which entities of a connection need polling, and how often: those the provider can pull but sends no events for
 * (`webhooks.paymentEvents: 'poll'` for Xero payments; everything for a provider without webhooks). Read from the
 * provider's capabilities only, so a new provider gets a plan without engine changes.
 */
export function planPolling<THttp>(rt: EngineRuntime<THttp>, connectionId: string): PollPlan {
  const caps = rt.provider.capabilities;
  const pullable = caps.incrementalPull.entities;
  const pushed = new Set<EntityType>();
  if (caps.webhooks.supported) {
    for (const entity of caps.webhooks.entities) pushed.add(entity);
    if (caps.webhooks.paymentEvents === 'poll') pushed.delete('payment');
  }
  const entityTypes = rt.provider.pullChanges ? pullable.filter((entity) => !pushed.has(entity)) : [];
  if (entityTypes.length === 0) {
    return {
      connectionId,
      provider: rt.provider.id,
      entityTypes,
      intervalMs: null,
      reason: caps.webhooks.supported
        ? `${rt.provider.displayName} sends events for everything it can pull`
        : `${rt.provider.displayName} offers no incremental pull`,
    };
  }
  let intervalMs = rt.options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  // Without a change filter every poll pages through everything (Wave): poll less often.
  if (caps.incrementalPull.strategy === 'page-scan') intervalMs *= PAGE_SCAN_FACTOR;
  const perDay = caps.limits.requestsPerDay;
  if (perDay !== null) {
    // One pull round per entity per poll at least; keep polling within its share of the day's budget.
    const pollsPerDay = (perDay * POLL_BUDGET_SHARE) / entityTypes.length;
    intervalMs = Math.max(intervalMs, Math.ceil(DAY_MS / pollsPerDay));
  }
  const reason = caps.webhooks.supported
    ? `${rt.provider.displayName} sends no events for ${entityTypes.join(', ')}`
    : `${rt.provider.displayName} sends no webhooks`;
  return { connectionId, provider: rt.provider.id, entityTypes, intervalMs, reason };
}

/** Runs one poll: an incremental pull of every entity in the plan, in order, each from its stored cursor. */
export async function pollConnection<THttp>(
  rt: EngineRuntime<THttp>,
  scope: ConnectionScope<THttp>,
): Promise<PollSummary> {
  const plan = planPolling(rt, scope.connection.id);
  const pulls = [];
  for (const entityType of plan.entityTypes) {
    pulls.push(await pullEntityChanges(rt, scope, entityType));
  }
  return {
    connectionId: scope.connection.id,
    pulls,
    nextPollAt: plan.intervalMs === null ? null : rt.clock.now() + plan.intervalMs,
  };
}
