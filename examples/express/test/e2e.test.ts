import type { Logger } from '@blueclerk/core';
import {
  buildQuickBooksWebhookBody,
  type QuickBooksSimulator,
  sendQuickBooksWebhook,
  signQuickBooksWebhook,
} from '@blueclerk/quickbooks/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestSecrets, waitFor } from './support';

/**
 * The whole story over real HTTP: the app listens on a real port with the embedded store (PGlite in a temp
 * folder, as with no DATABASE_URL) and the in-process QuickBooks simulator; the test is the browser, the front end
 * and Intuit's webhook sender.
 */

let t: TestApp;
let sim: QuickBooksSimulator;
let base: string;
let SECRETS: TestSecrets;
const logLines: string[] = [];
/** Every response body the app sent, checked for secrets at the end. */
let bodies: string[] = [];
/** Authorization codes seen in redirects: single-use, but still never to be echoed. */
const codes: string[] = [];

const logger: Logger = {
  log: (level, message, fields) => logLines.push(JSON.stringify({ level, message, fields })),
};

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  t.call(method, path, body, headers);

const state: {
  connectionId: string;
  customers: Record<string, string>;
  items: Record<string, string>;
  invoiceId: string;
  qboInvoiceId: string;
} = { connectionId: '', customers: {}, items: {}, invoiceId: '', qboInvoiceId: '' };

const invoiceLines = () => [
  { itemId: state.items['Drain cleaning'], quantity: 2, unitPrice: 12_000 },
  { itemId: state.items['Service call'], quantity: 1, unitPrice: 7_550 },
];

beforeAll(async () => {
  t = await startTestApp({ logger });
  ({ sim, base, bodies } = t);
  SECRETS = t.secrets;
});

afterAll(async () => {
  await t?.close();
});

describe('Express example, end to end over HTTP', () => {
  it('starts with no integration', async () => {
    const reply = await call('GET', '/integrations');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ integrations: [] });
  });

  it('connects QuickBooks through the OAuth redirect, as a browser does', async () => {
    const started = await call('POST', '/integrations/quickbooks/connect', {
      returnTo: '/settings/integrations',
    });
    expect(started.status).toBe(200);
    const authorize = new URL(started.body.url);
    expect(authorize.searchParams.get('client_id')).toBe(SECRETS.clientId);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${base}/oauth/quickbooks/callback`);
    expect(authorize.searchParams.get('state')).toBeTruthy();
    state.connectionId = started.body.connectionId;
    const setCookie = started.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(
      /^blueclerk_oauth_quickbooks=[0-9a-f]{64}; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/,
    );
    const cookie = setCookie.split(';')[0] ?? '';

    // The consent step: the simulator answers like Intuit, redirecting back with code, state and realmId.
    const consent = await fetch(authorize, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const callbackUrl = new URL(consent.headers.get('location') ?? '');
    expect(`${callbackUrl.origin}${callbackUrl.pathname}`).toBe(`${base}/oauth/quickbooks/callback`);
    expect(callbackUrl.searchParams.get('realmId')).toBe(sim.defaultRealmId);
    codes.push(callbackUrl.searchParams.get('code') ?? '');

    // Login CSRF: the same callback completed in a browser without the cookie (the victim's) connects nothing,
    // and does not use up the real attempt.
    const forged = await fetch(callbackUrl, { redirect: 'manual' });
    bodies.push(await forged.text());
    expect(forged.status).toBe(400);
    expect((await call('GET', '/integrations')).body.integrations).toEqual([]);

    const callback = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie } });
    bodies.push(await callback.text());
    expect(callback.status).toBe(302);
    expect(callback.headers.get('set-cookie')).toContain('blueclerk_oauth_quickbooks=; Path=/; Max-Age=0');
    expect(callback.headers.get('location')).toBe('/settings/integrations');

    // A replayed callback (back button, a leaked URL) is refused: the state is single-use.
    const replay = await call('GET', `${callbackUrl.pathname}${callbackUrl.search}`, undefined, { cookie });
    expect(replay.status).toBe(400);
    expect(replay.body.error.code).toBe('oauth_state_invalid');
  });

  it('imports QuickBooks customers and items after connecting', async () => {
    const listed = await waitFor(
      () => call('GET', '/integrations'),
      (reply) => reply.body.integrations[0]?.import?.status === 'done',
    );
    const [integration] = listed.body.integrations;
    expect(integration).toMatchObject({
      connectionId: state.connectionId,
      provider: 'quickbooks',
      tenantId: sim.defaultRealmId,
      connectionStatus: 'active',
      health: { status: 'healthy' },
      import: { status: 'done', customers: { created: 3, failed: 0 }, items: { created: 3, failed: 0 } },
    });
    expect(JSON.stringify(integration)).not.toMatch(/token/i);

    const customers = (await call('GET', '/customers')).body.customers;
    const items = (await call('GET', '/items')).body.items;
    for (const c of customers) state.customers[c.displayName] = c.id;
    for (const i of items) state.items[i.name] = i.id;
    expect(Object.keys(state.customers).sort()).toEqual(['Acme Plumbing', 'Bright Dental', 'Corner Bakery']);
    expect(items.find((i: { name: string }) => i.name === 'Service call').unitPrice).toEqual({
      amount: 7550,
      currency: 'USD',
    });
  });

  it('keeps a DRAFT invoice out of QuickBooks', async () => {
    const created = await call('POST', '/invoices', {
      customerId: state.customers['Acme Plumbing'],
      lines: invoiceLines(),
    });
    expect(created.status).toBe(201);
    expect(created.body.invoice).toMatchObject({
      status: 'DRAFT',
      total: { amount: 31_550, currency: 'USD' },
    });
    expect(created.body.sync).toMatchObject({ status: 'skipped', reason: 'draft' });
    state.invoiceId = created.body.invoice.id;
    expect(sim.realm().list('Invoice')).toHaveLength(0);
  });

  it('pushes the invoice when it is set OPEN', async () => {
    const opened = await call('PATCH', `/invoices/${state.invoiceId}/status`, { status: 'OPEN' });
    expect(opened.status).toBe(200);
    expect(opened.body.sync).toMatchObject({ status: 'synced', action: 'created' });
    state.qboInvoiceId = opened.body.sync.providerId;
    expect(opened.body.invoice.quickbooks.invoiceId).toBe(state.qboInvoiceId);
    const inQuickBooks = sim.realm().list('Invoice');
    expect(inQuickBooks).toHaveLength(1);
    expect(inQuickBooks[0]).toMatchObject({
      Id: state.qboInvoiceId,
      DocNumber: opened.body.invoice.number,
      TotalAmt: 315.5,
    });
    // The customer was imported from QuickBooks, so the invoice points at that record instead of a copy.
    expect(sim.realm().list('Customer')).toHaveLength(3);
  });

  it('records a double-clicked payment once, and posts it to QuickBooks once', async () => {
    const key = crypto.randomUUID();
    const payment = { amount: 10_000, method: 'check', reference: 'CHK-2044' };
    const path = `/invoices/${state.invoiceId}/payments`;
    const [first, second] = await Promise.all([
      call('POST', path, payment, { 'idempotency-key': key }),
      call('POST', path, payment, { 'idempotency-key': key }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 201]);
    expect(first.body.payment.id).toBe(second.body.payment.id);
    const replayed = first.status === 200 ? first : second;
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    for (const reply of [first, second])
      expect(['synced', 'already_synced']).toContain(reply.body.sync.status);

    const third = await call('POST', path, payment, { 'idempotency-key': key });
    expect(third.status).toBe(200);
    expect(third.body.sync).toMatchObject({
      status: 'already_synced',
      providerId: first.body.sync.providerId,
    });

    const payments = sim.realm().list('Payment');
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ TotalAmt: 100 });
    const invoice = (await call('GET', `/invoices/${state.invoiceId}`)).body.invoice;
    expect(invoice.payments).toHaveLength(1);
    expect(invoice.balance).toEqual({ amount: 21_550, currency: 'USD' });

    // The same key for another request is a client bug, not a new payment.
    const reused = await call('POST', path, { ...payment, amount: 500 }, { 'idempotency-key': key });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('conflict');
    const keyless = await call('POST', path, payment);
    expect(keyless.status).toBe(400);
    expect(keyless.body.error).toMatchObject({
      code: 'validation_failed',
      issues: [{ path: 'Idempotency-Key' }],
    });
    expect(sim.realm().list('Payment')).toHaveLength(1);
  });

  it('resyncs an invoice without duplicating it or its payment', async () => {
    const resynced = await call('POST', `/invoices/${state.invoiceId}/resync`);
    expect(resynced.status).toBe(200);
    expect(resynced.body.sync).toMatchObject({ status: 'synced', providerId: state.qboInvoiceId });
    expect(resynced.body.sync.payments).toEqual([expect.objectContaining({ status: 'already_synced' })]);
    expect(sim.realm().list('Invoice')).toHaveLength(1);
    expect(sim.realm().list('Payment')).toHaveLength(1);
  });

  it('applies a payment made in QuickBooks from a signed webhook, and refuses tampered ones', async () => {
    const created = await call('POST', '/invoices', {
      customerId: state.customers['Bright Dental'],
      status: 'SENT',
      lines: [{ itemId: state.items['Water heater install'], quantity: 1, unitPrice: 95_000 }],
    });
    expect(created.body.sync).toMatchObject({ status: 'synced', action: 'created' });
    const invoiceId = created.body.invoice.id;
    const paidInQuickBooks = sim.realm().recordPayment({ invoiceId: created.body.sync.providerId });

    const notifications = [
      {
        realmId: sim.defaultRealmId,
        changes: [{ name: 'Payment', id: String(paidInQuickBooks.Id), operation: 'Create' as const }],
      },
    ];
    const url = `${base}/webhooks/quickbooks`;
    const delivered = await sendQuickBooksWebhook({
      url,
      verifierToken: SECRETS.verifier,
      format: 'cloudevents',
      notifications,
    });
    expect(delivered.response.status).toBe(200);
    const outcome = await delivered.response.json();
    bodies.push(JSON.stringify(outcome));
    expect(outcome.events).toEqual([expect.objectContaining({ status: 'applied', entityType: 'payment' })]);

    const paid = (await call('GET', `/invoices/${invoiceId}`)).body.invoice;
    expect(paid.status).toBe('PAID');
    expect(paid.balance.amount).toBe(0);
    expect(paid.payments).toHaveLength(1);

    // Intuit re-delivers: the same body is recognised and applied once.
    const again = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'intuit-signature': delivered.signature },
      body: delivered.body,
    });
    expect((await again.json()).events).toEqual([expect.objectContaining({ status: 'duplicate' })]);

    // Signed with another verifier, or changed after signing: 401, nothing processed.
    const forged = await sendQuickBooksWebhook({
      url,
      verifierToken: SECRETS.verifier,
      signWith: 'not-the-verifier-token-123',
      format: 'legacy',
      notifications,
    });
    expect(forged.response.status).toBe(401);
    const body = buildQuickBooksWebhookBody({ format: 'legacy', notifications });
    const signature = await signQuickBooksWebhook(body, SECRETS.verifier);
    const tampered = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'intuit-signature': signature },
      body: body.replace(String(paidInQuickBooks.Id), '999'),
    });
    expect(tampered.status).toBe(401);
    expect((await call('GET', `/invoices/${invoiceId}`)).body.invoice.payments).toHaveLength(1);
  });

  it('shows a sync failure in the banner feed and the notifications, until it is read', async () => {
    // Someone already used this invoice number in QuickBooks: QuickBooks refuses the push (Fault 6140).
    const realm = sim.realm();
    const qboCustomer = realm.list('Customer').find((c) => c.DisplayName === 'Corner Bakery');
    realm.create('Invoice', {
      DocNumber: 'BC-7777',
      CustomerRef: { value: qboCustomer?.Id },
      Line: [{ DetailType: 'SalesItemLineDetail', Amount: 10 }],
    });
    const created = await call('POST', '/invoices', {
      customerId: state.customers['Corner Bakery'],
      number: 'BC-7777',
      status: 'OPEN',
      lines: [{ itemId: state.items['Service call'], quantity: 1, unitPrice: 7_550 }],
    });
    expect(created.status).toBe(201);
    expect(created.body.sync).toMatchObject({ status: 'failed', failure: { code: 'duplicate' } });
    expect(created.body.sync.failure.action).toMatch(/invoice number/);
    const failedId = created.body.invoice.id;

    const banner = (await call('GET', '/notifications/banner')).body;
    const line = banner.items.find((item: { localId: string }) => item.localId === failedId);
    expect(line).toMatchObject({
      entityType: 'invoice',
      category: 'duplicate',
      connectionId: state.connectionId,
    });
    expect(line.action).toMatch(/invoice number/);

    const listed = (await call('GET', '/notifications?unreadOnly=true')).body.notifications;
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'sync.failed', localId: failedId, readAt: null }),
      ]),
    );
    const health = (await call('GET', '/integrations')).body.integrations[0].health;
    expect(health).toMatchObject({ status: 'degraded', lastError: { category: 'duplicate' } });

    const read = await call('POST', '/notifications/read', { ids: line.notificationIds });
    expect(read.body.updated).toBe(line.notificationIds.length);
    const after = (await call('GET', '/notifications/banner')).body;
    expect(after.items.find((item: { localId: string }) => item.localId === failedId)).toBeUndefined();
  });

  it('disconnects: tokens revoked, nothing syncs any more', async () => {
    const disconnected = await call('POST', `/integrations/${state.connectionId}/disconnect`);
    expect(disconnected.status).toBe(200);
    expect(disconnected.body).toMatchObject({
      connectionStatus: 'disconnected',
      revoked: true,
      revokeError: null,
    });
    const listed = (await call('GET', '/integrations')).body.integrations;
    expect(listed).toEqual([
      expect.objectContaining({ connectionId: state.connectionId, connectionStatus: 'disconnected' }),
    ]);

    const resync = await call('POST', `/invoices/${state.invoiceId}/resync`);
    expect(resync.status).toBe(409);
    expect(resync.body.error).toMatchObject({
      code: 'needs_reconnect',
      action: expect.stringMatching(/Connect QuickBooks/),
    });
    const unknown = await call('POST', '/integrations/conn_someone_else/disconnect');
    expect(unknown.status).toBe(404);
  });

  it('never put a token, secret, key or authorization code in a response or a log line', () => {
    const haystack = [...bodies, ...logLines].join('\n');
    expect(haystack.length).toBeGreaterThan(1000);
    for (const secret of [
      SECRETS.clientSecret,
      SECRETS.verifier,
      SECRETS.stateSecret,
      SECRETS.key,
      ...codes,
    ]) {
      expect(secret.length).toBeGreaterThan(8);
      expect(haystack).not.toContain(secret);
    }
    // The simulator's access and refresh tokens.
    expect(haystack).not.toMatch(/eyJ[0-9a-f]{40}/);
    expect(haystack).not.toMatch(/RT1-[0-9a-f]{20}/);
  });
});
