import {
  BlueClerkError,
  type BlueClerkEvent,
  createBlueClerk,
  createKeyRing,
  createMemoryStorage,
  createTokenVault,
} from '@blueclerk/core';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAppDatabase } from '../demo/app-database';
import { DEMO_APP } from '../demo/context';
import { classifyQuickBooksError, createQuickBooksProvider } from './index';
import { createQuickBooksSimulator } from './testing/index';

/** Malformed QuickBooks records: skipped and reported by name, never failing a page, never read as "deleted". */

const REALM = '9130350000000303';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function connectedApp() {
  const sim = createQuickBooksSimulator({
    realms: [REALM],
    clients: [{ ...DEMO_APP, redirectUris: [DEMO_APP.redirectUri] }],
  });
  server.use(...sim.handlers);
  const db = createAppDatabase();
  const blueclerk = createBlueClerk({
    providers: { quickbooks: createQuickBooksProvider({ environment: 'sandbox', pageSize: 3 }) },
    credentials: { quickbooks: DEMO_APP },
    storage: createMemoryStorage(),
    vault: createTokenVault(
      createKeyRing({ currentKeyId: 'mf', keys: { mf: crypto.getRandomValues(new Uint8Array(32)) } }),
    ),
    stateSecret: 'malformed-records-state-secret-5b2e8d',
    host: db,
  });
  const events: BlueClerkEvent[] = [];
  blueclerk.events.subscribe((event) => {
    events.push(event);
  });
  const started = await blueclerk.connect.start({ provider: 'quickbooks', ownerId: 'owner-1' });
  const consent = await fetch(started.url, { redirect: 'manual' });
  const connection = await blueclerk.connect.handleCallback(consent.headers.get('location') ?? '', {
    provider: 'quickbooks',
    browserBinding: started.browserBinding,
  });
  return { sim, realm: sim.realm(REALM), db, blueclerk, events, connectionId: connection.id };
}

describe('malformed QuickBooks records', () => {
  it('one unreadable customer does not fail its page: the good ones import, the bad one is reported by name', async () => {
    const app = await connectedApp();
    const ids = ['Ada', 'Bea', 'Cy', 'Dee', 'Eve'].map((name) =>
      String(app.realm.create('Customer', { DisplayName: `${name} Ltd` }).Id),
    );
    app.realm.corrupt('Customer', ids[1] as string, { DisplayName: { nested: 'object' } });

    const summary = await app.blueclerk.engine.importCustomers(app.connectionId);
    expect(summary).toMatchObject({ complete: true, created: 4, failed: 1 });
    expect(summary.failures).toHaveLength(1);
    expect(summary.failures[0]).toMatchObject({
      providerId: ids[1],
      failure: { code: 'malformed_response', category: 'provider_error' },
    });
    expect(summary.failures[0]?.failure.message).toContain(`Customer ${ids[1]}`);
    expect(summary.failures[0]?.failure.message).toContain('Customer.DisplayName');
    expect([...app.db.customers.values()].map((c) => c.displayName).sort()).toEqual([
      'Ada Ltd',
      'Cy Ltd',
      'Dee Ltd',
      'Eve Ltd',
    ]);
    expect(app.events.filter((e) => e.type === 'sync.failed')).toHaveLength(1);
  });

  it('a payment with a garbled amount is reported as unreadable, never as deleted', async () => {
    const app = await connectedApp();
    const customer = app.realm.create('Customer', { DisplayName: 'Garbled Co' });
    const invoice = app.realm.create('Invoice', {
      CustomerRef: { value: String(customer.Id) },
      Line: [{ DetailType: 'SalesItemLineDetail', Amount: 100 }],
    });
    const pulled = await app.blueclerk.engine.pullChanges(app.connectionId, 'payment', {
      since: Date.now() - 60_000,
    });
    expect(pulled.failure).toBeNull();
    for (const amount of ['NaN', -5, { value: 1 }]) {
      const payment = app.realm.recordPayment({ invoiceId: String(invoice.Id), amount: 10 });
      app.realm.corrupt('Payment', String(payment.Id), { TotalAmt: amount });
      const events = app.events.length;
      const summary = await app.blueclerk.engine.pullChanges(app.connectionId, 'payment');
      expect(summary).toMatchObject({ failed: 1, failure: null });
      const failed = app.events.slice(events).find((e) => e.type === 'sync.failed');
      expect(failed).toMatchObject({ code: 'malformed_response', entityType: 'payment' });
    }
  });

  it('a TypeError from inside the provider is not a retryable network error; fetch’s own failure is', () => {
    const bug = classifyQuickBooksError(new TypeError("Cannot read properties of undefined (reading 'Id')"));
    expect(BlueClerkError.isInstance(bug) && bug.code).toBe('internal');
    expect(bug.retryable).toBe(false);
    const transport = classifyQuickBooksError(new TypeError('fetch failed'));
    expect(transport.code).toBe('network');
  });
});
