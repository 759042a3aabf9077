import { expect } from 'vitest';
import type { ProviderChange, PullChangesResult } from '../../provider/changes';
import type { AccountingProvider } from '../../provider/spec';
import { customerData, itemData, newInvoice, type ProviderSuite, required, unique } from './harness';
import type { ProviderConformanceSetup } from './setup';

type PulledType = 'customer' | 'item' | 'invoice';

/** How the clause writes one entity type and recognises its writes in what a pull delivers. */
interface PullKit {
  create<THttp>(p: AccountingProvider<THttp>, s: ProviderConformanceSetup<THttp>): Promise<string>;
  /** Re-reads the record and updates it with `marker` in a free-text field. */
  mark<THttp>(
    p: AccountingProvider<THttp>,
    s: ProviderConformanceSetup<THttp>,
    id: string,
    marker: string,
  ): Promise<void>;
}

const KITS: Record<PulledType, PullKit> = {
  customer: {
    create: async (p, s) =>
      (await p.customers.create(s.context, customerData(unique('Conf Pull'), null))).providerId,
    async mark(p, s, id, marker) {
      const read = await p.customers.get(s.context, id);
      if (!read) throw new Error(`customer ${id} vanished`);
      await p.customers.update(s.context, id, { ...read.data, notes: marker }, { version: read.version });
    },
  },
  item: {
    create: async (p, s) =>
      (await p.items.create(s.context, itemData(s, unique('Conf Pull'), null))).providerId,
    async mark(p, s, id, marker) {
      const read = await p.items.get(s.context, id);
      if (!read) throw new Error(`item ${id} vanished`);
      await p.items.update(s.context, id, { ...read.data, description: marker }, { version: read.version });
    },
  },
  invoice: {
    create: async (p, s) => (await newInvoice(p, s)).providerId,
    async mark(p, s, id, marker) {
      const read = await p.invoices.get(s.context, id);
      if (!read) throw new Error(`invoice ${id} vanished`);
      await p.invoices.update(s.context, id, { ...read.data, memo: marker }, { version: read.version });
    },
  },
};

function markerOf(change: ProviderChange): string | null {
  if (change.deleted) return null;
  if (change.entityType === 'customer') return change.record.data.notes;
  if (change.entityType === 'item') return change.record.data.description;
  if (change.entityType === 'invoice') return change.record.data.memo;
  return null;
}

/** A delivery's identity: the same state of the same record delivered twice is a re-delivery, nothing new. */
function deliveryKey(change: ProviderChange): string {
  if (change.deleted) return `deleted:${change.providerId}`;
  const { providerId, version, updatedAt } = change.record;
  return `${providerId}|${version ?? ''}|${updatedAt ?? ''}|${markerOf(change) ?? ''}`;
}

const MAX_ROUNDS = 100;

/** `pullChanges` (registered when the provider pulls customers, invoices or items). */
export function definePullClauses<THttp>(suite: ProviderSuite<THttp>): void {
  const covered = suite.caps.incrementalPull.entities;
  const entityType = (['customer', 'invoice', 'item'] as const).find((e) => covered.includes(e));
  if (!suite.probe.pullChanges || !entityType) return;
  const kit = KITS[entityType];

  suite.test(
    `pullChanges: rounds across pages and cursors never skip a ${entityType} change`,
    async (p, s) => {
      const pull = p.pullChanges;
      if (!pull) throw new Error('the provider has no pullChanges');
      const fixture = required(s.pulls, 'pulls (page size) for the pull clause');
      /** Records written, with the marker their latest write set (null: any delivery will do). */
      const wanted = new Map<string, string | null>();
      const delivered: Array<{ providerId: string; marker: string | null }> = [];
      const keys = new Set<string>();
      const take = (result: PullChangesResult) => {
        expect(result.nextCursor).toBeTypeOf('string');
        for (const change of result.changes) {
          expect(change.entityType).toBe(entityType);
          keys.add(deliveryKey(change));
          const providerId = change.deleted ? change.providerId : change.record.providerId;
          delivered.push({ providerId, marker: markerOf(change) });
        }
      };
      const undelivered = () =>
        [...wanted].filter(
          ([id, marker]) =>
            !delivered.some((d) => d.providerId === id && (marker === null || d.marker === marker)),
        );
      const create = async () => {
        const id = await kit.create(p, s);
        wanted.set(id, null);
        return id;
      };
      const mark = async (id: string, marker: string) => {
        await kit.mark(p, s, id, marker);
        wanted.set(id, marker);
      };
      /** Pulls from `cursor` until the provider says nothing more is waiting; returns the final cursor. */
      const drain = async (from: string) => {
        let cursor = from;
        for (let round = 0; round < MAX_ROUNDS; round++) {
          const result = await pull(s.context, { entityType, cursor });
          take(result);
          cursor = result.nextCursor;
          if (!result.hasMore) return cursor;
        }
        throw new Error(`pullChanges still reported hasMore after ${MAX_ROUNDS} rounds`);
      };

      // More than one page is waiting before the first pull.
      const count = fixture.pageSize + 1;
      const initial: string[] = [];
      if (fixture.createExternally) initial.push(...(await fixture.createExternally(entityType, count)));
      else for (let i = 0; i < count; i++) initial.push(await kit.create(p, s));
      expect(initial).toHaveLength(count);
      for (const id of initial) wanted.set(id, null);

      const first = await pull(s.context, { entityType, cursor: null });
      expect(first.changes.length, 'a pull returns at most the declared page').toBeLessThanOrEqual(
        fixture.pageSize,
      );
      expect(first.hasMore, 'more than a page was waiting').toBe(true);
      take(first);

      // Between rounds, records change: one already delivered, one probably not yet, and new ones appear.
      await mark(initial[0] as string, 'round-1');
      const added = await create();
      const second = await pull(s.context, { entityType, cursor: first.nextCursor });
      take(second);
      await mark(initial.at(-1) as string, 'round-2');
      await mark(added, 'round-2');
      await create();
      const cursor = await drain(second.nextCursor);
      expect(undelivered(), 'writes never delivered').toEqual([]);

      // From the final cursor, with nothing changed: nothing new (re-delivering the same state is allowed).
      const quiet = await pull(s.context, { entityType, cursor });
      expect(quiet.hasMore).toBe(false);
      expect(
        quiet.changes.map(deliveryKey).filter((key) => !keys.has(key)),
        'new deliveries',
      ).toEqual([]);

      // And nothing after the cursor is lost.
      wanted.clear();
      await create();
      await drain(quiet.nextCursor);
      expect(undelivered(), 'a change made after the cursor').toEqual([]);
    },
  );
}
