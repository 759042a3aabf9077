import { expect } from 'vitest';
import { expectValidationIssue, newConnection, type SuiteContext, unique } from './harness';
import { CONNECTION_TESTS, NOTIFICATION_TESTS } from './names';

/** Owner ids a caller may pass by mistake (an unauthenticated request, a missing session field). */
const MISSING_OWNERS: unknown[] = [undefined, null, '', '   ', 42];

export function defineOwnerScopeTests(ctx: SuiteContext): void {
  ctx.test(CONNECTION_TESTS.ownerRequired, async () => {
    const { connections } = ctx.storage();
    const mine = await connections.createConnection(newConnection({ ownerId: unique('owner') }));
    await connections.createConnection(newConnection({ ownerId: unique('owner') }));
    for (const ownerId of MISSING_OWNERS) {
      await expectValidationIssue(connections.listConnections({ ownerId } as { ownerId: string }), 'ownerId');
    }
    // Leaving the owner out on purpose is still a scan (internal jobs), and a real owner still filters.
    expect((await connections.listConnections({ ownerId: mine.ownerId })).map((c) => c.id)).toEqual([
      mine.id,
    ]);
  });

  ctx.test(NOTIFICATION_TESTS.ownerRequired, async () => {
    const { notifications } = ctx.storage();
    const ownerId = unique('owner');
    const stored = await notifications.appendNotification({
      ownerId,
      connectionId: null,
      type: 'sync.failed',
      severity: 'error',
      category: 'validation',
      entityType: null,
      localId: null,
      message: 'failed',
      action: null,
      data: {},
    });
    for (const missing of MISSING_OWNERS) {
      const owner = missing as string;
      await expectValidationIssue(notifications.listNotifications({ ownerId: owner }), 'ownerId');
      await expectValidationIssue(
        notifications.markNotificationsRead(owner, [stored.id], Date.now()),
        'ownerId',
      );
      await expectValidationIssue(notifications.recordRepeat(owner, stored.id, Date.now()), 'ownerId');
    }
    const [listed] = await notifications.listNotifications({ ownerId });
    expect(listed).toMatchObject({ id: stored.id, readAt: null, occurrences: 1 });
  });
}
