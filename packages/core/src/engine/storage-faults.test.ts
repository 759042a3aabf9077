import { describe, expect, it } from 'vitest';
import { StorageError } from '../errors/index';
import { syncFailureSeverity, syncFailureTitle } from '../notifications/messages';
import type { BlueClerkStorage } from '../storage/storage';
import { createFakeSyncSetup, type FakeSyncSetup } from '../testing/index';
import { createSyncEngine, type SyncEngine } from './engine';
import { paymentLedgerKey } from './payment-sync';

// What the app's own storage failing does to a sync, through the public engine API. The storage wrapper fails one
// chosen method a given number of times, with the StorageError every adapter throws for an outage.

type Store = Exclude<keyof BlueClerkStorage, 'close'>;

interface Breakable {
  storage: BlueClerkStorage;
  /** Fails the next `times` calls of `store.method`. */
  failNext(store: Store, method: string, times?: number): void;
}

function breakable(inner: BlueClerkStorage): Breakable {
  const failures = new Map<string, number>();
  const wrap = <T extends object>(name: Store, store: T): T =>
    new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const key = `${name}.${String(property)}`;
          const left = failures.get(key) ?? 0;
          if (left > 0) {
            failures.set(key, left - 1);
            return Promise.reject(
              new StorageError(String(property), `Storage unavailable during ${String(property)}`),
            );
          }
          return value.apply(target, args);
        };
      },
    });
  return {
    storage: {
      connections: wrap('connections', inner.connections),
      locks: wrap('locks', inner.locks),
      ledger: wrap('ledger', inner.ledger),
      links: wrap('links', inner.links),
      notifications: wrap('notifications', inner.notifications),
      syncState: wrap('syncState', inner.syncState),
      close: () => inner.close(),
    },
    failNext(store, method, times = 1) {
      failures.set(`${store}.${method}`, times);
    },
  };
}

/** An engine like the setup's, on a storage that can be made to fail. */
function engineOn(s: FakeSyncSetup, storage: BlueClerkStorage): SyncEngine {
  return createSyncEngine<unknown>({
    providers: { [s.fake.provider.id]: s.fake.provider },
    storage,
    host: s.host,
    clock: s.clock,
    events: { emit: (event) => s.events.push(event), subscribe: () => () => {} },
    contextFor: (c) => ({ connectionId: c.id, tenantId: c.tenantId ?? '', http: null }),
  });
}

async function invoiceWithPayment(s: FakeSyncSetup, engine: SyncEngine) {
  const customerId = s.host.addCustomer({ displayName: 'Acme', email: 'a@acme.test' });
  const invoiceId = s.host.addInvoice({
    number: 'INV-12',
    customer: { id: customerId },
    issueDate: '2026-01-05',
    status: 'SENT',
    currency: 'USD',
    lines: [
      {
        quantity: 1,
        unitPrice: { amount: 10000, currency: 'USD' },
        amount: { amount: 10000, currency: 'USD' },
      },
    ],
    total: { amount: 10000, currency: 'USD' },
    balance: { amount: 10000, currency: 'USD' },
  });
  expect((await engine.syncInvoice(s.connectionId, invoiceId, { pushPayments: false })).status).toBe(
    'synced',
  );
  const paymentId = s.host.addPayment({
    amount: { amount: 4000, currency: 'USD' },
    date: '2026-01-09',
    method: 'check',
    reference: 'CHK-12',
    invoice: { id: invoiceId },
  });
  return { invoiceId, paymentId };
}

const failedEvents = (s: FakeSyncSetup) => s.events.filter((event) => event.type === 'sync.failed');

describe('a storage failure after the provider accepted a payment', () => {
  it('is reported as pending, never failed, and the next sync records it without posting again', async () => {
    const s = await createFakeSyncSetup();
    const db = breakable(s.storage);
    const engine = engineOn(s, db.storage);
    const { paymentId } = await invoiceWithPayment(s, engine);
    db.failNext('ledger', 'completeClaim');
    const failedBefore = failedEvents(s).length;

    const first = await engine.syncPayment(s.connectionId, paymentId);

    expect(first.status).toBe('pending');
    if (first.status !== 'pending') return;
    expect(s.fake.store.payments.size).toBe(1);
    expect(first.providerId).toBe([...s.fake.store.payments.keys()][0]);
    expect(first.failure).toMatchObject({ category: 'storage_unavailable', code: 'storage_unavailable' });
    expect(first.failure.action).toMatch(/Do not enter it by hand/);
    // Nothing tells a person it failed.
    expect(failedEvents(s).length).toBe(failedBefore);

    const second = await engine.syncPayment(s.connectionId, paymentId);

    expect(second).toMatchObject({ status: 'synced', providerId: first.providerId, action: 'recovered' });
    expect(s.fake.count('payments.create')).toBe(1);
    expect(s.fake.store.payments.size).toBe(1);
    const entry = await s.storage.ledger.getEntry(paymentLedgerKey(s.connectionId, paymentId));
    expect(entry).toMatchObject({ status: 'succeeded', providerId: first.providerId });
    expect((await s.storage.links.findLinkByLocalId(s.connectionId, 'payment', paymentId))?.providerId).toBe(
      first.providerId,
    );
    expect(await engine.syncPayment(s.connectionId, paymentId)).toMatchObject({ status: 'already_synced' });
  });

  it('is settled by another worker once the claim expires, by look-up, without a second post', async () => {
    const s = await createFakeSyncSetup();
    const db = breakable(s.storage);
    const engine = engineOn(s, db.storage);
    const { paymentId } = await invoiceWithPayment(s, engine);
    db.failNext('ledger', 'completeClaim');
    const first = await engine.syncPayment(s.connectionId, paymentId);
    expect(first.status).toBe('pending');

    // The process that posted is gone; another one sees the claim held, then recovers it after the ttl.
    const other = s.createWorker();
    expect(await other.syncPayment(s.connectionId, paymentId)).toMatchObject({ status: 'in_progress' });
    s.clock.advance(151_000);
    const settled = await other.syncPayment(s.connectionId, paymentId);

    expect(settled).toMatchObject({ status: 'synced', action: 'recovered' });
    expect(settled.status === 'synced' && settled.providerId).toBe(
      first.status === 'pending' && first.providerId,
    );
    expect(s.fake.count('payments.create')).toBe(1);
    expect(s.fake.store.payments.size).toBe(1);
  });

  it('is pending when only the link write fails; the next sync answers from the ledger and stores the link', async () => {
    const s = await createFakeSyncSetup();
    const db = breakable(s.storage);
    const engine = engineOn(s, db.storage);
    const { paymentId } = await invoiceWithPayment(s, engine);
    db.failNext('links', 'upsertLink');

    const first = await engine.syncPayment(s.connectionId, paymentId);
    expect(first).toMatchObject({ status: 'pending', failure: { category: 'storage_unavailable' } });

    const second = await engine.syncPayment(s.connectionId, paymentId);
    expect(second).toMatchObject({ status: 'already_synced' });
    expect(s.fake.count('payments.create')).toBe(1);
    expect((await s.storage.links.findLinkByLocalId(s.connectionId, 'payment', paymentId))?.providerId).toBe(
      first.status === 'pending' ? first.providerId : '',
    );
  });
});

describe('a storage failure before the provider call', () => {
  it('is a plain failure that says storage, not the provider, and not an unknown outcome; the retry posts once', async () => {
    const s = await createFakeSyncSetup();
    const engine = s.engine;
    const { paymentId } = await invoiceWithPayment(s, engine);
    // What the token read in the HTTP layer throws when the store is down: the request never leaves.
    s.fake.failNext(
      'payments.create',
      new StorageError('getConnection', 'PostgreSQL storage unavailable during getConnection'),
    );

    const first = await engine.syncPayment(s.connectionId, paymentId);

    expect(first.status).toBe('failed');
    if (first.status !== 'failed') return;
    expect(first.failure).toMatchObject({
      category: 'storage_unavailable',
      code: 'storage_unavailable',
      retryable: true,
    });
    expect(first.failure.action).not.toMatch(
      /status page|could not be reached\. Sync again; if this persists, check/,
    );
    expect(first.failure.action).toMatch(/not a problem with Fake Books/);
    expect(s.fake.store.payments.size).toBe(0);
    // No look-up was spent on a write that was never sent.
    expect(s.fake.count('payments.findByReference')).toBe(0);

    const retry = await engine.syncPayment(s.connectionId, paymentId);
    expect(retry).toMatchObject({ status: 'synced', action: 'created' });
    expect(s.fake.store.payments.size).toBe(1);
  });

  it('fails without any provider call when the ledger claim cannot be written', async () => {
    const s = await createFakeSyncSetup();
    const db = breakable(s.storage);
    const engine = engineOn(s, db.storage);
    const { paymentId } = await invoiceWithPayment(s, engine);
    db.failNext('ledger', 'claim');
    const calls = s.fake.calls.length;

    const result = await engine.syncPayment(s.connectionId, paymentId);

    expect(result).toMatchObject({ status: 'failed', failure: { category: 'storage_unavailable' } });
    expect(s.fake.calls.length).toBe(calls);
    expect(await engine.syncPayment(s.connectionId, paymentId)).toMatchObject({
      status: 'synced',
      action: 'created',
    });
  });
});

describe('an invoice create still in progress elsewhere', () => {
  it('gets its own message and action, not "changed at the same time", and is a warning', async () => {
    const s = await createFakeSyncSetup();
    const customerId = s.host.addCustomer({ displayName: 'Acme', email: 'a@acme.test' });
    const invoiceId = s.host.addInvoice({
      number: 'INV-13',
      customer: { id: customerId },
      issueDate: '2026-01-05',
      status: 'SENT',
      currency: 'USD',
      lines: [
        {
          quantity: 1,
          unitPrice: { amount: 500, currency: 'USD' },
          amount: { amount: 500, currency: 'USD' },
        },
      ],
      total: { amount: 500, currency: 'USD' },
      balance: { amount: 500, currency: 'USD' },
    });
    // Worker A is inside the provider call (it committed and has not answered yet).
    s.fake.hangNextAfterCommit('invoices.create');
    void s.engine.syncInvoice(s.connectionId, invoiceId);
    for (let round = 0; round < 200 && s.fake.count('invoices.create') === 0; round++)
      await Promise.resolve();
    expect(s.fake.count('invoices.create')).toBe(1);

    const result = await s.createWorker().syncInvoice(s.connectionId, invoiceId);

    expect(result.status).toBe('failed');
    if (result.status !== 'failed') return;
    expect(result.failure).toMatchObject({ category: 'in_progress', code: 'in_progress', retryable: true });
    expect(result.failure.message).toMatch(/still creating invoice/);
    expect(result.failure.action).toMatch(/still being created in Fake Books/);
    expect(result.failure.action).toMatch(/will not be created twice/);
    expect(result.failure.action).not.toMatch(/at the same time/);
    const context = {
      provider: s.fake.provider.id,
      providerName: 'Fake Books',
      entityType: 'invoice' as const,
    };
    expect(syncFailureTitle('in_progress', context)).toBe('invoice still being created in Fake Books');
    expect(syncFailureSeverity('in_progress')).toBe('warning');
    expect(s.fake.store.invoices.size).toBe(1);
  });
});
