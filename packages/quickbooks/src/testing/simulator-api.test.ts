import { createHmac } from 'node:crypto';
import { createManualClock } from '@blueclerk/core';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { useSimulatorServer } from './test-support';
import { buildQuickBooksWebhookBody, sendQuickBooksWebhook, signQuickBooksWebhook } from './webhook-sender';

const start = useSimulatorServer();
const q = (text: string) => `query?query=${encodeURIComponent(text)}`;

describe('simulator query', () => {
  it('filters with =, IN, LIKE, <, > and AND; orders, pages, counts, hides inactive names', async () => {
    const { api, sim } = start();
    const realm = sim.realm();
    for (const name of ['Alpha', 'Beta', 'Gamma', 'Delta', "O'Brien"])
      realm.create('Customer', { DisplayName: name });
    realm.update('Customer', '4', { Active: false });

    const all = await api(q('select * from Customer'));
    expect(all.body.QueryResponse).toMatchObject({ startPosition: 1, maxResults: 4 });
    expect(all.body.QueryResponse.Customer.map((c: { DisplayName: string }) => c.DisplayName)).toEqual([
      'Alpha',
      'Beta',
      'Gamma',
      "O'Brien",
    ]);
    const inList = await api(q("SELECT * FROM Customer WHERE Id IN ('1', '3') ORDERBY DisplayName DESC"));
    expect(inList.body.QueryResponse.Customer.map((c: { Id: string }) => c.Id)).toEqual(['3', '1']);
    const like = await api(
      q("select * from Customer where DisplayName like '%ta' and Active in (true, false)"),
    );
    expect(like.body.QueryResponse.Customer.map((c: { DisplayName: string }) => c.DisplayName)).toEqual([
      'Beta',
      'Delta',
    ]);
    const escaped = await api(q("select * from Customer where DisplayName = 'o\\'brien'"));
    expect(escaped.body.QueryResponse.Customer[0].DisplayName).toBe("O'Brien");
    const page = await api(q('select * from Customer orderby Id startposition 2 maxresults 2'));
    expect(page.body.QueryResponse).toMatchObject({ startPosition: 2, maxResults: 2 });
    const count = await api(q('select count(*) from Customer'));
    expect(count.body.QueryResponse).toEqual({ totalCount: 4 });
    const empty = await api(q("select * from Customer where DisplayName = 'Nobody'"));
    expect(empty.body.QueryResponse).toEqual({});
    const since = await api(
      q("select * from Customer where MetaData.LastUpdatedTime > '2000-01-01T00:00:00-08:00'"),
    );
    expect(since.body.QueryResponse.Customer).toHaveLength(4);
    const bad = await api(q('select * from Customer where DisplayName = Acme or'));
    expect(bad.status).toBe(400);
    expect(bad.body.Fault.Error[0].code).toBe('4000');
  });

  it('caps MAXRESULTS at 1000 and accepts POSTed query text', async () => {
    const { api, sim } = start();
    const realm = sim.realm();
    for (let i = 0; i < 1005; i += 1) realm.create('Customer', { DisplayName: `C${i}` });
    const capped = await api(q('select * from Customer maxresults 5000'));
    expect(capped.body.QueryResponse.maxResults).toBe(1000);
    const posted = await api('query', {
      method: 'POST',
      body: 'select count(*) from Customer',
      headers: { 'content-type': 'application/text' },
    });
    expect(posted.body.QueryResponse.totalCount).toBe(1005);
  });
});

describe('simulator CDC', () => {
  it('returns changes per entity, deleted ones as status Deleted, and refuses look-backs over 30 days', async () => {
    const clock = createManualClock(Date.UTC(2026, 2, 1));
    const { api, sim } = start({ clock });
    const realm = sim.realm();
    const customer = realm.create('Customer', { DisplayName: 'Acme' });
    const item = realm.create('Item', { Name: 'Repair', IncomeAccountRef: { value: '79' } });
    clock.advance(60_000);
    const since = new Date(clock.now()).toISOString();
    const invoice = realm.create('Invoice', {
      CustomerRef: { value: customer.Id },
      Line: [
        {
          DetailType: 'SalesItemLineDetail',
          Amount: 10,
          SalesItemLineDetail: { ItemRef: { value: item.Id } },
        },
      ],
    });
    realm.delete('Invoice', invoice.Id as string);
    realm.update('Customer', customer.Id as string, { CompanyName: 'Acme Inc' });

    const cdc = await api(`cdc?entities=Customer,Item,Invoice&changedSince=${encodeURIComponent(since)}`);
    const [customers, items, invoices] = cdc.body.CDCResponse[0].QueryResponse;
    expect(customers.Customer[0]).toMatchObject({ Id: customer.Id, CompanyName: 'Acme Inc' });
    expect(items).toEqual({});
    expect(invoices.Invoice[0]).toMatchObject({ Id: invoice.Id, status: 'Deleted', domain: 'QBO' });

    const old = new Date(clock.now() - 31 * 24 * 3600 * 1000).toISOString();
    const refused = await api(`cdc?entities=Customer&changedSince=${encodeURIComponent(old)}`);
    expect(refused.status).toBe(400);
    expect(refused.body.Fault.Error[0].Detail).toContain('older than fixed days');
  });

  it('answers at most 1000 objects, oldest changes first', async () => {
    const clock = createManualClock(Date.UTC(2026, 2, 1));
    const { api, sim } = start({ clock });
    const since = new Date(clock.now()).toISOString();
    for (let i = 0; i < 1010; i += 1) {
      clock.advance(1000);
      sim.realm().create('Customer', { DisplayName: `C${i}` });
    }
    const cdc = await api(`cdc?entities=Customer&changedSince=${encodeURIComponent(since)}`);
    const customers = cdc.body.CDCResponse[0].QueryResponse[0].Customer;
    expect(customers).toHaveLength(1000);
    expect(customers.at(-1).DisplayName).toBe('C999');
  });
});

describe('simulator batch and requestid', () => {
  it('runs up to 30 items, correlating each response (entity or Fault) by bId', async () => {
    const { api, sim } = start();
    sim.realm().create('Customer', { DisplayName: 'Taken' });
    const items = [
      { bId: 'a', operation: 'create', Customer: { DisplayName: 'New One' } },
      { bId: 'b', operation: 'create', Customer: { DisplayName: 'Taken' } },
      { bId: 'c', Query: 'select count(*) from Customer' },
    ];
    const batch = await api('batch', { json: { BatchItemRequest: items } });
    expect(batch.status).toBe(200);
    const byId = Object.fromEntries(batch.body.BatchItemResponse.map((r: { bId: string }) => [r.bId, r]));
    expect(byId.a.Customer.DisplayName).toBe('New One');
    expect(byId.b.Fault.Error[0].code).toBe('6240');
    expect(byId.c.QueryResponse.totalCount).toBe(2);

    const tooMany = Array.from({ length: 31 }, (_, i) => ({
      bId: String(i),
      Customer: { DisplayName: `B${i}` },
    }));
    const refused = await api('batch', { json: { BatchItemRequest: tooMany } });
    expect(refused.status).toBe(400);
    expect(sim.realm().list('Customer')).toHaveLength(2);
  });

  it('voids through a batch update with optionsData "void"', async () => {
    const { api, sim } = start();
    const realm = sim.realm();
    const c = realm.create('Customer', { DisplayName: 'Acme' });
    const inv = realm.create('Invoice', {
      CustomerRef: { value: c.Id },
      Line: [{ DetailType: 'SalesItemLineDetail', Amount: 5 }],
    });
    const batch = await api('batch', {
      json: {
        BatchItemRequest: [
          { bId: '1', operation: 'update', optionsData: 'void', Invoice: { Id: inv.Id, SyncToken: '0' } },
        ],
      },
    });
    expect(batch.body.BatchItemResponse[0].Invoice).toMatchObject({ TotalAmt: 0, PrivateNote: 'Voided' });
  });

  it('replays the original response for a repeated requestid without creating twice', async () => {
    const { api, sim } = start();
    const first = await api('customer?requestid=req-1', { json: { DisplayName: 'Acme' } });
    const second = await api('customer?requestid=req-1', { json: { DisplayName: 'Something else' } });
    expect(second).toEqual(first);
    expect(sim.realm().list('Customer')).toHaveLength(1);
    expect(sim.stats()).toMatchObject({ replayed: 1, created: { Customer: 1 } });
    const tooLong = await api(`customer?requestid=${'x'.repeat(51)}`, { json: { DisplayName: 'B' } });
    expect(tooLong.status).toBe(400);
  });
});

describe('simulator requestid window', () => {
  it('forgets a requestid after requestIdReplayWindowMs and runs a repeat again', async () => {
    const clock = createManualClock();
    const { api, sim } = start({ clock, requestIdReplayWindowMs: 60_000 });
    const first = await api('customer?requestid=req-w', { json: { DisplayName: 'Acme' } });
    clock.advance(59_999);
    expect(await api('customer?requestid=req-w', { json: { DisplayName: 'Acme' } })).toEqual(first);
    expect(sim.realm().requestIds()).toEqual(['req-w']);
    clock.advance(1);
    expect(sim.realm().requestIds()).toEqual([]);
    const again = await api('customer?requestid=req-w', { json: { DisplayName: 'Acme 2' } });
    expect(again.body.Customer.DisplayName).toBe('Acme 2');
    expect(sim.realm().list('Customer')).toHaveLength(2);
    expect(sim.stats()).toMatchObject({ replayed: 1, created: { Customer: 2 } });
  });
});

describe('simulator limits and faults', () => {
  it('throttles past the per-minute limit with the 3001 fault, and recovers after the window', async () => {
    const clock = createManualClock();
    const { api } = start({ clock, rateLimits: { perMinute: 5 } });
    for (let i = 0; i < 5; i += 1) expect((await api('companyinfo/x')).status).toBe(200);
    const throttled = await api('companyinfo/x');
    expect(throttled.status).toBe(429);
    // Throttling is XML even though the request asked for JSON.
    expect(typeof throttled.body).toBe('string');
    expect(throttled.body).toContain('<Fault type="SERVICE"><Error code="3001">');
    clock.advance(60_001);
    expect((await api('companyinfo/x')).status).toBe(200);
  });

  it('throttles the 11th concurrent request of a realm', async () => {
    const { api, sim } = start({ latency: 40 });
    const results = await Promise.all(Array.from({ length: 11 }, () => api('companyinfo/x')));
    expect(results.filter((r) => r.status === 429)).toHaveLength(1);
    expect(sim.stats()).toMatchObject({ maxConcurrent: 10, throttled: 1 });
  });

  it('switches on 5xx, hangs and lost responses; a lost create is found again by its requestid', async () => {
    const { api, sim } = start();
    sim.faults.inject({ kind: 'server_error', status: 503, match: { method: 'POST', path: '/customer' } });
    const failed = await api('customer', { json: { DisplayName: 'Acme' } });
    expect(failed.status).toBe(503);
    expect(failed.body.Fault).toMatchObject({ type: 'SystemFault', Error: [{ code: '10000' }] });
    expect(sim.realm().list('Customer')).toHaveLength(0);

    sim.faults.inject({ kind: 'lose_response', match: { path: '/customer' } });
    await expect(api('customer?requestid=r1', { json: { DisplayName: 'Acme' } })).rejects.toThrow();
    expect(sim.realm().list('Customer')).toHaveLength(1);
    const retry = await api('customer?requestid=r1', { json: { DisplayName: 'Acme' } });
    expect(retry.body.Customer.DisplayName).toBe('Acme');
    expect(sim.realm().list('Customer')).toHaveLength(1);

    sim.faults.inject({ kind: 'hang' });
    await expect(api('companyinfo/x', { signal: AbortSignal.timeout(50) })).rejects.toThrow();
    expect(sim.stats().faultsFired).toBe(3);
  });
});

describe('webhook sender', () => {
  it('signs the raw body with HMAC-SHA256 of the verifier token, in both payload formats', async () => {
    const { server } = start();
    const legacy = buildQuickBooksWebhookBody({
      format: 'legacy',
      notifications: [{ realmId: '123', changes: [{ name: 'Payment', id: '9', operation: 'Create' }] }],
    });
    expect(JSON.parse(legacy).eventNotifications[0]).toMatchObject({
      realmId: '123',
      dataChangeEvent: { entities: [{ name: 'Payment', id: '9', operation: 'Create' }] },
    });
    const expected = createHmac('sha256', 'verifier').update(legacy).digest('base64');
    expect(await signQuickBooksWebhook(legacy, 'verifier')).toBe(expected);

    let received: { body: string; signature: string | null } | undefined;
    server.use(
      http.post('https://app.example/webhooks/quickbooks', async ({ request }) => {
        received = { body: await request.text(), signature: request.headers.get('intuit-signature') };
        return new HttpResponse(null, { status: 200 });
      }),
    );
    const sent = await sendQuickBooksWebhook({
      url: 'https://app.example/webhooks/quickbooks',
      verifierToken: 'verifier',
      format: 'cloudevents',
      notifications: [{ realmId: '123', changes: [{ name: 'Invoice', id: '7', operation: 'Update' }] }],
    });
    expect(sent.response.status).toBe(200);
    expect(received?.signature).toBe(
      createHmac('sha256', 'verifier')
        .update(received?.body ?? '')
        .digest('base64'),
    );
    expect(JSON.parse(received?.body ?? '[]')[0]).toMatchObject({
      specversion: '1.0',
      type: 'qbo.invoice.updated.v1',
      intuitentityid: '7',
      intuitaccountid: '123',
    });
  });
});
