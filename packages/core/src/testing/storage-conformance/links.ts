import { expect } from 'vitest';
import type { EntityLink } from '../../storage/index';
import { CONCURRENCY, expectErrorCode, raceAcross, type SuiteContext, unique } from './harness';
import { LINK_TESTS } from './names';

function link(overrides: Partial<EntityLink> = {}): EntityLink {
  return {
    connectionId: unique('conn'),
    entityType: 'customer',
    localId: unique('cust'),
    providerId: unique('qbo'),
    providerVersion: '0',
    contentHash: 'sha256:abc',
    lastSyncedAt: Date.now(),
    ...overrides,
  };
}

export function defineLinkTests(ctx: SuiteContext): void {
  ctx.test(LINK_TESTS.lookups, async () => {
    const input = link();
    const saved = await ctx.storage().links.upsertLink(input);
    expect(saved).toEqual(input);
    const [other] = await ctx.instances(1);
    expect(await other!.links.findLinkByLocalId(input.connectionId, 'customer', input.localId)).toEqual(
      input,
    );
    expect(await other!.links.findLinkByProviderId(input.connectionId, 'customer', input.providerId)).toEqual(
      input,
    );
    expect(await other!.links.findLinkByLocalId(input.connectionId, 'customer', unique('none'))).toBeNull();
    expect(
      await other!.links.findLinkByProviderId(input.connectionId, 'customer', unique('none')),
    ).toBeNull();
    const nulls = link({ providerVersion: null, contentHash: null });
    await ctx.storage().links.upsertLink(nulls);
    expect(await other!.links.findLinkByLocalId(nulls.connectionId, 'customer', nulls.localId)).toEqual(
      nulls,
    );
  });

  ctx.test(LINK_TESTS.replace, async () => {
    const { links } = ctx.storage();
    const first = link();
    await links.upsertLink(first);
    const updated = {
      ...first,
      providerVersion: '1',
      contentHash: 'sha256:def',
      lastSyncedAt: first.lastSyncedAt + 1,
    };
    expect(await links.upsertLink(updated)).toEqual(updated);
    expect(await links.findLinkByLocalId(first.connectionId, 'customer', first.localId)).toEqual(updated);

    const relinked = { ...updated, providerId: unique('qbo') };
    await links.upsertLink(relinked);
    expect(await links.findLinkByProviderId(first.connectionId, 'customer', relinked.providerId)).toEqual(
      relinked,
    );
    expect(await links.findLinkByProviderId(first.connectionId, 'customer', first.providerId)).toBeNull();
    // The freed provider id can now be linked to another local record.
    const other = link({ connectionId: first.connectionId, providerId: first.providerId });
    expect(await links.upsertLink(other)).toEqual(other);
  });

  ctx.test(LINK_TESTS.providerConflict, async () => {
    const { links } = ctx.storage();
    const first = link();
    await links.upsertLink(first);
    const clash = link({ connectionId: first.connectionId, providerId: first.providerId });
    await expectErrorCode(links.upsertLink(clash), 'conflict');
    expect(await links.findLinkByLocalId(first.connectionId, 'customer', clash.localId)).toBeNull();
    expect(await links.findLinkByProviderId(first.connectionId, 'customer', first.providerId)).toEqual(first);

    // Twenty local records racing to link the same provider record: one link wins, the rest conflict.
    const providerId = unique('qbo');
    const connectionId = first.connectionId;
    const racers = Array.from({ length: CONCURRENCY }, () => link({ connectionId, providerId }));
    const instances = [ctx.storage(), ...(await ctx.instances(3))];
    const results = await raceAcross(instances, CONCURRENCY, (storage, index) =>
      storage.links.upsertLink(racers[index]!),
    );
    const winners = results.flatMap((r, index) => (r.status === 'fulfilled' ? [racers[index]!] : []));
    expect(winners).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') await expectErrorCode(Promise.reject(result.reason), 'conflict');
    }
    expect(await links.findLinkByProviderId(connectionId, 'customer', providerId)).toEqual(winners[0]);
    for (const racer of racers) {
      if (racer !== winners[0]) {
        expect(await links.findLinkByLocalId(connectionId, 'customer', racer.localId)).toBeNull();
      }
    }
  });

  ctx.test(LINK_TESTS.scoped, async () => {
    const { links } = ctx.storage();
    const base = link();
    // Same local and provider ids under another entity type and another connection are different links.
    const asInvoice = { ...base, entityType: 'invoice' as const, providerVersion: '3' };
    const otherConnection = { ...base, connectionId: unique('conn'), providerVersion: '4' };
    await links.upsertLink(base);
    await links.upsertLink(asInvoice);
    await links.upsertLink(otherConnection);
    expect(await links.findLinkByLocalId(base.connectionId, 'customer', base.localId)).toEqual(base);
    expect(await links.findLinkByLocalId(base.connectionId, 'invoice', base.localId)).toEqual(asInvoice);
    expect(
      await links.findLinkByProviderId(otherConnection.connectionId, 'customer', base.providerId),
    ).toEqual(otherConnection);
    expect(await links.findLinkByLocalId(base.connectionId, 'payment', base.localId)).toBeNull();
  });

  ctx.test(LINK_TESTS.delete, async () => {
    const { links } = ctx.storage();
    const input = link();
    await links.upsertLink(input);
    expect(await links.deleteLink(input.connectionId, 'customer', input.localId)).toBe(true);
    expect(await links.findLinkByLocalId(input.connectionId, 'customer', input.localId)).toBeNull();
    expect(await links.findLinkByProviderId(input.connectionId, 'customer', input.providerId)).toBeNull();
    expect(await links.deleteLink(input.connectionId, 'customer', input.localId)).toBe(false);
    // The provider id is free again.
    const again = link({ connectionId: input.connectionId, providerId: input.providerId });
    expect(await links.upsertLink(again)).toEqual(again);
  });
}
