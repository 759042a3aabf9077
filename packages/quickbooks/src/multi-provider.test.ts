import {
  type BlueClerkEvent,
  ConfigurationError,
  createBlueClerk,
  createKeyRing,
  createMemoryStorage,
  createTokenVault,
  ValidationError,
} from '@blueclerk/core';
import { defineProvider } from '@blueclerk/core/provider';
import { createFakeProvider, createOAuthServer } from '@blueclerk/core/testing';
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAppDatabase } from '../demo/app-database';
import { DEMO_APP } from '../demo/context';
import { SHARED_CUSTOMER, SHARED_ITEM_SKU, seedAppDatabase, seedQuickBooksCompany } from '../demo/seed';
import { createQuickBooksProvider } from './index';
import {
  buildQuickBooksWebhookBody,
  createQuickBooksSimulator,
  signQuickBooksWebhook,
} from './testing/index';

/**
 * Two providers in one app: QuickBooks (against its simulator) and core's fake provider (OAuth from the simulator
 * kit) on one storage, one event bus and one notifier, wired by one createBlueClerk.
 */

const REALM = '9130350000000077';
const FAKE_TENANT = 'fake-tenant-1';
const FAKE_APP = {
  clientId: 'fake-client-4Jq9',
  clientSecret: 'fake-secret-7Hc2Lw0Zp5Rt',
  redirectUri: 'http://localhost:3000/oauth/fake-books/callback',
};

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function createApp(homeCurrency = 'USD') {
  const sim = createQuickBooksSimulator({
    realms: [REALM],
    homeCurrencies: { [REALM]: homeCurrency },
    clients: [{ ...DEMO_APP, redirectUris: [DEMO_APP.redirectUri] }],
  });
  const fakeOAuth = createOAuthServer({
    clients: [{ ...FAKE_APP, redirectUris: [FAKE_APP.redirectUri] }],
    authorize: () => ({ grant: { tenant: FAKE_TENANT }, redirectParams: { tenant: FAKE_TENANT } }),
  });
  server.use(
    ...sim.handlers,
    http.get('https://fake.test/authorize', ({ request }) => fakeOAuth.handleAuthorizeRequest(request)),
    http.post('https://fake.test/token', ({ request }) => fakeOAuth.handleTokenRequest(request)),
  );
  const fake = createFakeProvider({ id: 'fake-books', displayName: 'Fake Books' });
  // The fake names its tenant in the callback, the way QuickBooks sends realmId.
  const fakeProvider = defineProvider({
    ...fake.provider,
    oauth: {
      ...fake.provider.oauth,
      tenantFromCallback: (params) => params.get('tenant'),
      verifyTenant: async ({ tenantId }) => (tenantId === FAKE_TENANT ? {} : false),
    },
  });
  const storage = createMemoryStorage();
  const db = createAppDatabase();
  seedAppDatabase(db);
  seedQuickBooksCompany(sim.realm(REALM));
  const blueclerk = createBlueClerk({
    providers: {
      quickbooks: createQuickBooksProvider({ environment: 'sandbox' }),
      'fake-books': fakeProvider,
    },
    credentials: { quickbooks: DEMO_APP, 'fake-books': FAKE_APP },
    storage,
    vault: createTokenVault(
      createKeyRing({ currentKeyId: 'mp', keys: { mp: crypto.getRandomValues(new Uint8Array(32)) } }),
    ),
    stateSecret: 'multi-provider-state-secret-6c1d9e2f7a',
    host: db,
  });
  const events: BlueClerkEvent[] = [];
  blueclerk.events.subscribe((event) => {
    events.push(event);
  });
  return { sim, fake, fakeOAuth, storage, db, blueclerk, events };
}

type App = ReturnType<typeof createApp>;

/** The browser round trip for either provider: authorize URL -> consent redirect -> our callback. */
async function connect(app: App, provider: string) {
  const started = await app.blueclerk.connect.start({ provider, ownerId: 'owner-1' });
  const consent = await fetch(started.url, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  return app.blueclerk.connect.handleCallback(consent.headers.get('location') ?? '', {
    provider,
    browserBinding: started.browserBinding,
  });
}

function addInvoice(app: App, number: string) {
  return app.db.addInvoice({
    number,
    customerId: app.db.customerIdByName(SHARED_CUSTOMER.displayName),
    issueDate: new Date().toISOString().slice(0, 10),
    status: 'SENT',
    lines: [{ itemId: app.db.itemIdBySku(SHARED_ITEM_SKU), quantity: 2, unitPrice: 8500 }],
  });
}

describe('several providers in one app', () => {
  it('connects and syncs QuickBooks and a second provider on one storage, bus and notifier', async () => {
    const app = createApp();
    const quickbooks = await connect(app, 'quickbooks');
    const fake = await connect(app, 'fake-books');
    expect(quickbooks).toMatchObject({ provider: 'quickbooks', tenantId: REALM, status: 'active' });
    expect(fake).toMatchObject({ provider: 'fake-books', tenantId: FAKE_TENANT, status: 'active' });
    expect(app.fakeOAuth.stats().exchanges).toBe(1);

    // One invoice, pushed to both companies; each connection links its own copy.
    const invoiceId = addInvoice(app, 'MP-1001');
    const toQuickBooks = await app.blueclerk.engine.syncInvoice(quickbooks.id, invoiceId);
    const toFake = await app.blueclerk.engine.syncInvoice(fake.id, invoiceId);
    expect(toQuickBooks.status).toBe('synced');
    expect(toFake.status).toBe('synced');
    const qboLink = await app.storage.links.findLinkByLocalId(quickbooks.id, 'invoice', invoiceId);
    const fakeLink = await app.storage.links.findLinkByLocalId(fake.id, 'invoice', invoiceId);
    expect(app.sim.realm(REALM).get('Invoice', qboLink?.providerId ?? '')).toMatchObject({
      DocNumber: 'MP-1001',
    });
    expect(app.fake.store.invoices.get(fakeLink?.providerId ?? '')?.data.number).toBe('MP-1001');

    // A failure on each provider: one event and one notification each, named after its own provider.
    app.fake.duplicateNext('invoices.create');
    const second = addInvoice(app, 'MP-1002');
    expect((await app.blueclerk.engine.syncInvoice(fake.id, second)).status).toBe('failed');
    // QuickBooks refuses a second invoice with a number it already has (Fault 6140).
    const clash = addInvoice(app, 'MP-1001');
    expect((await app.blueclerk.engine.syncInvoice(quickbooks.id, clash)).status).toBe('failed');
    await app.blueclerk.notifier.drain();
    const failures = app.events.filter((event) => event.type === 'sync.failed');
    expect(failures.map((event) => event.provider).sort()).toEqual(['fake-books', 'quickbooks']);
    const notifications = await app.blueclerk.notifier.listNotifications({ ownerId: 'owner-1' });
    const failed = notifications.filter((n) => n.type === 'sync.failed');
    expect(failed).toHaveLength(2);
    expect(failed.map((n) => n.data.providerName).sort()).toEqual(['Fake Books', 'QuickBooks Online']);
    const health = await app.blueclerk.notifier.listConnectionHealth({ ownerId: 'owner-1' });
    expect(health.map((h) => [h.provider, h.providerName]).sort()).toEqual([
      ['fake-books', 'Fake Books'],
      ['quickbooks', 'QuickBooks Online'],
    ]);
  });

  it('refuses cross-provider token use and names the configured providers for an unknown one', async () => {
    const app = createApp();
    const fake = await connect(app, 'fake-books');
    const quickbooks = await connect(app, 'quickbooks');

    const crossed = await app.blueclerk.tokens
      .getAccessToken(fake.id, { provider: 'quickbooks' })
      .catch((error: unknown) => error);
    expect(ConfigurationError.isInstance(crossed)).toBe(true);
    expect((crossed as Error).message).toContain('belongs to fake-books, not quickbooks');
    await expect(
      app.blueclerk.tokens.getAccessToken(quickbooks.id, { provider: 'quickbooks' }),
    ).resolves.toMatch(/\S/);

    const unknown = await app.blueclerk.connect
      .start({ provider: 'xero', ownerId: 'owner-1' })
      .catch((e) => e);
    expect(ConfigurationError.isInstance(unknown)).toBe(true);
    expect((unknown as Error).message).toContain('quickbooks, fake-books');
    await expect(
      app.blueclerk.engine.handleWebhook('xero', { rawBody: new Uint8Array(), headers: {}, secret: 'x' }),
    ).rejects.toThrow(/configured with: quickbooks, fake-books/);
    expect(() => app.blueclerk.providers.get('wave')).toThrow(ConfigurationError);
  });

  it('keeps settings per connection, validated by each provider', async () => {
    const app = createApp();
    const quickbooks = await connect(app, 'quickbooks');
    const fake = await connect(app, 'fake-books');

    // Discovered at connect: the fake reports its company currency.
    expect(await app.blueclerk.connections.getSettings(fake.id)).toEqual({ homeCurrency: 'USD' });

    const updated = await app.blueclerk.connections.updateSettings(quickbooks.id, {
      incomeAccountId: '79',
      paymentMethodIds: { check: '2' },
    });
    expect(updated.settings).toMatchObject({ incomeAccountId: '79', paymentMethodIds: { check: '2' } });
    expect((await app.storage.connections.getConnection(fake.id))?.settings).not.toHaveProperty(
      'incomeAccountId',
    );

    const bad = await app.blueclerk.connections
      .updateSettings(quickbooks.id, { depositAccountId: '' })
      .catch((error: unknown) => error);
    expect(ValidationError.isInstance(bad)).toBe(true);
    expect((bad as ValidationError).issues[0]?.path).toBe('settings.depositAccountId');
    await expect(
      app.blueclerk.connections.updateSettings(fake.id, { homeCurrency: 'dollars' }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      issues: [expect.objectContaining({ path: 'settings.homeCurrency' })],
    });
    // Nothing half-written: the refused patches left both connections as they were.
    expect((await app.storage.connections.getConnection(quickbooks.id))?.settings).toEqual(updated.settings);
    expect(await app.blueclerk.connections.getSettings(fake.id)).toEqual({ homeCurrency: 'USD' });

    // The setting reaches provider operations through the call context: an item without an account gets it.
    const itemId = app.db.addItem({ name: 'Call-out fee', unitPrice: { amount: 4500, currency: 'USD' } });
    const invoiceId = app.db.addInvoice({
      number: 'MP-2001',
      customerId: app.db.customerIdByName(SHARED_CUSTOMER.displayName),
      issueDate: new Date().toISOString().slice(0, 10),
      status: 'SENT',
      lines: [{ itemId, quantity: 1, unitPrice: 4500 }],
    });
    expect((await app.blueclerk.engine.syncInvoice(quickbooks.id, invoiceId)).status).toBe('synced');
    const itemLink = await app.storage.links.findLinkByLocalId(quickbooks.id, 'item', itemId);
    expect(app.sim.realm(REALM).get('Item', itemLink?.providerId ?? '')).toMatchObject({
      IncomeAccountRef: { value: '79' },
    });
  });

  it("reads each QuickBooks company's home currency when it connects", async () => {
    const app = createApp('CAD');
    const quickbooks = await connect(app, 'quickbooks');
    expect(quickbooks.settings).toEqual({ homeCurrency: 'CAD' });
    expect(await app.blueclerk.connections.getSettings(quickbooks.id)).toMatchObject({ homeCurrency: 'CAD' });
    // Amounts QuickBooks sends without a currency (Item.UnitPrice) are read in that currency.
    const ctx = app.blueclerk.contextFor((await app.storage.connections.getConnection(quickbooks.id))!);
    const items = await app.blueclerk.providers.get('quickbooks').items.list(ctx, { pageSize: 5 });
    const priced = items.records.filter((item) => item.data.unitPrice !== null);
    expect(priced.length).toBeGreaterThan(0);
    expect(new Set(priced.map((item) => item.data.unitPrice?.currency))).toEqual(new Set(['CAD']));
  });

  it('returns the QuickBooks payment link with the sync result when the company allows online payment', async () => {
    const app = createApp();
    const quickbooks = await connect(app, 'quickbooks');
    const without = await app.blueclerk.engine.syncInvoice(quickbooks.id, addInvoice(app, 'MP-3001'));
    expect(without).toMatchObject({ status: 'synced', paymentLinkUrl: null });

    await app.blueclerk.connections.updateSettings(quickbooks.id, { onlinePayment: { card: true } });
    const invoiceId = addInvoice(app, 'MP-3002');
    const result = await app.blueclerk.engine.syncInvoice(quickbooks.id, invoiceId);
    expect(result.status === 'synced' && result.paymentLinkUrl).toMatch(/^https:\/\//);
    // An unchanged resync makes no call and hands back nothing new; the app keeps the link it stored.
    const again = await app.blueclerk.engine.syncInvoice(quickbooks.id, invoiceId);
    expect(again).toMatchObject({ status: 'synced', action: 'unchanged' });
  });

  it('a QuickBooks merge webhook moves the local customer to the surviving QuickBooks customer', async () => {
    const app = createApp();
    const quickbooks = await connect(app, 'quickbooks');
    const invoiceId = addInvoice(app, 'MP-4001');
    expect((await app.blueclerk.engine.syncInvoice(quickbooks.id, invoiceId)).status).toBe('synced');
    const customerId = app.db.customerIdByName(SHARED_CUSTOMER.displayName);
    const before = await app.storage.links.findLinkByLocalId(quickbooks.id, 'customer', customerId);
    const realm = app.sim.realm(REALM);
    const survivor = realm.create('Customer', { DisplayName: 'Harper Household' });
    const change = realm.merge('Customer', before?.providerId as string, String(survivor.Id));
    const verifier = 'merge-webhook-verifier-0c4b2a';
    const body = buildQuickBooksWebhookBody({
      format: 'legacy',
      notifications: [{ realmId: REALM, changes: [change] }],
    });
    const result = await app.blueclerk.engine.handleWebhook('quickbooks', {
      rawBody: body,
      headers: { 'intuit-signature': await signQuickBooksWebhook(body, verifier) },
      secret: verifier,
    });
    expect(result.verified).toBe(true);
    expect(result.events.map((event) => event.status)).not.toContain('failed');
    const after = await app.storage.links.findLinkByLocalId(quickbooks.id, 'customer', customerId);
    expect(after?.providerId).toBe(String(survivor.Id));
  });
});
