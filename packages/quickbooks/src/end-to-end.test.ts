import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BlueClerk,
  type BlueClerkEvent,
  type BlueClerkStorage,
  createBlueClerk,
  createKeyRing,
  createMemoryStorage,
  createTokenVault,
  money,
  openTokenSet,
  type TokenVault,
  toMinorUnits,
} from '@blueclerk/core';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AppDatabase, createAppDatabase } from '../demo/app-database';
import { DEMO_APP } from '../demo/context';
import { type SecretWatch, watchSimulatorSecrets } from '../demo/secret-watch';
import {
  SEEDED,
  SHARED_CUSTOMER,
  SHARED_ITEM_SKU,
  seedAppDatabase,
  seedQuickBooksCompany,
} from '../demo/seed';
import { createQuickBooksProvider } from './index';
import {
  buildQuickBooksWebhookBody,
  createQuickBooksSimulator,
  type QuickBooksSimulator,
  type QuickBooksSimulatorOptions,
  signQuickBooksWebhook,
} from './testing/index';

/**
 * The demo's story as assertions: createBlueClerk + the QuickBooks provider + the simulator + memory storage, from
 * connect to a classified failure. A second block runs the real demo script and checks what it prints.
 */

const REALM = '9130350000000042';
const VERIFIER = 'wh-verifier-5b1e0c9a7d3f42e8';
const usd = (amount: number) => money(amount, 'USD');
const cents = (value: unknown) => toMinorUnits(String(value ?? '0'), 'USD');
const today = new Date().toISOString().slice(0, 10);

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface World {
  sim: QuickBooksSimulator;
  storage: BlueClerkStorage;
  vault: TokenVault;
  db: AppDatabase;
  blueclerk: BlueClerk;
  watch: SecretWatch;
  events: BlueClerkEvent[];
  connectionId: string;
}

function createWorld(simOptions: QuickBooksSimulatorOptions = {}) {
  const sim = createQuickBooksSimulator({
    realms: [REALM],
    clients: [{ ...DEMO_APP, redirectUris: [DEMO_APP.redirectUri] }],
    ...simOptions,
  });
  server.use(...sim.handlers);
  const watch = watchSimulatorSecrets(server);
  const storage = createMemoryStorage();
  const vault = createTokenVault(
    createKeyRing({ currentKeyId: 'e2e', keys: { e2e: crypto.getRandomValues(new Uint8Array(32)) } }),
  );
  const db = createAppDatabase();
  seedAppDatabase(db);
  seedQuickBooksCompany(sim.realm(REALM));
  const blueclerk = createBlueClerk({
    providers: { quickbooks: createQuickBooksProvider({ environment: 'sandbox' }) },
    storage,
    vault,
    credentials: { quickbooks: DEMO_APP },
    stateSecret: 'e2e-state-secret-0c5f1a9e7b2d4c6a8e0f',
    host: db,
  });
  const events: BlueClerkEvent[] = [];
  blueclerk.events.subscribe((event) => {
    events.push(event);
  });
  const world: World = { sim, storage, vault, db, blueclerk, watch, events, connectionId: '' };
  return world;
}

/** The browser round trip: authorize URL -> the simulator's consent redirect -> our callback. */
async function connect(world: World): Promise<void> {
  const started = await world.blueclerk.connect.start({ provider: 'quickbooks', ownerId: 'owner-e2e' });
  const consent = await fetch(started.url, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const location = consent.headers.get('location') ?? '';
  const callback = new URL(location);
  expect(callback.searchParams.get('realmId')).toBe(REALM);
  expect(callback.searchParams.get('state')).toBe(started.state);
  const connection = await world.blueclerk.connect.handleCallback(location, {
    browserBinding: started.browserBinding,
  });
  world.connectionId = connection.id;
}

async function sealedTokens(world: World) {
  const record = await world.storage.connections.getConnection(world.connectionId);
  if (!record?.tokens) throw new Error('connection has no tokens');
  return { record, sealed: record.tokens, opened: openTokenSet(world.vault, record.id, record.tokens) };
}

async function invoiceProviderId(world: World, localId: string): Promise<string> {
  const link = await world.storage.links.findLinkByLocalId(world.connectionId, 'invoice', localId);
  if (!link) throw new Error(`invoice ${localId} is not linked`);
  return link.providerId;
}

describe('QuickBooks end to end through createBlueClerk', () => {
  it('connects, imports, pushes, resyncs, takes a webhook payment and reports a classified failure', async () => {
    const world = createWorld();
    const { sim, db, blueclerk } = world;
    const realm = sim.realm(REALM);

    // Connect: active connection for the realm, tokens sealed with the vault.
    await connect(world);
    const { record, sealed, opened } = await sealedTokens(world);
    expect(record.status).toBe('active');
    expect(record.tenantId).toBe(REALM);
    expect(sealed.accessToken.startsWith('bcv2.e2e.')).toBe(true);
    expect(sealed.refreshToken?.startsWith('bcv2.e2e.')).toBe(true);
    expect(await world.watch.accessTokens()).toEqual([opened.accessToken]);
    const storedJson = JSON.stringify(record);
    expect(storedJson).not.toContain(opened.accessToken);
    expect(storedJson).not.toContain(opened.refreshToken);

    // Import: progress events, email match linked (case and whitespace differ), SKU match linked.
    const customers = await blueclerk.engine.importCustomers(world.connectionId, { pageSize: 5 });
    const items = await blueclerk.engine.importItems(world.connectionId, { pageSize: 3 });
    expect(customers).toMatchObject({
      processed: SEEDED.quickBooksCustomers,
      created: SEEDED.quickBooksCustomers - 1,
      linked: 1,
      skipped: 0,
      failed: 0,
      complete: true,
    });
    expect(items).toMatchObject({ processed: SEEDED.quickBooksItems, created: 7, linked: 1, failed: 0 });
    const progress = world.events.filter(
      (e): e is Extract<BlueClerkEvent, { type: 'import.progress' }> =>
        e.type === 'import.progress' && e.entityType === 'customer',
    );
    expect(progress[0]?.total).toBe(SEEDED.quickBooksCustomers);
    expect(progress.map((e) => e.processed).slice(0, 5)).toEqual([5, 10, 15, 20, 25]);
    expect(
      [...db.customers.values()].filter((c) => c.displayName === SHARED_CUSTOMER.displayName),
    ).toHaveLength(1);
    expect(db.items.size).toBe(SEEDED.quickBooksItems);
    expect(db.items.get(db.itemIdBySku('DRN-CLN'))?.incomeAccount?.id).toBe('1');

    // OPEN invoice: the new customer is created first, imported items are reused; QuickBooks agrees on the total.
    const openId = db.addInvoice({
      number: 'INV-1001',
      customerId: db.customerIdByName('Oakridge Property Management'),
      issueDate: today,
      status: 'OPEN',
      lines: [
        { itemId: db.itemIdBySku('SVC-CALL'), quantity: 1, unitPrice: 9500 },
        { itemId: db.itemIdBySku(SHARED_ITEM_SKU), quantity: 2.5, unitPrice: 8500 },
      ],
    });
    const pushed = await blueclerk.engine.syncInvoice(world.connectionId, openId);
    if (pushed.status !== 'synced') throw new Error(`expected synced, got ${JSON.stringify(pushed)}`);
    expect(pushed.action).toBe('created');
    expect(pushed.dependencies.map((d) => [d.entityType, d.action])).toEqual([
      ['customer', 'created'],
      ['item', 'existing'],
      ['item', 'existing'],
    ]);
    const remoteOpen = realm.get('Invoice', pushed.providerId);
    expect(remoteOpen?.DocNumber).toBe('INV-1001');
    expect(cents(remoteOpen?.TotalAmt)).toBe(9500 + 21_250);

    // DRAFT: skipped with a reason, no request.
    const draftId = db.addInvoice({
      number: 'INV-1002',
      customerId: db.customerIdByName('Priya Natarajan'),
      issueDate: today,
      status: 'DRAFT',
      lines: [{ itemId: db.itemIdBySku('LK-DET'), quantity: 1, unitPrice: 17_500 }],
    });
    const requestsBeforeDraft = sim.stats().requests;
    const draft = await blueclerk.engine.syncInvoice(world.connectionId, draftId);
    expect(draft).toMatchObject({ status: 'skipped', reason: 'draft' });
    expect(sim.stats().requests).toBe(requestsBeforeDraft);
    expect(realm.list('Invoice').some((i) => i.DocNumber === 'INV-1002')).toBe(false);

    // Payment: posted once; the second sync is answered by the ledger without HTTP.
    const firstPayment = db.addPayment({
      amount: usd(20_000),
      date: today,
      method: 'check',
      invoice: { id: openId },
    });
    const posted = await blueclerk.engine.syncPayment(world.connectionId, firstPayment);
    if (posted.status !== 'synced') throw new Error(`expected synced, got ${JSON.stringify(posted)}`);
    expect(cents(realm.get('Payment', posted.providerId)?.TotalAmt)).toBe(20_000);
    const requestsBeforeRepeat = sim.stats().requests;
    const repeat = await blueclerk.engine.syncPayment(world.connectionId, firstPayment);
    expect(repeat).toEqual({
      status: 'already_synced',
      localId: firstPayment,
      providerId: posted.providerId,
    });
    expect(sim.stats().requests).toBe(requestsBeforeRepeat);

    // Resync: a new line -> update with the current SyncToken (the payment moved it on: 5010, re-read, retry),
    // and the second local payment goes out with it.
    const linkBefore = await world.storage.links.findLinkByLocalId(world.connectionId, 'invoice', openId);
    const tokenInQuickBooks = String(realm.get('Invoice', pushed.providerId)?.SyncToken);
    expect(tokenInQuickBooks).not.toBe(linkBefore?.providerVersion);
    db.addInvoiceLine(openId, { itemId: db.itemIdBySku('PRT-CART'), quantity: 2, unitPrice: 3850 });
    const secondPayment = db.addPayment({
      amount: usd(15_000),
      date: today,
      method: 'card',
      invoice: { id: openId },
    });
    const resynced = await blueclerk.engine.syncInvoice(world.connectionId, openId);
    if (resynced.status !== 'synced') throw new Error(`expected synced, got ${JSON.stringify(resynced)}`);
    expect(resynced.action).toBe('updated');
    const linkAfter = await world.storage.links.findLinkByLocalId(world.connectionId, 'invoice', openId);
    expect(Number(linkAfter?.providerVersion)).toBe(Number(tokenInQuickBooks) + 1);
    expect(resynced.payments.map((p) => [p.localId, p.status])).toEqual([
      [firstPayment, 'already_synced'],
      [secondPayment, 'synced'],
    ]);
    const remoteAfter = realm.get('Invoice', pushed.providerId);
    expect(cents(remoteAfter?.TotalAmt)).toBe(db.invoices.get(openId)?.total.amount);
    expect(cents(remoteAfter?.Balance)).toBe(9500 + 21_250 + 7700 - 20_000 - 15_000);

    // A payment entered in QuickBooks arrives by signed webhook; a tampered body is refused.
    const paidId = db.addInvoice({
      number: 'INV-1003',
      customerId: db.customerIdByName('Marcus Chen'),
      issueDate: today,
      status: 'OPEN',
      lines: [{ itemId: db.itemIdBySku('DRN-CLN'), quantity: 1, unitPrice: 14_900 }],
    });
    expect((await blueclerk.engine.syncInvoice(world.connectionId, paidId)).status).toBe('synced');
    const since = Date.now();
    const qbPayment = realm.recordPayment({ invoiceId: await invoiceProviderId(world, paidId) });
    const changes = realm.changesSince(since).filter((c) => c.name === 'Payment');
    const body = buildQuickBooksWebhookBody({
      format: 'legacy',
      notifications: [{ realmId: REALM, changes }],
    });
    const headers = { 'intuit-signature': await signQuickBooksWebhook(body, VERIFIER) };
    const tampered = body.replace(String(qbPayment.Id), '999999');
    const refused = await blueclerk.engine.handleWebhook('quickbooks', {
      rawBody: tampered,
      headers,
      secret: VERIFIER,
    });
    expect(refused).toEqual({ verified: false, events: [] });
    expect(db.invoices.get(paidId)?.status).toBe('OPEN');
    const applied = await blueclerk.engine.handleWebhook('quickbooks', {
      rawBody: body,
      headers,
      secret: VERIFIER,
    });
    expect(applied.verified).toBe(true);
    expect(applied.events).toMatchObject([
      { status: 'applied', entityType: 'payment', providerId: qbPayment.Id },
    ]);
    expect(db.invoices.get(paidId)).toMatchObject({ status: 'PAID', balance: { amount: 0 } });
    const recorded = [...db.origins.entries()].filter(([, o]) => o.providerId === qbPayment.Id);
    expect(recorded).toHaveLength(1);
    expect(db.payments.get(recorded[0]?.[0] ?? '')?.amount).toEqual(usd(14_900));
    const redelivered = await blueclerk.engine.handleWebhook('quickbooks', {
      rawBody: body,
      headers,
      secret: VERIFIER,
    });
    expect(redelivered.events).toMatchObject([{ status: 'duplicate' }]);
    expect(db.payments.size).toBe(3);

    // A classified failure: an item without an income account (no defaultIncomeAccountId configured).
    const feeId = db.addItem({ name: 'Emergency call-out fee', sku: 'EMRG-FEE', unitPrice: usd(12_500) });
    const failingId = db.addInvoice({
      number: 'INV-1004',
      customerId: db.customerIdByName(SHARED_CUSTOMER.displayName),
      issueDate: today,
      status: 'OPEN',
      lines: [{ itemId: feeId, quantity: 1, unitPrice: 12_500 }],
    });
    const failed = await blueclerk.engine.syncInvoice(world.connectionId, failingId);
    if (failed.status !== 'failed') throw new Error(`expected failed, got ${JSON.stringify(failed)}`);
    expect(failed.failure).toMatchObject({
      category: 'missing_field',
      code: 'missing_field',
      retryable: false,
    });
    expect(failed.failure.message).toContain('income account');
    expect(failed.failure.action).toMatch(/income account/i);
    expect(realm.list('Item').some((i) => i.Name === 'Emergency call-out fee')).toBe(false);
    await blueclerk.notifier.drain();
    const banner = await blueclerk.notifier.recentFailuresBanner({ ownerId: 'owner-e2e' });
    expect(banner.count).toBe(1);
    expect(banner.items[0]).toMatchObject({ category: 'missing_field', localId: failingId });
    expect(banner.items[0]?.action).toMatch(/income account/i);
    const health = await blueclerk.notifier.getConnectionHealth(world.connectionId);
    expect(health).toMatchObject({
      status: 'degraded',
      consecutiveFailures: 1,
      lastError: { category: 'missing_field' },
    });

    // Exactly once overall: two app payments, two creates in QuickBooks, one QuickBooks payment applied locally.
    const stats = sim.stats();
    expect(stats.created.Payment).toBe(2);
    expect(realm.list('Payment')).toHaveLength(3);
    expect(stats.tokenRequests).toEqual({ authorization_code: 1 });
    world.watch.stop();
  });

  it('refreshes an expired access token exactly once for concurrent calls and rotates the refresh token', async () => {
    const world = createWorld({ strictRefreshTokenRotation: true });
    const { sim, blueclerk } = world;
    await connect(world);
    const before = await sealedTokens(world);

    sim.oauth.expireAccessTokens();
    const ctx = blueclerk.contextFor(before.record);
    const pages = await Promise.all(
      Array.from({ length: 6 }, () =>
        blueclerk.providers.get('quickbooks').customers.list(ctx, { pageSize: 5 }),
      ),
    );
    expect(pages.every((page) => page.records.length === 5)).toBe(true);
    expect(sim.stats().tokenRequests).toEqual({ authorization_code: 1, refresh_token: 1 });

    const after = await sealedTokens(world);
    expect(after.opened.accessToken).not.toBe(before.opened.accessToken);
    expect(after.opened.refreshToken).not.toBe(before.opened.refreshToken);
    expect(await world.watch.accessTokens()).toEqual([before.opened.accessToken, after.opened.accessToken]);
    // Strict rotation: the superseded refresh token is dead, so a second refresh with it would have been fatal.
    expect(sim.oauth.isRefreshTokenLive(before.opened.refreshToken ?? '')).toBe(false);
    expect(sim.oauth.isRefreshTokenLive(after.opened.refreshToken ?? '')).toBe(true);
    expect(after.sealed.refreshToken?.startsWith('bcv2.e2e.')).toBe(true);

    // The next calls use the new token without refreshing again.
    await blueclerk.providers.get('quickbooks').customers.list(ctx, { pageSize: 1 });
    expect(sim.stats().tokenRequests.refresh_token).toBe(1);
    world.watch.stop();
  });
});

describe('the demo script', () => {
  const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

  it('runs the whole story, exits 0 and prints no secret', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'blueclerk-demo-'));
    const env: NodeJS.ProcessEnv = { ...process.env, BLUECLERK_DEMO_PGLITE_DIR: dataDir };
    // The embedded store is what a fresh clone gets; a DATABASE_URL in the test environment must not redirect it.
    delete env.DATABASE_URL;
    try {
      const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'demo/run.ts'], {
        cwd: packageDir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const code = await new Promise<number | null>((done) => child.on('close', done));
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });

      for (let step = 1; step <= 9; step++) expect(stdout).toMatch(new RegExp(`^${step}\\. `, 'm'));
      expect(stdout).toContain('Done in');
      expect(stdout).not.toContain('DEMO FAILED');
      // Nothing secret: the demo's client secret, any Bearer header, and the simulator's token and code shapes
      // (access tokens `eyJ<hex>`, refresh tokens `RT1-<hex>`, authorization codes `AB<32 hex>`).
      expect(stdout).not.toContain(DEMO_APP.clientSecret);
      expect(stdout).not.toMatch(/Bearer\s+\S/i);
      expect(stdout).not.toMatch(/eyJ[0-9a-f]{16,}/);
      expect(stdout).not.toMatch(/RT1-[0-9a-f]{16,}/);
      expect(stdout).not.toMatch(/\bAB[0-9a-f]{32}\b/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
