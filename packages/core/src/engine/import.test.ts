import { describe, expect, it } from 'vitest';
import type { Customer } from '../model/customer';
import type { Item } from '../model/item';
import { createFakeSyncSetup, type FakeSyncSetup } from '../testing/index';

const customer = (displayName: string, email: string | null): Customer => ({
  displayName,
  email,
  companyName: null,
  givenName: null,
  familyName: null,
  phone: null,
  billingAddress: null,
  shippingAddress: null,
  currency: null,
  notes: null,
  externalIds: {},
  active: true,
});

async function seedProviderCustomers(s: FakeSyncSetup) {
  const ctx = s.fake.context();
  for (const [name, email] of [
    ['Alpha', 'alpha@x.test'],
    ['Beta', 'Beta@X.test'],
    ['Gamma', null],
    ['Delta', 'delta@x.test'],
    ['Epsilon', 'eps@x.test'],
  ] as const) {
    await s.fake.provider.customers.create(ctx, customer(name, email));
  }
}

describe('customer import', () => {
  it('links customers with a matching email (trimmed, case-insensitive) and creates the rest, paged', async () => {
    const s = await createFakeSyncSetup();
    await seedProviderCustomers(s);
    const localBeta = s.host.addCustomer({ displayName: 'Beta Local', email: '  beta@x.TEST ' });

    const summary = await s.engine.importCustomers(s.connectionId);

    expect(summary).toMatchObject({
      created: 4,
      linked: 1,
      skipped: 0,
      failed: 0,
      processed: 5,
      complete: true,
    });
    expect(s.host.customers.size).toBe(5);
    const betaProvider = [...s.fake.store.customers.values()].find((c) => c.data.displayName === 'Beta');
    expect((await s.storage.links.findLinkByLocalId(s.connectionId, 'customer', localBeta))?.providerId).toBe(
      betaProvider?.providerId,
    );
    const progress = s.events.filter((e) => e.type === 'import.progress');
    expect(progress.map((e) => e.type === 'import.progress' && [e.processed, e.total])).toEqual([
      [2, 5],
      [4, 5],
      [5, 5],
    ]);

    const again = await s.engine.importCustomers(s.connectionId);
    expect(again).toMatchObject({ created: 0, linked: 0, skipped: 5, complete: true });
    expect(s.host.customers.size).toBe(5);
  });

  it('is resumable from the stored cursor', async () => {
    const s = await createFakeSyncSetup();
    await seedProviderCustomers(s);

    const part = await s.engine.importCustomers(s.connectionId, { maxPages: 1 });
    expect(part).toMatchObject({ processed: 2, created: 2, complete: false });

    const rest = await s.engine.importCustomers(s.connectionId);
    expect(rest).toMatchObject({ processed: 3, created: 3, complete: true });
    expect(s.fake.count('customers.list')).toBe(3);
    expect(s.host.customers.size).toBe(5);
  });

  it('does not duplicate when two provider customers share an email', async () => {
    const s = await createFakeSyncSetup();
    const ctx = s.fake.context();
    await s.fake.provider.customers.create(ctx, customer('Dup One', 'dup@x.test'));
    await s.fake.provider.customers.create(ctx, customer('Dup Two', 'DUP@x.test'));

    const summary = await s.engine.importCustomers(s.connectionId);

    expect(summary).toMatchObject({ created: 1, skipped: 1 });
    expect(s.host.customers.size).toBe(1);
  });

  it('counts and reports a failing record and carries on', async () => {
    const s = await createFakeSyncSetup();
    await seedProviderCustomers(s);
    s.host.failNext('createCustomer', new Error('db down'));

    const summary = await s.engine.importCustomers(s.connectionId);

    expect(summary).toMatchObject({ failed: 1, created: 4, complete: true });
    expect(summary.failures[0]?.failure.category).toBe('internal');
    expect(s.events.some((e) => e.type === 'sync.failed' && e.entityType === 'customer')).toBe(true);
  });
});

describe('item import', () => {
  it('maps accounts and tax codes, links by SKU, creates the rest', async () => {
    const s = await createFakeSyncSetup();
    const ctx = s.fake.context();
    const item = (name: string, sku: string | null): Item => ({
      name,
      sku,
      description: null,
      unitPrice: { amount: 1250, currency: 'USD' },
      incomeAccount: { id: '79', code: '4000', name: 'Sales' },
      taxable: true,
      taxCode: { id: 'TAX', name: 'Sales tax', ratePercent: '8.25' },
      type: 'service',
      active: true,
    });
    await s.fake.provider.items.create(ctx, item('Filter', 'F-1'));
    await s.fake.provider.items.create(ctx, item('Valve', 'V-9'));
    await s.fake.provider.items.create(ctx, item('Pump', null));
    const localValve = s.host.addItem({ name: 'Valve (ours)', sku: 'V-9' });

    const summary = await s.engine.importItems(s.connectionId, {
      mapIncomeAccount: (account) =>
        account?.code === '4000' ? { id: 'local-sales', code: '4000', name: 'Sales' } : null,
      mapTaxCode: (tax) => (tax ? { id: 'local-tax', name: tax.name, ratePercent: tax.ratePercent } : null),
    });

    expect(summary).toMatchObject({ created: 2, linked: 1, failed: 0, complete: true });
    const created = [...s.host.items.values()].filter((i) => i.name !== 'Valve (ours)');
    expect(created.map((i) => i.incomeAccount?.id)).toEqual(['local-sales', 'local-sales']);
    expect(created.map((i) => i.taxCode?.id)).toEqual(['local-tax', 'local-tax']);
    expect(await s.storage.links.findLinkByLocalId(s.connectionId, 'item', localValve)).not.toBeNull();
  });
});
