import { createManualClock } from '@blueclerk/core';
import { describe, expect, it } from 'vitest';
import { useProviderHarness } from './test-support';

const start = useProviderHarness();

describe('QuickBooks pullChanges (CDC)', () => {
  it('delivers each change once, then nothing; picks up updates and deletes after the cursor', async () => {
    const clock = createManualClock(Date.UTC(2026, 2, 1, 12));
    const h = start({ clock });
    const pull = h.provider.pullChanges;
    if (!pull) throw new Error('pullChanges expected');
    const realm = h.sim.realm();
    const c = realm.create('Customer', { DisplayName: 'Acme' });
    const inv = realm.create('Invoice', {
      CustomerRef: { value: c.Id },
      Line: [{ DetailType: 'SalesItemLineDetail', Amount: 10 }],
    });

    const first = await pull(h.ctx, { entityType: 'invoice', cursor: null, since: clock.now() - 3600_000 });
    expect(first.changes).toMatchObject([
      { entityType: 'invoice', deleted: false, record: { providerId: inv.Id } },
    ]);
    expect(first.hasMore).toBe(false);
    const again = await pull(h.ctx, { entityType: 'invoice', cursor: first.nextCursor });
    expect(again.changes).toEqual([]);
    expect(again.nextCursor).toBe(first.nextCursor);

    clock.advance(5_000);
    realm.update('Invoice', inv.Id as string, { PrivateNote: 'edited in QuickBooks' });
    const updated = await pull(h.ctx, { entityType: 'invoice', cursor: again.nextCursor });
    expect(updated.changes).toMatchObject([{ deleted: false, record: { providerId: inv.Id, version: '1' } }]);

    clock.advance(5_000);
    realm.delete('Invoice', inv.Id as string);
    const deleted = await pull(h.ctx, { entityType: 'invoice', cursor: updated.nextCursor });
    expect(deleted.changes).toEqual([{ entityType: 'invoice', deleted: true, providerId: inv.Id }]);
  });

  it('reports hasMore when CDC answers its 1000-object maximum, and resumes after it', async () => {
    const clock = createManualClock(Date.UTC(2026, 2, 1, 12));
    const h = start({ clock });
    const pull = h.provider.pullChanges;
    if (!pull) throw new Error('pullChanges expected');
    const since = clock.now();
    for (let i = 0; i < 1003; i += 1) {
      clock.advance(1000);
      h.sim.realm().create('Customer', { DisplayName: `C${i}` });
    }
    const first = await pull(h.ctx, { entityType: 'customer', cursor: null, since });
    expect(first.changes).toHaveLength(1000);
    expect(first.hasMore).toBe(true);
    const rest = await pull(h.ctx, { entityType: 'customer', cursor: first.nextCursor });
    expect(
      rest.changes.map((c) =>
        c.deleted ? c.providerId : (c.record.data as { displayName: string }).displayName,
      ),
    ).toEqual(['C1000', 'C1001', 'C1002']);
    expect(rest.hasMore).toBe(false);
  });

  it('clamps a first pull to the 30-day CDC window instead of failing', async () => {
    const clock = createManualClock(Date.UTC(2026, 5, 1));
    const h = start({ clock });
    h.sim.realm().create('Customer', { DisplayName: 'Recent' });
    const result = await h.provider.pullChanges?.(h.ctx, { entityType: 'customer', cursor: null, since: 0 });
    expect(result?.changes).toHaveLength(1);
    expect(h.sim.stats().requestsByOperation['GET cdc']).toBe(1);
  });
});

describe('QuickBooks pullChanges beyond what one CDC answer holds', () => {
  it('delivers all 1,001 changes made within one second, then nothing', async () => {
    const clock = createManualClock(Date.UTC(2026, 2, 1, 12));
    const h = start({ clock });
    const pull = h.provider.pullChanges;
    if (!pull) throw new Error('pullChanges expected');
    const since = clock.now() - 60_000;
    // An import in QuickBooks: every record stamped with the same LastUpdatedTime second.
    for (let i = 0; i < 1001; i += 1) h.sim.realm().create('Customer', { DisplayName: `Same second ${i}` });
    const names = new Set<string>();
    let cursor: string | null = null;
    for (let round = 0; round < 5; round += 1) {
      const page = await pull(h.ctx, { entityType: 'customer', cursor, since });
      for (const change of page.changes) {
        if (!change.deleted) names.add((change.record.data as { displayName: string }).displayName);
      }
      cursor = page.nextCursor;
      if (!page.hasMore) break;
    }
    expect(names.size).toBe(1001);
    const after = await pull(h.ctx, { entityType: 'customer', cursor });
    expect(after.changes).toEqual([]);
    expect(after.hasMore).toBe(false);
  });

  it('includes customers made inactive when the cursor is older than the 30-day CDC window', async () => {
    const clock = createManualClock(Date.UTC(2026, 2, 1, 12));
    const h = start({ clock, sim: { accessTokenTtlSec: 3600 * 24 * 365 } });
    const pull = h.provider.pullChanges;
    if (!pull) throw new Error('pullChanges expected');
    const realm = h.sim.realm();
    const old = realm.create('Customer', { DisplayName: 'Gone quiet' });
    const first = await pull(h.ctx, { entityType: 'customer', cursor: null, since: clock.now() - 1000 });
    expect(first.changes).toHaveLength(1);
    clock.advance(40 * 24 * 3600 * 1000);
    realm.update('Customer', old.Id as string, { Active: false });
    const late = await pull(h.ctx, { entityType: 'customer', cursor: first.nextCursor });
    expect(h.sim.stats().requestsByOperation['GET query']).toBeGreaterThan(0);
    expect(late.changes).toMatchObject([
      { deleted: false, record: { providerId: old.Id, data: { active: false } } },
    ]);
  });
});
