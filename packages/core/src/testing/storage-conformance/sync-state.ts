import { expect } from 'vitest';
import {
  CONCURRENCY,
  LONG_TTL_MS,
  PAST_SHORT_TTL_MS,
  raceAcross,
  SHORT_TTL_MS,
  type SuiteContext,
  sleep,
  unique,
} from './harness';
import { SYNC_STATE_TESTS } from './names';

export function defineSyncStateTests(ctx: SuiteContext): void {
  ctx.test(SYNC_STATE_TESTS.cursors, async () => {
    const { syncState } = ctx.storage();
    const conn = unique('conn');
    const otherConn = unique('conn');
    expect(await syncState.getCursor(conn, 'invoice')).toBeNull();
    await syncState.setCursor(conn, 'invoice', '2026-01-01T00:00:00Z');
    await syncState.setCursor(conn, 'customer', 'page=3');
    await syncState.setCursor(conn, 'cdc:all', 'cdc-cursor');
    await syncState.setCursor(otherConn, 'invoice', 'other');
    const [other] = await ctx.instances(1);
    expect(await other!.syncState.getCursor(conn, 'invoice')).toBe('2026-01-01T00:00:00Z');
    expect(await other!.syncState.getCursor(conn, 'customer')).toBe('page=3');
    expect(await other!.syncState.getCursor(conn, 'cdc:all')).toBe('cdc-cursor');
    expect(await other!.syncState.getCursor(otherConn, 'invoice')).toBe('other');
    expect(await other!.syncState.getCursor(conn, 'payment')).toBeNull();
    await other!.syncState.setCursor(conn, 'invoice', '2026-02-01T00:00:00Z');
    expect(await syncState.getCursor(conn, 'invoice')).toBe('2026-02-01T00:00:00Z');
  });

  ctx.test(SYNC_STATE_TESTS.deliveryOnce, async () => {
    const { syncState } = ctx.storage();
    const [other] = await ctx.instances(1);
    const id = unique('delivery');
    expect(await syncState.rememberDelivery('quickbooks', id, LONG_TTL_MS)).toBe(true);
    expect(await syncState.rememberDelivery('quickbooks', id, LONG_TTL_MS)).toBe(false);
    expect(await other!.syncState.rememberDelivery('quickbooks', id, LONG_TTL_MS)).toBe(false);
    // Delivery ids are per provider.
    expect(await syncState.rememberDelivery('xero', id, LONG_TTL_MS)).toBe(true);
  });

  ctx.test(SYNC_STATE_TESTS.deliveryConcurrent, async () => {
    const id = unique('delivery');
    const instances = [ctx.storage(), ...(await ctx.instances(3))];
    const results = await raceAcross(instances, CONCURRENCY, (storage) =>
      storage.syncState.rememberDelivery('xero', id, LONG_TTL_MS),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const firsts = results.filter((r) => r.status === 'fulfilled' && r.value === true);
    expect(firsts).toHaveLength(1);
  });

  ctx.test(SYNC_STATE_TESTS.deliveryTtl, async () => {
    const { syncState } = ctx.storage();
    const id = unique('delivery');
    expect(await syncState.rememberDelivery('freshbooks', id, SHORT_TTL_MS)).toBe(true);
    expect(await syncState.rememberDelivery('freshbooks', id, SHORT_TTL_MS)).toBe(false);
    await sleep(PAST_SHORT_TTL_MS);
    const instances = [ctx.storage(), ...(await ctx.instances(3))];
    const results = await raceAcross(instances, CONCURRENCY, (storage) =>
      storage.syncState.rememberDelivery('freshbooks', id, LONG_TTL_MS),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(results.filter((r) => r.status === 'fulfilled' && r.value === true)).toHaveLength(1);
    expect(await syncState.rememberDelivery('freshbooks', id, LONG_TTL_MS)).toBe(false);
  });

  ctx.test(SYNC_STATE_TESTS.forgetDelivery, async () => {
    const { syncState } = ctx.storage();
    const [other] = await ctx.instances(1);
    const id = unique('delivery');
    const kept = unique('delivery');
    expect(await syncState.rememberDelivery('quickbooks', id, LONG_TTL_MS)).toBe(true);
    expect(await syncState.rememberDelivery('quickbooks', kept, LONG_TTL_MS)).toBe(true);
    expect(await syncState.rememberDelivery('xero', id, LONG_TTL_MS)).toBe(true);
    // Forgotten through another instance: the memory is shared, not per process.
    await other!.syncState.forgetDelivery('quickbooks', id);
    expect(await syncState.rememberDelivery('quickbooks', id, LONG_TTL_MS)).toBe(true);
    expect(await syncState.rememberDelivery('quickbooks', id, LONG_TTL_MS)).toBe(false);
    // Only that provider's id, and no other id, was forgotten.
    expect(await syncState.rememberDelivery('xero', id, LONG_TTL_MS)).toBe(false);
    expect(await syncState.rememberDelivery('quickbooks', kept, LONG_TTL_MS)).toBe(false);

    const unknown = unique('delivery');
    await expect(syncState.forgetDelivery('quickbooks', unknown)).resolves.toBeUndefined();
    await syncState.forgetDelivery('quickbooks', unknown);
    expect(await syncState.rememberDelivery('quickbooks', unknown, LONG_TTL_MS)).toBe(true);

    // After a forget, racing re-deliveries still elect exactly one.
    await syncState.forgetDelivery('quickbooks', id);
    const instances = [ctx.storage(), ...(await ctx.instances(3))];
    const results = await raceAcross(instances, CONCURRENCY, (storage) =>
      storage.syncState.rememberDelivery('quickbooks', id, LONG_TTL_MS),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(results.filter((r) => r.status === 'fulfilled' && r.value === true)).toHaveLength(1);
  });
}
