import { expect } from 'vitest';
import { newConnection, type SuiteContext, sealedTokens } from './harness';
import { CONNECTION_TESTS } from './names';

/**
 * `SealedTokens.accessTokenIssuedAt` (the access token's issue time, which caps the refresh-ahead window) is optional:
 * records written before it existed have none and must still read back, and a new one must survive the round trip.
 */
export function defineTokenFieldTests(ctx: SuiteContext): void {
  ctx.test(CONNECTION_TESTS.accessTokenIssuedAt, async () => {
    const { connections } = ctx.storage();
    const [other] = await ctx.instances(1);
    const issuedAt = Date.now() - 1_000;
    const withIssueTime = sealedTokens({ accessTokenIssuedAt: issuedAt });
    const created = await connections.createConnection(newConnection({ tokens: withIssueTime }));
    expect((await other!.connections.getConnection(created.id))?.tokens).toEqual(withIssueTime);

    // An update without it (a set sealed by an older SDK) clears it: it described the replaced access token.
    const without = sealedTokens();
    await connections.updateConnection(created.id, { tokens: without }, { expectedVersion: 1 });
    const read = await other!.connections.getConnection(created.id);
    expect(read?.tokens).toEqual(without);
    expect(read?.tokens && 'accessTokenIssuedAt' in read.tokens).toBe(false);

    const again = sealedTokens({ accessTokenIssuedAt: issuedAt + 5 });
    await connections.updateConnection(created.id, { tokens: again }, { expectedVersion: 2 });
    expect((await other!.connections.getConnection(created.id))?.tokens?.accessTokenIssuedAt).toBe(
      issuedAt + 5,
    );
  });
}
