import { expect } from 'vitest';
import { randomReference } from '../../runtime/ids';
import { codeOf, customerData, itemData, newInvoice, type ProviderSuite, unique } from './harness';

/** Customers, items and invoices: round trips, look-ups, paging, missing records, versions, voids. */
export function defineRecordClauses<THttp>(suite: ProviderSuite<THttp>): void {
  const { caps } = suite;

  suite.test('customers: create, get, update round trip', async (p, s) => {
    const name = unique('Conf Customer');
    const created = await p.customers.create(s.context, customerData(name, 'ada@conformance.test'));
    expect(created.providerId).toBeTruthy();
    const read = await p.customers.get(s.context, created.providerId);
    expect(read?.data).toMatchObject({ displayName: name, email: 'ada@conformance.test' });
    const updated = await p.customers.update(
      s.context,
      created.providerId,
      { ...customerData(name, 'ada@conformance.test'), notes: 'updated' },
      { version: read?.version ?? null },
    );
    expect(updated.providerId).toBe(created.providerId);
    expect((await p.customers.get(s.context, created.providerId))?.data.notes).toBe('updated');
  });

  suite.test('customers: findByEmail matches trimmed and case-insensitively', async (p, s) => {
    const email = `${randomReference(8).toLowerCase()}@conformance.test`;
    const created = await p.customers.create(s.context, customerData(unique('Conf Email'), email));
    const found = await p.customers.findByEmail(s.context, `  ${email.toUpperCase()} `);
    expect(found.map((r) => r.providerId)).toContain(created.providerId);
    expect(await p.customers.findByEmail(s.context, 'nobody-here@conformance.test')).toEqual([]);
  });

  suite.test('customers: paging with cursors reaches every record', async (p, s) => {
    const created = await p.customers.create(s.context, customerData(unique('Conf Paged'), null));
    const seen = new Set<string>();
    let cursor: string | null = null;
    for (let i = 0; i < 1000; i++) {
      const page = await p.customers.list(s.context, { cursor, pageSize: 2 });
      for (const r of page.records) seen.add(r.providerId);
      cursor = page.nextCursor;
      if (cursor === null) break;
    }
    expect(seen.has(created.providerId)).toBe(true);
  });

  suite.test('items: create, get, find by name and SKU, update', async (p, s) => {
    const name = unique('Conf Item');
    const sku = randomReference(10);
    const created = await p.items.create(s.context, itemData(s, name, sku));
    const read = await p.items.get(s.context, created.providerId);
    expect(read?.data).toMatchObject({ name, unitPrice: { amount: 2500 } });
    expect((await p.items.findByName(s.context, name.toUpperCase())).map((r) => r.providerId)).toContain(
      created.providerId,
    );
    if (s.itemsHaveSku !== false) {
      expect((await p.items.findBySku(s.context, sku)).map((r) => r.providerId)).toEqual([
        created.providerId,
      ]);
    }
    const updated = await p.items.update(
      s.context,
      created.providerId,
      { ...itemData(s, name, sku), description: 'changed' },
      { version: read?.version ?? null },
    );
    expect((await p.items.get(s.context, updated.providerId))?.data.description).toBe('changed');
  });

  suite.test('invoices: create computes totals; get, findByNumber and update round trip', async (p, s) => {
    const created = await newInvoice(p, s);
    expect(created.data.total.amount).toBe(3750);
    expect(created.data.balance.amount).toBe(3750);
    expect(created.data.lines[0]?.quantity).toBe(1.5);
    const number = created.data.number ?? '';
    expect((await p.invoices.findByNumber(s.context, number))?.providerId).toBe(created.providerId);
    expect(await p.invoices.findByNumber(s.context, 'NO-SUCH-NUMBER')).toBeNull();
    const updated = await p.invoices.update(
      s.context,
      created.providerId,
      { ...created.data, memo: 'Thank you' },
      { version: created.version },
    );
    expect((await p.invoices.get(s.context, updated.providerId))?.data.memo).toBe('Thank you');
  });

  suite.test('missing records: get returns null, update fails as not_found', async (p, s) => {
    expect(await p.customers.get(s.context, '999999999')).toBeNull();
    expect(await p.invoices.get(s.context, '999999999')).toBeNull();
    const code = await codeOf(
      p,
      p.customers.update(s.context, '999999999', customerData(unique('Ghost'), null), { version: '0' }),
    );
    expect(code).toBe('not_found');
  });

  if (caps.versionedUpdates) {
    suite.test('versioned updates: a stale version fails as conflict', async (p, s) => {
      const name = unique('Conf Version');
      const created = await p.customers.create(s.context, customerData(name, null));
      await p.customers.update(
        s.context,
        created.providerId,
        { ...customerData(name, null), notes: 'one' },
        { version: created.version },
      );
      const code = await codeOf(
        p,
        p.customers.update(
          s.context,
          created.providerId,
          { ...customerData(name, null), notes: 'two' },
          { version: created.version },
        ),
      );
      expect(code).toBe('conflict');
    });
  }

  if (caps.voidInvoices) {
    suite.test('invoices: void', async (p, s) => {
      const created = await newInvoice(p, s);
      const voidOp = p.invoices.void;
      expect(voidOp).toBeTypeOf('function');
      const voided = await voidOp?.(s.context, created.providerId, { version: created.version });
      expect(voided?.data.status).toBe('VOID');
    });
  }
}
