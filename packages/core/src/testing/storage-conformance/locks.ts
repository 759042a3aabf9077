import { expect } from 'vitest';
import type { Lease } from '../../storage/index';
import {
  CONCURRENCY,
  expectErrorCode,
  LONG_TTL_MS,
  newConnection,
  PAST_SHORT_TTL_MS,
  raceAcross,
  SHORT_TTL_MS,
  type SuiteContext,
  sealedTokens,
  sleep,
  unique,
} from './harness';
import { LOCK_TESTS } from './names';

export function defineLockTests(ctx: SuiteContext): void {
  ctx.test(LOCK_TESTS.oneHolder, async () => {
    const key = unique('lock');
    const instances = [ctx.storage(), ...(await ctx.instances(3))];
    const results = await raceAcross(instances, CONCURRENCY, (storage) =>
      storage.locks.acquireLease(key, { ttlMs: LONG_TTL_MS }),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const granted = results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []));
    expect(granted).toHaveLength(1);
    const lease = granted[0]!;
    expect(lease.key).toBe(key);
    expect(lease.holder).toEqual(expect.any(String));
    expect(lease.holder.length).toBeGreaterThan(0);
    expect(Number.isInteger(lease.fence)).toBe(true);
    expect(lease.expiresAt).toBeGreaterThan(Date.now());
    // Still held: a later try from any instance gets nothing.
    expect(await instances[1]!.locks.acquireLease(key, { ttlMs: LONG_TTL_MS })).toBeNull();
  });

  ctx.test(LOCK_TESTS.takeover, async () => {
    const key = unique('lock');
    const [other] = await ctx.instances(1);
    const first = await ctx.storage().locks.acquireLease(key, { ttlMs: SHORT_TTL_MS, holder: 'worker-a' });
    expect(first?.holder).toBe('worker-a');
    expect(await other!.locks.acquireLease(key, { ttlMs: LONG_TTL_MS })).toBeNull();
    await sleep(PAST_SHORT_TTL_MS);
    // Takeover is a race too: of 20 callers grabbing the expired lease, exactly one wins.
    const instances = [ctx.storage(), other!, ...(await ctx.instances(2))];
    const results = await raceAcross(instances, CONCURRENCY, (storage, index) =>
      storage.locks.acquireLease(key, { ttlMs: LONG_TTL_MS, holder: `worker-${index}` }),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const granted = results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []));
    expect(granted).toHaveLength(1);
    const second = granted[0]!;
    expect(second.holder).toMatch(/^worker-\d+$/);
    expect(second.fence).toBeGreaterThan(first!.fence);
    expect(second.expiresAt).toBeGreaterThan(Date.now());
  });

  ctx.test(LOCK_TESTS.staleHolder, async () => {
    const key = unique('lock');
    const [other] = await ctx.instances(1);
    const stale = (await ctx.storage().locks.acquireLease(key, { ttlMs: SHORT_TTL_MS }))!;
    await sleep(PAST_SHORT_TTL_MS);
    const current = (await other!.locks.acquireLease(key, { ttlMs: LONG_TTL_MS }))!;
    expect(current).not.toBeNull();
    expect(await ctx.storage().locks.releaseLease(stale)).toBe(false);
    expect(await ctx.storage().locks.extendLease(stale, LONG_TTL_MS)).toBeNull();
    // The stale holder's attempts did not disturb the new holder: the key is still taken and still theirs.
    expect(await ctx.storage().locks.acquireLease(key, { ttlMs: LONG_TTL_MS })).toBeNull();
    const extended = await other!.locks.extendLease(current, LONG_TTL_MS);
    expect(extended).toMatchObject({ key, holder: current.holder, fence: current.fence });
  });

  ctx.test(LOCK_TESTS.fencedWrite, async () => {
    const key = unique('refresh-lock');
    const [other] = await ctx.instances(1);
    const created = await ctx.storage().connections.createConnection(newConnection());
    const stale = (await ctx.storage().locks.acquireLease(key, { ttlMs: SHORT_TTL_MS }))!;
    await sleep(PAST_SHORT_TTL_MS);
    const current = (await other!.locks.acquireLease(key, { ttlMs: LONG_TTL_MS }))!;
    expect(current).not.toBeNull();

    // The stale holder writes at the current version, so only its lease can be the reason for refusal.
    const staleTokens = sealedTokens();
    await expectErrorCode(
      ctx
        .storage()
        .connections.updateConnection(
          created.id,
          { tokens: staleTokens },
          { expectedVersion: created.version, fence: { key, fence: stale.fence } },
        ),
      'lease_lost',
    );
    const unchanged = await other!.connections.getConnection(created.id);
    expect(unchanged?.version).toBe(created.version);
    expect(unchanged?.tokens).toEqual(created.tokens);

    const freshTokens = sealedTokens();
    const updated = await other!.connections.updateConnection(
      created.id,
      { tokens: freshTokens },
      { expectedVersion: created.version, fence: { key, fence: current.fence } },
    );
    expect(updated.version).toBe(created.version + 1);
    expect((await ctx.storage().connections.getConnection(created.id))?.tokens).toEqual(freshTokens);
  });

  ctx.test(LOCK_TESTS.release, async () => {
    const key = unique('lock');
    const [other] = await ctx.instances(1);
    const first = (await ctx.storage().locks.acquireLease(key, { ttlMs: LONG_TTL_MS }))!;
    expect(await ctx.storage().locks.releaseLease(first)).toBe(true);
    expect(await ctx.storage().locks.releaseLease(first)).toBe(false);
    const second = await other!.locks.acquireLease(key, { ttlMs: LONG_TTL_MS });
    expect(second).not.toBeNull();
    expect(second!.fence).toBeGreaterThan(first.fence);
    expect(await other!.locks.releaseLease(second!)).toBe(true);
    const third = await ctx.storage().locks.acquireLease(key, { ttlMs: LONG_TTL_MS });
    expect(third!.fence).toBeGreaterThan(second!.fence);
  });

  ctx.test(LOCK_TESTS.foreignHolder, async () => {
    const key = unique('lock');
    const lease = (await ctx.storage().locks.acquireLease(key, { ttlMs: LONG_TTL_MS, holder: 'worker-a' }))!;
    const wrongHolder: Lease = { ...lease, holder: 'worker-b' };
    const wrongFence: Lease = { ...lease, fence: lease.fence + 1 };
    for (const impostor of [wrongHolder, wrongFence]) {
      expect(await ctx.storage().locks.releaseLease(impostor)).toBe(false);
      expect(await ctx.storage().locks.extendLease(impostor, LONG_TTL_MS)).toBeNull();
    }
    expect(await ctx.storage().locks.acquireLease(key, { ttlMs: LONG_TTL_MS })).toBeNull();
    expect(await ctx.storage().locks.releaseLease(lease)).toBe(true);
  });

  ctx.test(LOCK_TESTS.extend, async () => {
    const key = unique('lock');
    const [other] = await ctx.instances(1);
    const lease = (await ctx.storage().locks.acquireLease(key, { ttlMs: SHORT_TTL_MS }))!;
    const extended = await ctx.storage().locks.extendLease(lease, LONG_TTL_MS);
    expect(extended).not.toBeNull();
    expect(extended).toMatchObject({ key, holder: lease.holder, fence: lease.fence });
    expect(extended!.expiresAt).toBeGreaterThan(lease.expiresAt);
    await sleep(PAST_SHORT_TTL_MS);
    expect(await other!.locks.acquireLease(key, { ttlMs: LONG_TTL_MS })).toBeNull();
    expect(await ctx.storage().locks.releaseLease(extended!)).toBe(true);
  });

  ctx.test(LOCK_TESTS.keysIndependent, async () => {
    const a = await ctx.storage().locks.acquireLease(unique('lock'), { ttlMs: LONG_TTL_MS });
    const b = await ctx.storage().locks.acquireLease(unique('lock'), { ttlMs: LONG_TTL_MS });
    expect(a).not.toBeNull();
    expect(b).not.toBeNull();
  });
}
