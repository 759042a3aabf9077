import { expect } from 'vitest';
import {
  expectErrorCode,
  LONG_TTL_MS,
  newConnection,
  type SuiteContext,
  sealedTokens,
  unique,
} from './harness';
import { RAW_TESTS } from './names';

/**
 * Checks through the backing store itself, not only through the adapter's own getters (as Auth.js's adapter suite
 * does): a store whose getters read from a cache, or that re-encodes envelopes, would pass the other tests.
 * Only registered when the adapter passes `rawSnapshot`.
 */
export function defineRawTests(ctx: SuiteContext, rawSnapshot: () => Promise<string>): void {
  ctx.test(RAW_TESTS.envelopesVerbatim, async () => {
    const { connections } = ctx.storage();
    const created = await connections.createConnection(newConnection());
    const tokens = created.tokens!;
    let raw = await rawSnapshot();
    expect(raw).toContain(tokens.accessToken);
    expect(raw).toContain(tokens.refreshToken!);

    const rotated = sealedTokens();
    await connections.updateConnection(created.id, { tokens: rotated }, { expectedVersion: 1 });
    raw = await rawSnapshot();
    expect(raw).toContain(rotated.accessToken);
    expect(raw).toContain(rotated.refreshToken!);
    expect(raw).not.toContain(tokens.accessToken);

    await connections.deleteConnection(created.id);
    raw = await rawSnapshot();
    expect(raw).not.toContain(rotated.accessToken);
    expect(raw).not.toContain(rotated.refreshToken!);
    expect(raw).not.toContain(created.id);
  });

  ctx.test(RAW_TESTS.writesReachStore, async () => {
    const storage = ctx.storage();
    const connection = await storage.connections.createConnection(newConnection());
    const providerId = unique('qbo-provider-id');
    await storage.links.upsertLink({
      connectionId: connection.id,
      entityType: 'invoice',
      localId: unique('inv'),
      providerId,
      providerVersion: null,
      contentHash: null,
      lastSyncedAt: Date.now(),
    });
    const cursor = unique('cursor-value');
    await storage.syncState.setCursor(connection.id, 'invoice', cursor);
    const requestId = unique('request-id');
    await storage.ledger.claim({
      key: unique('ledger-key'),
      connectionId: connection.id,
      operation: 'invoice.create',
      requestId,
      reference: unique('ref'),
      ttlMs: LONG_TTL_MS,
    });
    const message = unique('notification-message');
    await storage.notifications.appendNotification({
      ownerId: connection.ownerId,
      connectionId: connection.id,
      type: 'sync.failed',
      severity: 'warning',
      category: null,
      entityType: null,
      localId: null,
      message,
      action: null,
      data: {},
    });
    const lockKey = unique('lock-key');
    await storage.locks.acquireLease(lockKey, { ttlMs: LONG_TTL_MS });

    const raw = await rawSnapshot();
    for (const written of [
      connection.id,
      connection.ownerId,
      providerId,
      cursor,
      requestId,
      message,
      lockKey,
    ]) {
      expect(raw, `expected the backing store to contain ${written}`).toContain(written);
    }
  });

  ctx.test(RAW_TESTS.refusedWritesLeaveNoTrace, async () => {
    const { connections } = ctx.storage();
    const created = await connections.createConnection(newConnection());
    await connections.updateConnection(created.id, { status: 'active' }, { expectedVersion: 1 });
    const refused = sealedTokens();
    await expectErrorCode(
      connections.updateConnection(created.id, { tokens: refused }, { expectedVersion: 1 }),
      'conflict',
    );
    const fenceKey = unique('lock');
    const lease = (await ctx.storage().locks.acquireLease(fenceKey, { ttlMs: LONG_TTL_MS }))!;
    const fencedOut = sealedTokens();
    // A fence older than the one granted counts as taken over.
    await expectErrorCode(
      connections.updateConnection(
        created.id,
        { tokens: fencedOut },
        { expectedVersion: 2, fence: { key: fenceKey, fence: lease.fence - 1 } },
      ),
      'lease_lost',
    );
    const duplicate = sealedTokens();
    await expectErrorCode(
      connections.createConnection(newConnection({ id: created.id, tokens: duplicate })),
      'conflict',
    );
    const raw = await rawSnapshot();
    for (const tokens of [refused, fencedOut, duplicate]) {
      expect(raw).not.toContain(tokens.accessToken);
      expect(raw).not.toContain(tokens.refreshToken!);
    }
    expect(raw).toContain(created.tokens!.accessToken);
  });

  ctx.test(RAW_TESTS.settingsStored, async () => {
    const { connections } = ctx.storage();
    const account = unique('income-account');
    const holder = await connections.createConnection(
      newConnection({ settings: { incomeAccountId: account } }),
    );
    const memberAccount = unique('member-account');
    const member = await connections.createConnection(
      newConnection({
        ownerId: holder.ownerId,
        provider: holder.provider,
        tokens: null,
        grantId: holder.id,
        settings: { incomeAccountId: memberAccount },
      }),
    );
    let raw = await rawSnapshot();
    expect(raw).toContain(account);
    expect(raw).toContain(memberAccount);

    const replaced = unique('replaced-account');
    await connections.updateConnection(
      holder.id,
      { settings: { incomeAccountId: replaced } },
      { expectedVersion: 1 },
    );
    const refused = unique('refused-account');
    await expectErrorCode(
      connections.updateConnection(
        holder.id,
        { settings: { incomeAccountId: refused } },
        { expectedVersion: 1 },
      ),
      'conflict',
    );
    raw = await rawSnapshot();
    expect(raw).toContain(replaced);
    expect(raw).not.toContain(account);
    expect(raw).not.toContain(refused);

    // With the holder gone, its id is still in the store: the member's grantId keeps it.
    await connections.deleteConnection(holder.id);
    raw = await rawSnapshot();
    expect(raw).not.toContain(replaced);
    expect(raw).toContain(holder.id);
    await connections.deleteConnection(member.id);
    raw = await rawSnapshot();
    expect(raw).not.toContain(memberAccount);
    expect(raw).not.toContain(holder.id);
  });
}
