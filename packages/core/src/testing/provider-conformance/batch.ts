import { expect } from 'vitest';
import { BlueClerkError } from '../../errors/index';
import type { Customer } from '../../model/customer';
import type { BatchOperation } from '../../provider/batch';
import { customerData, itemData, type ProviderSuite, unique } from './harness';

/** The batch endpoint (registered only when `capabilities.batch` is non-null). */
export function defineBatchClauses<THttp>(suite: ProviderSuite<THttp>): void {
  const batch = suite.caps.batch;
  if (!batch) return;

  suite.test(
    'batch: partial success - good operations commit, a duplicate fails alone, ids map back',
    async (p, s) => {
      const run = p.batch;
      if (!run) throw new Error('capabilities.batch is set but the provider has no batch function');
      const takenName = unique('Conf Taken');
      const taken = await p.customers.create(s.context, customerData(takenName, null));
      const freshName = unique('Conf Batch');
      const otherName = unique('Conf Batch');
      const itemName = unique('Conf Batch Item');
      // Ids that are not positions, so a provider that answers by position must map them back.
      const all: BatchOperation[] = [
        { id: 'good-customer', entityType: 'customer', op: 'create', data: customerData(freshName, null) },
        { id: 'dup-customer', entityType: 'customer', op: 'create', data: customerData(takenName, null) },
        { id: 'good-item', entityType: 'item', op: 'create', data: itemData(s, itemName, null) },
        {
          id: 'good-update',
          entityType: 'customer',
          op: 'update',
          providerId: taken.providerId,
          version: taken.version,
          data: { ...customerData(takenName, null), notes: 'batched' },
        },
        { id: 'other-customer', entityType: 'customer', op: 'create', data: customerData(otherName, null) },
      ];
      const operations = all.slice(0, batch.maxOperations);

      const results = await run(s.context, operations);
      expect(results.map((r) => r.id).sort()).toEqual(operations.map((o) => o.id).sort());
      const byId = new Map(results.map((r) => [r.id, r]));

      const dup = byId.get('dup-customer');
      expect(dup?.ok, 'the duplicate fails').toBe(false);
      if (dup && !dup.ok) {
        expect(BlueClerkError.isInstance(dup.error), 'a core error').toBe(true);
        expect(dup.error.code).toBe('duplicate');
      }

      const expectedNames: Record<string, string> = {
        'good-customer': freshName,
        'other-customer': otherName,
        'good-update': takenName,
      };
      for (const op of operations) {
        if (op.id === 'dup-customer') continue;
        const result = byId.get(op.id);
        expect(result?.ok, `${op.id} succeeds next to the duplicate`).toBe(true);
        if (!result?.ok) continue;
        // Read back through the provider: the good records exist as sent.
        if (op.entityType === 'item') {
          expect((await p.items.get(s.context, result.record.providerId))?.data.name).toBe(itemName);
        } else {
          const stored = await p.customers.get(s.context, result.record.providerId);
          expect(stored?.data.displayName).toBe(expectedNames[op.id]);
          if (op.op === 'update') {
            expect(result.record.providerId).toBe(taken.providerId);
            expect(stored?.data.notes).toBe('batched');
          }
        }
      }

      // The refused create left no second customer of that name behind.
      const named: Customer[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 1000; page++) {
        const listed = await p.customers.list(s.context, { cursor });
        for (const r of listed.records) if (r.data.displayName === takenName) named.push(r.data);
        cursor = listed.nextCursor;
        if (cursor === null) break;
      }
      expect(named).toHaveLength(1);
    },
  );
}
