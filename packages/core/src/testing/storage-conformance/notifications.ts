import { expect } from 'vitest';
import type { NewSyncNotification } from '../../storage/index';
import { CONCURRENCY, raceAcross, type SuiteContext, unique } from './harness';
import { NOTIFICATION_TESTS } from './names';

function notification(overrides: Partial<NewSyncNotification> = {}): NewSyncNotification {
  return {
    ownerId: unique('owner'),
    connectionId: null,
    type: 'sync.failed',
    severity: 'error',
    category: 'missing_field',
    entityType: 'customer',
    localId: unique('cust'),
    message: 'Customer has no email address',
    action: 'Add an email address to the customer',
    data: { field: 'email', attempt: 1 },
    ...overrides,
  };
}

export function defineNotificationTests(ctx: SuiteContext): void {
  ctx.test(NOTIFICATION_TESTS.append, async () => {
    const input = notification();
    const before = Date.now();
    const saved = await ctx.storage().notifications.appendNotification(input);
    expect(saved).toMatchObject({ ...input, readAt: null, occurrences: 1 });
    expect(saved.id).toEqual(expect.any(String));
    expect(saved.createdAt).toBeGreaterThanOrEqual(before - 5_000);
    expect(saved.lastOccurredAt).toBe(saved.createdAt);
    const explicit = notification({ ownerId: input.ownerId, id: unique('n'), createdAt: before - 1_000 });
    const savedExplicit = await ctx.storage().notifications.appendNotification(explicit);
    expect(savedExplicit).toMatchObject({
      id: explicit.id,
      createdAt: explicit.createdAt,
      occurrences: 1,
      lastOccurredAt: explicit.createdAt,
    });
    const [other] = await ctx.instances(1);
    expect(await other!.notifications.listNotifications({ ownerId: input.ownerId })).toEqual([
      saved,
      savedExplicit,
    ]);
  });

  ctx.test(NOTIFICATION_TESTS.newestFirst, async () => {
    const ownerId = unique('owner');
    const base = Date.now() - 100_000;
    const { notifications } = ctx.storage();
    // Appended out of order on purpose: ordering must come from createdAt, not insertion.
    const ids: string[] = [];
    for (const offset of [3, 1, 55, 2]) {
      const saved = await notifications.appendNotification(
        notification({ ownerId, createdAt: base + offset * 1_000 }),
      );
      ids[offset] = saved.id;
    }
    for (let offset = 4; offset < 55; offset++) {
      const saved = await notifications.appendNotification(
        notification({ ownerId, createdAt: base + offset * 1_000 }),
      );
      ids[offset] = saved.id;
    }
    await notifications.appendNotification(notification({ createdAt: base + 60_000 })); // another owner
    const listed = await notifications.listNotifications({ ownerId });
    expect(listed).toHaveLength(50);
    expect(listed.map((n) => n.id)).toEqual(Array.from({ length: 50 }, (_, i) => ids[55 - i]));
    expect(listed.every((n) => n.ownerId === ownerId)).toBe(true);
    expect(await notifications.listNotifications({ ownerId: unique('nobody') })).toEqual([]);
  });

  ctx.test(NOTIFICATION_TESTS.filters, async () => {
    const ownerId = unique('owner');
    const connA = unique('conn');
    const connB = unique('conn');
    const base = Date.now() - 100_000;
    const { notifications } = ctx.storage();
    const a1 = await notifications.appendNotification(
      notification({ ownerId, connectionId: connA, severity: 'error', createdAt: base + 1_000 }),
    );
    const b2 = await notifications.appendNotification(
      notification({ ownerId, connectionId: connB, severity: 'warning', createdAt: base + 2_000 }),
    );
    const a3 = await notifications.appendNotification(
      notification({
        ownerId,
        connectionId: connA,
        severity: 'info',
        type: 'invoice.synced',
        createdAt: base + 3_000,
      }),
    );
    const a4 = await notifications.appendNotification(
      notification({ ownerId, connectionId: connA, severity: 'error', createdAt: base + 4_000 }),
    );
    const ids = (list: { id: string }[]) => list.map((n) => n.id);
    const list = (query: Omit<Parameters<typeof notifications.listNotifications>[0], 'ownerId'>) =>
      notifications.listNotifications({ ownerId, ...query });

    expect(ids(await list({ connectionId: connA }))).toEqual([a4.id, a3.id, a1.id]);
    expect(ids(await list({ severity: 'error' }))).toEqual([a4.id, a1.id]);
    expect(ids(await list({ connectionId: connA, severity: 'error' }))).toEqual([a4.id, a1.id]);
    expect(ids(await list({ since: base + 2_000 }))).toEqual([a4.id, a3.id, b2.id]);
    expect(ids(await list({ limit: 2 }))).toEqual([a4.id, a3.id]);
    expect(ids(await list({ severity: 'error', limit: 1 }))).toEqual([a4.id]);

    expect(await notifications.markNotificationsRead(ownerId, [a4.id, b2.id], Date.now())).toBe(2);
    expect(ids(await list({ unreadOnly: true }))).toEqual([a3.id, a1.id]);
    expect(ids(await list({ unreadOnly: true, severity: 'error' }))).toEqual([a1.id]);
    expect(ids(await list({ unreadOnly: false }))).toEqual([a4.id, a3.id, b2.id, a1.id]);
  });

  ctx.test(NOTIFICATION_TESTS.markRead, async () => {
    const ownerId = unique('owner');
    const { notifications } = ctx.storage();
    const mine = await notifications.appendNotification(notification({ ownerId }));
    const mine2 = await notifications.appendNotification(notification({ ownerId }));
    const theirs = await notifications.appendNotification(notification());
    const at = Date.now();

    // Another owner's id is ignored, not marked.
    expect(await notifications.markNotificationsRead(ownerId, [mine.id, theirs.id, unique('none')], at)).toBe(
      1,
    );
    const [other] = await ctx.instances(1);
    const listed = await other!.notifications.listNotifications({ ownerId });
    expect(listed.find((n) => n.id === mine.id)?.readAt).toBe(at);
    expect(listed.find((n) => n.id === mine2.id)?.readAt).toBeNull();
    const theirsNow = await other!.notifications.listNotifications({ ownerId: theirs.ownerId });
    expect(theirsNow[0]?.readAt).toBeNull();

    // Already read does not count again, and keeps its first readAt.
    expect(await notifications.markNotificationsRead(ownerId, [mine.id, mine2.id], at + 5_000)).toBe(1);
    const after = await notifications.listNotifications({ ownerId });
    expect(after.find((n) => n.id === mine.id)?.readAt).toBe(at);
    expect(after.find((n) => n.id === mine2.id)?.readAt).toBe(at + 5_000);
    expect(await notifications.markNotificationsRead(ownerId, [], at)).toBe(0);

    // Racing markRead calls never count one notification twice.
    const fresh = await Promise.all(
      Array.from({ length: 5 }, () => notifications.appendNotification(notification({ ownerId }))),
    );
    const freshIds = fresh.map((n) => n.id);
    const instances = [ctx.storage(), ...(await ctx.instances(3))];
    const counts = await Promise.all(
      instances.map((storage) => storage.notifications.markNotificationsRead(ownerId, freshIds, at)),
    );
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(freshIds.length);
  });

  ctx.test(NOTIFICATION_TESTS.repeatConcurrent, async () => {
    const ownerId = unique('owner');
    const createdAt = Date.now() - 60_000;
    const { notifications } = ctx.storage();
    const saved = await notifications.appendNotification(notification({ ownerId, createdAt }));
    const untouched = await notifications.appendNotification(notification({ ownerId, createdAt }));
    const instances = [ctx.storage(), ...(await ctx.instances(3))];
    // Out of order on purpose: the latest time wins, whichever call lands last.
    const results = await raceAcross(instances, CONCURRENCY, (storage, index) =>
      storage.notifications.recordRepeat(ownerId, saved.id, createdAt + 1_000 + ((index * 7) % CONCURRENCY)),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const counts = results.map((r) => (r.status === 'fulfilled' ? r.value?.occurrences : undefined));
    // Each call saw its own increment: the counts it returned are 2..21, each once.
    expect([...counts].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      Array.from({ length: CONCURRENCY }, (_, i) => i + 2),
    );
    const [other] = await ctx.instances(1);
    const listed = await other!.notifications.listNotifications({ ownerId });
    const stored = listed.find((n) => n.id === saved.id);
    expect(stored).toEqual({
      ...saved,
      occurrences: CONCURRENCY + 1,
      lastOccurredAt: createdAt + 1_000 + CONCURRENCY - 1,
    });
    expect(listed.find((n) => n.id === untouched.id)).toEqual(untouched);

    // An earlier time counts the occurrence but does not move lastOccurredAt back.
    const late = await notifications.recordRepeat(ownerId, saved.id, createdAt + 10);
    expect(late).toMatchObject({
      occurrences: CONCURRENCY + 2,
      lastOccurredAt: createdAt + 1_000 + CONCURRENCY - 1,
    });
  });

  ctx.test(NOTIFICATION_TESTS.repeatScoped, async () => {
    const ownerId = unique('owner');
    const { notifications } = ctx.storage();
    const mine = await notifications.appendNotification(notification({ ownerId }));
    const theirs = await notifications.appendNotification(notification());
    const at = mine.createdAt + 5_000;

    expect(await notifications.recordRepeat(ownerId, theirs.id, at)).toBeNull();
    expect(await notifications.recordRepeat(theirs.ownerId, mine.id, at)).toBeNull();
    expect(await notifications.recordRepeat(ownerId, unique('none'), at)).toBeNull();
    const [other] = await ctx.instances(1);
    expect(await other!.notifications.listNotifications({ ownerId: theirs.ownerId })).toEqual([theirs]);
    expect(await other!.notifications.listNotifications({ ownerId })).toEqual([mine]);

    const repeated = await notifications.recordRepeat(ownerId, mine.id, at);
    expect(repeated).toEqual({ ...mine, occurrences: 2, lastOccurredAt: at });
    // A repeat leaves the read mark alone, and a read notification still counts repeats.
    expect(await notifications.markNotificationsRead(ownerId, [mine.id], at)).toBe(1);
    expect(await notifications.recordRepeat(ownerId, mine.id, at + 1)).toEqual({
      ...mine,
      readAt: at,
      occurrences: 3,
      lastOccurredAt: at + 1,
    });
    expect(await other!.notifications.listNotifications({ ownerId })).toEqual([
      { ...mine, readAt: at, occurrences: 3, lastOccurredAt: at + 1 },
    ]);
  });
}
