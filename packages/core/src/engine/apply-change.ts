import type { ProviderChange } from '../provider/changes';
import { applyProviderPayment } from './apply-payment';
import type { ConnectionScope, EngineRuntime } from './runtime';

/** Whether a provider change touched anything of ours. */
export type ChangeOutcome = { applied: true } | { applied: false; reason: string };

/**
 * Applies one provider change (from a pull or a webhook fetch): a payment is recorded against its linked invoice;
 * a change to a linked customer / item / invoice refreshes the link's version and tells the host. Unlinked records
 * are left alone - imports decide what enters the app.
 */
export async function applyProviderChange<THttp>(
  rt: EngineRuntime<THttp>,
  scope: ConnectionScope<THttp>,
  change: ProviderChange,
): Promise<ChangeOutcome> {
  const { connection } = scope;
  if (change.entityType === 'payment' && !change.deleted) {
    const outcome = await applyProviderPayment(rt, scope, change.record);
    if (outcome.status === 'applied') return { applied: true };
    return {
      applied: false,
      reason: outcome.status === 'known' ? 'payment already recorded' : outcome.reason,
    };
  }
  const providerId = change.deleted ? change.providerId : change.record.providerId;
  const link = await rt.storage.links.findLinkByProviderId(connection.id, change.entityType, providerId);
  if (!link) return { applied: false, reason: `${change.entityType} ${providerId} is not linked` };
  if (!change.deleted) {
    await rt.storage.links.upsertLink({
      ...link,
      providerVersion: change.record.version,
      lastSyncedAt: rt.clock.now(),
    });
  }
  await rt.host.onProviderChange?.({
    connectionId: connection.id,
    entityType: change.entityType,
    localId: link.localId,
    providerId,
    deleted: change.deleted,
    data: change.deleted ? null : change.record.data,
  });
  return { applied: true };
}
