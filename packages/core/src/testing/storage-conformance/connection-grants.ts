import { expect } from 'vitest';
import type { ConnectionPatch } from '../../storage/index';
import { expectValidationIssue, newConnection, type SuiteContext, sleep, unique } from './harness';
import { CONNECTION_TESTS } from './names';

/** Enough for distinct createdAt values on stores with millisecond (or coarser server) timestamps. */
const CREATE_GAP_MS = 15;

const ids = (list: { id: string }[]) => list.map((c) => c.id);

/**
 * One OAuth grant, several tenants: the grant's first connection holds the tokens, the others name it in `grantId`
 * (see `ConnectionRecord.grantId`). Plus the tenant look-up webhooks route by.
 */
export function defineConnectionGrantTests(ctx: SuiteContext): void {
  ctx.test(CONNECTION_TESTS.grant, async () => {
    const { connections } = ctx.storage();
    const [other] = await ctx.instances(1);
    const ownerId = unique('owner');
    const holder = await connections.createConnection(newConnection({ ownerId, provider: 'xero' }));
    expect(holder.grantId).toBeNull();
    await sleep(CREATE_GAP_MS);
    const first = await connections.createConnection(
      newConnection({ ownerId, provider: 'xero', tokens: null, grantId: holder.id }),
    );
    await sleep(CREATE_GAP_MS);
    const second = await other!.connections.createConnection(
      newConnection({ ownerId, provider: 'xero', tokens: null, grantId: holder.id }),
    );
    expect(first).toMatchObject({ grantId: holder.id, tokens: null, version: 1 });
    expect(await other!.connections.getConnection(first.id)).toEqual(first);
    // Another grant of the same owner and provider is not mixed in.
    const otherHolder = await connections.createConnection(newConnection({ ownerId, provider: 'xero' }));
    const otherMember = await connections.createConnection(
      newConnection({ ownerId, provider: 'xero', tokens: null, grantId: otherHolder.id }),
    );

    // The members, newest first; the holder itself is not one of them.
    expect(ids(await other!.connections.listConnections({ grantId: holder.id }))).toEqual([
      second.id,
      first.id,
    ]);
    expect(ids(await connections.listConnections({ grantId: otherHolder.id }))).toEqual([otherMember.id]);
    expect(ids(await connections.listConnections({ grantId: first.id }))).toEqual([]);
    expect(await connections.listConnections({ grantId: unique('missing') })).toEqual([]);
    expect(
      ids(
        await connections.listConnections({
          grantId: holder.id,
          ownerId,
          status: 'active',
          provider: 'xero',
        }),
      ),
    ).toEqual([second.id, first.id]);
    expect(await connections.listConnections({ grantId: holder.id, provider: 'quickbooks' })).toEqual([]);

    // Fixed at creation: a patch that tries to change it anyway (from plain JavaScript) changes everything else.
    const updated = await connections.updateConnection(
      first.id,
      { status: 'needs_reconnect', grantId: null } as ConnectionPatch,
      { expectedVersion: 1 },
    );
    expect(updated).toMatchObject({ grantId: holder.id, status: 'needs_reconnect', version: 2 });
    expect((await other!.connections.getConnection(first.id))?.grantId).toBe(holder.id);

    // Deleting the holder does not cascade (core removes or re-homes the members); a deleted member leaves the list.
    expect(await connections.deleteConnection(holder.id)).toBe(true);
    expect((await other!.connections.getConnection(first.id))?.grantId).toBe(holder.id);
    expect(ids(await other!.connections.listConnections({ grantId: holder.id }))).toEqual([
      second.id,
      first.id,
    ]);
    expect(await connections.deleteConnection(second.id)).toBe(true);
    expect(ids(await other!.connections.listConnections({ grantId: holder.id }))).toEqual([first.id]);
  });

  ctx.test(CONNECTION_TESTS.grantRefused, async () => {
    const { connections } = ctx.storage();
    const [other] = await ctx.instances(1);
    const ownerId = unique('owner');
    const holder = await connections.createConnection(newConnection({ ownerId, provider: 'xero' }));
    const foreignOwner = await connections.createConnection(newConnection({ provider: 'xero' }));
    const foreignProvider = await connections.createConnection(
      newConnection({ ownerId, provider: 'quickbooks' }),
    );
    const selfId = unique('conn');
    const refusals: Array<[string, string, string]> = [
      ['a missing connection', unique('conn'), unique('missing')],
      ['another owner', unique('conn'), foreignOwner.id],
      ['another provider', unique('conn'), foreignProvider.id],
      ['itself', selfId, selfId],
    ];
    for (const [what, id, grantId] of refusals) {
      await expectValidationIssue(
        connections.createConnection(newConnection({ id, ownerId, provider: 'xero', tokens: null, grantId })),
        'grantId',
      );
      expect(await other!.connections.getConnection(id), `grantId naming ${what}`).toBeNull();
    }
    for (const grantId of [holder.id, foreignOwner.id, foreignProvider.id, selfId]) {
      expect(await other!.connections.listConnections({ grantId })).toEqual([]);
    }
    expect(ids(await connections.listConnections({ ownerId, provider: 'xero' }))).toEqual([holder.id]);

    // An existing id is a conflict first, whatever the grant says.
    const { id } = holder;
    const taken = newConnection({ id, ownerId, provider: 'xero', grantId: unique('missing') });
    const error = await connections.createConnection(taken).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'conflict' });
  });

  ctx.test(CONNECTION_TESTS.tenantFilter, async () => {
    const { connections } = ctx.storage();
    const [other] = await ctx.instances(1);
    const tenantId = unique('realm');
    const qbo = await connections.createConnection(newConnection({ tenantId, provider: 'quickbooks' }));
    await sleep(CREATE_GAP_MS);
    // The same tenant id under another owner (two apps' accounts connected one company) and another provider.
    const sameTenant = await other!.connections.createConnection(
      newConnection({ tenantId, provider: 'quickbooks' }),
    );
    await sleep(CREATE_GAP_MS);
    const xero = await connections.createConnection(newConnection({ tenantId, provider: 'xero' }));
    await connections.createConnection(newConnection({ provider: 'quickbooks' })); // another tenant

    expect(ids(await other!.connections.listConnections({ tenantId }))).toEqual([
      xero.id,
      sameTenant.id,
      qbo.id,
    ]);
    expect(ids(await connections.listConnections({ tenantId, provider: 'quickbooks' }))).toEqual([
      sameTenant.id,
      qbo.id,
    ]);
    expect(ids(await connections.listConnections({ tenantId, ownerId: qbo.ownerId }))).toEqual([qbo.id]);
    expect(await connections.listConnections({ tenantId: unique('nobody') })).toEqual([]);

    // A connection without a tenant gets one at the callback; it can lose or change it later.
    const pending = await connections.createConnection(newConnection({ tenantId: null }));
    expect(await connections.listConnections({ tenantId })).toHaveLength(3);
    const joined = await other!.connections.updateConnection(
      pending.id,
      { tenantId },
      { expectedVersion: 1 },
    );
    expect(ids(await connections.listConnections({ tenantId }))[0]).toBe(pending.id);
    expect(ids(await connections.listConnections({ tenantId }))).toHaveLength(4);

    const movedTo = unique('realm');
    await connections.updateConnection(
      pending.id,
      { tenantId: movedTo },
      { expectedVersion: joined.version },
    );
    expect(ids(await other!.connections.listConnections({ tenantId }))).toEqual([
      xero.id,
      sameTenant.id,
      qbo.id,
    ]);
    expect(ids(await other!.connections.listConnections({ tenantId: movedTo }))).toEqual([pending.id]);

    await connections.updateConnection(qbo.id, { tenantId: null }, { expectedVersion: 1 });
    expect(ids(await other!.connections.listConnections({ tenantId }))).toEqual([xero.id, sameTenant.id]);

    expect(await other!.connections.deleteConnection(xero.id)).toBe(true);
    expect(await connections.deleteConnection(pending.id)).toBe(true);
    expect(ids(await connections.listConnections({ tenantId }))).toEqual([sameTenant.id]);
    expect(await connections.listConnections({ tenantId: movedTo })).toEqual([]);
  });
}
