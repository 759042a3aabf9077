import {
  AuthError,
  BlueClerkError,
  createManualClock,
  money,
  parseCustomer,
  parseInvoice,
  RateLimitError,
} from '@blueclerk/core';
import { describe, expect, it } from 'vitest';
import { parseQuickBooksFault } from './errors';
import { useProviderHarness } from './test-support';
import { QUICKBOOKS_URLS, SimulatorWriteError } from './testing/index';

/** Issue 21: where the provider and its simulator used to differ from the real QuickBooks API. */

const start = useProviderHarness();

async function failure(promise: Promise<unknown>): Promise<BlueClerkError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(BlueClerkError.isInstance(error)).toBe(true);
  return error as BlueClerkError;
}

const invoiceFor = (customerId: string, number: string | null) =>
  parseInvoice({
    number,
    customer: { id: customerId },
    issueDate: '2026-01-02',
    dueDate: '2026-02-01',
    status: 'OPEN',
    currency: 'USD',
    lines: [
      {
        description: 'Call-out',
        item: null,
        quantity: 1,
        unitPrice: money(12000, 'USD'),
        amount: money(12000, 'USD'),
        taxCode: null,
      },
    ],
    total: money(12000, 'USD'),
    balance: money(12000, 'USD'),
  });

const basic = (id: string, secret: string) => `Basic ${btoa(`${id}:${secret}`)}`;

describe('1. Fault parsing', () => {
  it('reads the lower-case 403 envelope with null fields: 3100 is needs_reconnect', async () => {
    const { provider, ctx, sim } = start();
    sim.addRealm('9130350000000999');
    // A token of one company used on another's URL: the gateway's 403 body, `detail: null, element: null`.
    const error = await failure(provider.customers.get({ ...ctx, tenantId: '9130350000000999' }, '1'));
    expect(AuthError.isInstance(error)).toBe(true);
    expect(error.code).toBe('needs_reconnect');
  });

  it('reads both JSON envelopes, null members and XML faults', () => {
    expect(
      parseQuickBooksFault(
        '{"fault":{"error":[{"message":"m","detail":null,"code":"3100","element":null}],"type":"SERVICE"}}',
      ),
    ).toEqual({ type: 'SERVICE', errors: [{ code: '3100', message: 'm', detail: null, element: null }] });
    expect(parseQuickBooksFault({ Fault: { Error: [{ Message: null, code: 6240 }], type: null } })).toEqual({
      type: null,
      errors: [{ code: '6240', message: '', detail: null, element: null }],
    });
    expect(
      parseQuickBooksFault(
        '<?xml version="1.0"?><IntuitResponse xmlns="http://schema.intuit.com/finance/v3"><Fault type="AuthenticationFault">' +
          '<Error code="3200"><Message>message=AuthenticationFailed; errorCode=003200; statusCode=401</Message>' +
          '<Detail>Token &amp; key</Detail></Error></Fault></IntuitResponse>',
      ),
    ).toEqual({
      type: 'AuthenticationFault',
      errors: [
        {
          code: '3200',
          message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
          detail: 'Token & key',
          element: null,
        },
      ],
    });
  });
});

describe('4. Query literals', () => {
  it('escapes backslashes: an item named `Pipe 1/2\\` is found by name', async () => {
    const { provider, ctx, sim } = start();
    sim.realm().create('Item', { Name: 'Pipe 1/2\\', IncomeAccountRef: { value: '79' } });
    const found = await provider.items.findByName(ctx, 'Pipe 1/2\\');
    expect(found.map((r) => r.data.name)).toEqual(['Pipe 1/2\\']);
    // The simulator parses like QuickBooks: the unescaped form never ends its literal.
    const raw = await fetch(
      `${QUICKBOOKS_URLS.sandbox}/v3/company/${sim.defaultRealmId}/query?query=${encodeURIComponent("select * from Item where Name = 'Pipe 1/2\\'")}`,
      {
        headers: {
          authorization: `Bearer ${sim.oauth.issueTokens().access_token}`,
          accept: 'application/json',
        },
      },
    );
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { Fault: { Error: Array<{ code: string }> } }).Fault.Error[0]?.code).toBe(
      '4000',
    );
  });
});

describe('5. Revoke', () => {
  it("with revokeRequests 'json' the simulator takes only Intuit's JSON {token} body with HTTP Basic", async () => {
    const { sim, tokens } = start({ sim: { revokeRequests: 'json' } });
    const auth = basic(sim.client.clientId, sim.client.clientSecret);
    const form = await fetch(QUICKBOOKS_URLS.revoke, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refresh_token }).toString(),
    });
    expect(form.status).toBe(400);
    expect(sim.oauth.isRefreshTokenLive(tokens.refresh_token)).toBe(true);
    const json = await fetch(QUICKBOOKS_URLS.revoke, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ token: tokens.refresh_token }),
    });
    expect(json.status).toBe(200);
    expect(sim.oauth.isRefreshTokenLive(tokens.refresh_token)).toBe(false);
  });
});

describe('6. Messages a business user reads', () => {
  it('name what QuickBooks said once, with no API path or realm id; details keep both', async () => {
    const { provider, ctx, sim } = start();
    const customer = sim.realm().create('Customer', { DisplayName: 'Dana Harper' });
    await provider.invoices.create(ctx, invoiceFor(customer.Id as string, '1001'));
    const error = await failure(provider.invoices.create(ctx, invoiceFor(customer.Id as string, '1001')));
    expect(error.code).toBe('duplicate');
    expect(error.message).toMatch(
      /^QuickBooks could not save the invoice: Duplicate Document Number Error: /,
    );
    expect(error.message).not.toContain('/v3/company');
    expect(error.message).not.toContain(sim.defaultRealmId);
    expect(error.message.match(/Duplicate Document Number Error/g)).toHaveLength(1);
    expect(error.details).toMatchObject({
      request: expect.stringContaining(`/v3/company/${sim.defaultRealmId}/invoice`),
      status: 400,
    });
  });

  it('gateway code lines become plain words', async () => {
    const { provider, ctx, sim } = start();
    sim.addRealm('9130350000000999');
    const error = await failure(provider.customers.get({ ...ctx, tenantId: '9130350000000999' }, '1'));
    expect(error.message).toBe(
      'QuickBooks could not read the customer: QuickBooks no longer authorizes this app for the company',
    );
  });
});

describe('7. The simulator, stricter and truer', () => {
  it('401 as XML AuthenticationFault when so configured; throttling as XML 3001, read as a rate limit', async () => {
    const { sim } = start({ sim: { unauthorizedFormat: 'xml', rateLimits: { perMinute: 1 } } });
    const url = `${QUICKBOOKS_URLS.sandbox}/v3/company/${sim.defaultRealmId}/companyinfo/${sim.defaultRealmId}`;
    const unauthorized = await fetch(url, {
      headers: { authorization: 'Bearer nope', accept: 'application/json' },
    });
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.text()).toContain('<Fault type="AuthenticationFault"><Error code="3200">');
    const { provider, ctx } = start({ sim: { rateLimits: { perMinute: 1 } } });
    await provider.customers.get(ctx, '1').catch(() => null);
    const error = await failure(provider.customers.get(ctx, '1'));
    expect(RateLimitError.isInstance(error)).toBe(true);
  });

  it('refuses a filter on a property QuickBooks does not filter on (4001); findByEmail falls back to a scan', async () => {
    const { provider, ctx, sim } = start();
    sim.realm().create('Customer', { DisplayName: 'Acme', PrimaryEmailAddr: { Address: 'ops@acme.test' } });
    const found = await provider.customers.findByEmail(ctx, 'OPS@acme.test');
    expect(found.map((r) => r.data.displayName)).toEqual(['Acme']);
    const raw = await fetch(
      `${QUICKBOOKS_URLS.sandbox}/v3/company/${sim.defaultRealmId}/query?query=${encodeURIComponent("select * from Customer where PrimaryEmailAddr = 'x@y.z'")}`,
      {
        headers: {
          authorization: `Bearer ${sim.oauth.issueTokens().access_token}`,
          accept: 'application/json',
        },
      },
    );
    const body = (await raw.json()) as { Fault: { Error: Array<{ code: string; Detail: string }> } };
    expect(raw.status).toBe(400);
    expect(body.Fault.Error[0]).toMatchObject({
      code: '4001',
      Detail: expect.stringContaining('not queryable'),
    });
  });

  it('keeps a customer with an open balance active, and display names unique across customers, vendors and employees', () => {
    const { sim } = start();
    const realm = sim.realm();
    const customer = realm.create('Customer', { DisplayName: 'Owes Money' });
    realm.create('Invoice', {
      CustomerRef: { value: customer.Id },
      Line: [{ DetailType: 'SalesItemLineDetail', Amount: 50 }],
    });
    expect(() => realm.update('Customer', customer.Id as string, { Active: false })).toThrow(
      SimulatorWriteError,
    );
    realm.create('Vendor', { DisplayName: 'Shared Name' });
    expect(() => realm.create('Customer', { DisplayName: 'Shared Name' })).toThrow(/6240/);
    expect(() => realm.create('Employee', { DisplayName: 'owes money' })).toThrow(/6240/);
  });

  it('sandbox profile: 100 requests a minute per app across its companies', async () => {
    const { provider, ctx, sim } = start({ sim: { rateLimitProfile: 'sandbox' } });
    sim.addRealm('9130350000000777');
    const other = sim.oauth.issueTokens('9130350000000777');
    for (let i = 0; i < 99; i += 1) await provider.customers.get(ctx, String(i + 1000));
    const url = `${QUICKBOOKS_URLS.sandbox}/v3/company/9130350000000777/customer/1`;
    const headers = { authorization: `Bearer ${other.access_token}`, accept: 'application/json' };
    expect((await fetch(url, { headers })).status).toBe(400); // the 100th: admitted (Object Not Found)
    expect((await fetch(url, { headers })).status).toBe(429);
  });

  it('forgets a requestid after 24 h by default; a batch with a requestid takes bIds of at most 10 characters', async () => {
    const clock = createManualClock(Date.UTC(2026, 0, 15, 12));
    const { sim, tokens } = start({ clock, sim: { accessTokenTtlSec: 10 ** 7 } });
    const api = (path: string, json: unknown) =>
      fetch(`${QUICKBOOKS_URLS.sandbox}/v3/company/${sim.defaultRealmId}/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify(json),
      });
    await api('customer?requestid=r-1', { DisplayName: 'Once' });
    clock.advance(23 * 3600 * 1000);
    expect(sim.realm().requestIds()).toEqual(['r-1']);
    clock.advance(2 * 3600 * 1000);
    expect(sim.realm().requestIds()).toEqual([]);
    const long = await api('batch?requestid=b-1', {
      BatchItemRequest: [{ bId: 'elevenchars', operation: 'create', Customer: { DisplayName: 'B' } }],
    });
    expect(long.status).toBe(400);
    const short = await api('batch?requestid=b-2', {
      BatchItemRequest: [{ bId: 'ten-chars!', operation: 'create', Customer: { DisplayName: 'B' } }],
    });
    expect(short.status).toBe(200);
  });

  it('stamps MetaData in the company time zone, daylight saving included', () => {
    const clock = createManualClock(Date.UTC(2026, 0, 15, 20));
    const { sim } = start({ clock });
    const winter = sim.realm().create('Customer', { DisplayName: 'Winter' });
    clock.advance(180 * 24 * 3600 * 1000);
    const summer = sim.realm().create('Customer', { DisplayName: 'Summer' });
    expect((winter.MetaData as { CreateTime: string }).CreateTime).toBe('2026-01-15T12:00:00-08:00');
    expect((summer.MetaData as { CreateTime: string }).CreateTime).toMatch(/-07:00$/);
  });
});

describe('8. Payment links', () => {
  it('sends BillEmail and online payment per the connection setting, asks for invoiceLink and maps it', async () => {
    const { provider, ctx, sim } = start();
    const realm = sim.realm();
    const customer = await provider.customers.create(
      ctx,
      parseCustomer({ displayName: 'Pays Online', email: 'ap@pays.test' }),
    );
    const withLinks = { ...ctx, settings: { onlinePayment: { card: true, ach: true } } };
    const created = await provider.invoices.create(withLinks, invoiceFor(customer.providerId, '2001'));
    expect(created.data.paymentLinkUrl).toMatch(/^https:\/\/connect\.intuit\.com\//);
    expect(realm.get('Invoice', created.providerId)).toMatchObject({
      BillEmail: { Address: 'ap@pays.test' },
      AllowOnlineCreditCardPayment: true,
      AllowOnlineACHPayment: true,
    });
    const read = await provider.invoices.get(withLinks, created.providerId);
    expect(read?.data.paymentLinkUrl).toBe(created.data.paymentLinkUrl);
    // Without the setting nothing asks for a link, and QuickBooks sends none.
    const plain = await provider.invoices.create(ctx, invoiceFor(customer.providerId, '2002'));
    expect(plain.data.paymentLinkUrl).toBeNull();
    expect(realm.get('Invoice', plain.providerId)).not.toHaveProperty('BillEmail');
  });

  it('the simulator gives no link without include=invoiceLink, a BillEmail, or online payment allowed', async () => {
    const { sim, tokens } = start();
    const c = sim.realm().create('Customer', { DisplayName: 'X' });
    const post = async (query: string, extra: Record<string, unknown>) => {
      const response = await fetch(
        `${QUICKBOOKS_URLS.sandbox}/v3/company/${sim.defaultRealmId}/invoice?${query}`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            CustomerRef: { value: c.Id },
            Line: [{ DetailType: 'SalesItemLineDetail', Amount: 5 }],
            ...extra,
          }),
        },
      );
      return ((await response.json()) as { Invoice: { InvoiceLink?: string } }).Invoice.InvoiceLink;
    };
    const all = { BillEmail: { Address: 'a@b.test' }, AllowOnlineCreditCardPayment: true };
    expect(await post('minorversion=75', all)).toBeUndefined();
    expect(await post('minorversion=35&include=invoiceLink', all)).toBeUndefined();
    expect(
      await post('minorversion=75&include=invoiceLink', { AllowOnlineCreditCardPayment: true }),
    ).toBeUndefined();
    expect(
      await post('minorversion=75&include=invoiceLink', { BillEmail: { Address: 'a@b.test' } }),
    ).toBeUndefined();
    expect(await post('minorversion=75&include=invoiceLink', all)).toMatch(/^https:\/\//);
  });
});
