import { describe, expect, it } from 'vitest';
import { BlueClerkError, type ErrorCode } from '../errors/index';
import type { AccountRef } from '../model/common';
import type { Customer } from '../model/customer';
import type { Invoice } from '../model/invoice';
import type { Item } from '../model/item';
import type { ProviderCallContext } from '../provider/context';
import { type AccountingProvider, assertProviderSpec } from '../provider/spec';
import { randomReference } from '../runtime/ids';

/** What a provider package's test supplies, per test: usually a fresh simulator and a context pointing at it. */
export interface ProviderConformanceSetup<THttp> {
  /**
   * The provider instance to test in this setup, when it carries the simulator's state itself (like the fake
   * provider). Default: a fresh `createProvider()`.
   */
  provider?: AccountingProvider<THttp>;
  /** Context for calls against the simulator (tenant + HTTP client wired to it). */
  context: ProviderCallContext<THttp>;
  /** Currency of the simulated company. Default USD. */
  currency?: string;
  /** An income account that exists in the simulator (required where items need one). */
  incomeAccount?: AccountRef;
  /** Whether items keep a SKU (false for Wave). Default true. */
  itemsHaveSku?: boolean;
  /** Webhook fixtures, when the provider supports webhooks. */
  webhook?: {
    secret: string;
    /** A signed delivery with at least one event, exactly as the provider would send it. */
    sampleDelivery(): Promise<{ rawBody: string; headers: Record<string, string> }>;
  };
  /** Raw errors the provider's client throws, and the core code each must classify to. */
  wireErrors?: ReadonlyArray<{ error: unknown; code: ErrorCode }>;
  teardown?: () => Promise<void>;
}

export interface ProviderConformanceOptions<THttp> {
  /** Shown in the suite title, e.g. `quickbooks (simulator)`. */
  name: string;
  createProvider: () => AccountingProvider<THttp>;
  setup: () => Promise<ProviderConformanceSetup<THttp>>;
}

/**
 * Registers the provider conformance suite with vitest. A provider is conformant when it passes in full against its
 * own simulator; tests for capabilities a provider does not declare (payments on Wave, versions on Xero ...) are not
 * registered for it.
 *
 * ```ts
 * // quickbooks.conformance.test.ts
 * runProviderConformance({
 *   name: 'quickbooks (simulator)',
 *   createProvider: () => createQuickBooksProvider(settings),
 *   setup: async () => { const sim = createQuickBooksSimulator(); return { context: sim.context(), ... }; },
 * });
 * ```
 */
export function runProviderConformance<THttp>(options: ProviderConformanceOptions<THttp>): void {
  const probe = options.createProvider();
  const caps = probe.capabilities;

  const withSetup =
    (fn: (p: AccountingProvider<THttp>, s: ProviderConformanceSetup<THttp>) => Promise<void>) => async () => {
      const setup = await options.setup();
      const provider = setup.provider ?? options.createProvider();
      try {
        await fn(provider, setup);
      } finally {
        await setup.teardown?.();
      }
    };

  const unique = (label: string) => `${label} ${randomReference(8)}`;
  const customerData = (name: string, email: string | null): Customer => ({
    displayName: name,
    email,
    companyName: null,
    givenName: 'Ada',
    familyName: 'Lovelace',
    phone: '555-0100',
    billingAddress: null,
    shippingAddress: null,
    currency: null,
    notes: null,
    externalIds: {},
    active: true,
  });
  const itemData = (s: ProviderConformanceSetup<THttp>, name: string, sku: string | null): Item => ({
    name,
    description: 'Conformance item',
    sku,
    unitPrice: { amount: 2500, currency: s.currency ?? 'USD' },
    incomeAccount: s.incomeAccount ?? null,
    taxable: false,
    taxCode: null,
    type: 'service',
    active: true,
  });
  const invoiceData = (
    s: ProviderConformanceSetup<THttp>,
    customerId: string,
    itemId: string,
    number: string,
  ): Invoice => {
    const currency = s.currency ?? 'USD';
    return {
      number,
      customer: { id: customerId, name: null },
      issueDate: '2026-01-05',
      dueDate: '2026-02-04',
      status: 'OPEN',
      currency,
      lines: [
        {
          description: 'Labour',
          item: { id: itemId, name: null },
          quantity: 1.5,
          unitPrice: { amount: 2500, currency },
          amount: { amount: 3750, currency },
          taxCode: null,
        },
      ],
      taxTotal: null,
      total: { amount: 3750, currency },
      balance: { amount: 3750, currency },
      paymentLinkUrl: null,
      memo: null,
    };
  };
  const newInvoice = async (p: AccountingProvider<THttp>, s: ProviderConformanceSetup<THttp>) => {
    const customer = await p.customers.create(s.context, customerData(unique('Conf Customer'), null));
    const item = await p.items.create(s.context, itemData(s, unique('Conf Item'), null));
    const number = randomReference(10);
    return p.invoices.create(s.context, invoiceData(s, customer.providerId, item.providerId, number));
  };
  const codeOf = async (p: AccountingProvider<THttp>, promise: Promise<unknown>): Promise<string> => {
    try {
      await promise;
    } catch (error) {
      return p.classifyError(error).code;
    }
    return 'no error';
  };

  describe(`provider conformance: ${options.name}`, () => {
    it('declares a consistent v1 spec', () => {
      expect(probe.specVersion).toBe('v1');
      expect(() => assertProviderSpec(probe)).not.toThrow();
      expect(probe.oauth.endpoints.authorizeUrl).toMatch(/^https:\/\//);
      expect(probe.oauth.endpoints.tokenUrl).toMatch(/^https:\/\//);
      expect(probe.tokenPolicy.accessTokenTtlSec).toBeGreaterThan(0);
    });

    it(
      'customers: create, get, update round trip',
      withSetup(async (p, s) => {
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
      }),
    );

    it(
      'customers: findByEmail matches trimmed and case-insensitively',
      withSetup(async (p, s) => {
        const email = `${randomReference(8).toLowerCase()}@conformance.test`;
        const created = await p.customers.create(s.context, customerData(unique('Conf Email'), email));
        const found = await p.customers.findByEmail(s.context, `  ${email.toUpperCase()} `);
        expect(found.map((r) => r.providerId)).toContain(created.providerId);
        expect(await p.customers.findByEmail(s.context, 'nobody-here@conformance.test')).toEqual([]);
      }),
    );

    it(
      'customers: paging with cursors reaches every record',
      withSetup(async (p, s) => {
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
      }),
    );

    it(
      'items: create, get, find by name and SKU, update',
      withSetup(async (p, s) => {
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
      }),
    );

    it(
      'invoices: create computes totals; get, findByNumber and update round trip',
      withSetup(async (p, s) => {
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
      }),
    );

    it(
      'missing records: get returns null, update fails as not_found',
      withSetup(async (p, s) => {
        expect(await p.customers.get(s.context, '999999999')).toBeNull();
        expect(await p.invoices.get(s.context, '999999999')).toBeNull();
        const code = await codeOf(
          p,
          p.customers.update(s.context, '999999999', customerData(unique('Ghost'), null), { version: '0' }),
        );
        expect(code).toBe('not_found');
      }),
    );

    it(
      'classifies errors into core error classes',
      withSetup(async (p, s) => {
        const typed = new BlueClerkError('rate_limited', 'slow down', { retryable: true });
        expect(p.classifyError(typed)).toBe(typed);
        expect(BlueClerkError.isInstance(p.classifyError(new Error('boom')))).toBe(true);
        for (const sample of s.wireErrors ?? []) expect(p.classifyError(sample.error).code).toBe(sample.code);
      }),
    );

    if (caps.versionedUpdates) {
      it(
        'versioned updates: a stale version fails as conflict',
        withSetup(async (p, s) => {
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
        }),
      );
    }

    if (caps.voidInvoices) {
      it(
        'invoices: void',
        withSetup(async (p, s) => {
          const created = await newInvoice(p, s);
          const voidOp = p.invoices.void;
          expect(voidOp).toBeTypeOf('function');
          const voided = await voidOp?.(s.context, created.providerId, { version: created.version });
          expect(voided?.data.status).toBe('VOID');
        }),
      );
    }

    if (caps.payments === 'api') {
      it(
        'payments: create with our reference, find it by reference, get, list for invoice',
        withSetup(async (p, s) => {
          const payments = p.payments;
          if (!payments) throw new Error('payments capability is api but payments operations are missing');
          const invoice = await newInvoice(p, s);
          const reference = randomReference(20);
          const currency = s.currency ?? 'USD';
          const created = await payments.create(
            s.context,
            {
              amount: { amount: 1000, currency },
              date: '2026-01-10',
              method: 'check',
              invoice: { id: invoice.providerId, name: null },
              customer: invoice.data.customer,
              reference,
              memo: null,
            },
            { reference },
          );
          const found = await payments.findByReference(s.context, reference, {
            invoiceProviderId: invoice.providerId,
          });
          expect(found?.providerId).toBe(created.providerId);
          expect((await payments.get(s.context, created.providerId))?.data.amount.amount).toBe(1000);
          expect(
            (await payments.listForInvoice(s.context, invoice.providerId)).map((r) => r.providerId),
          ).toEqual([created.providerId]);
          expect((await p.invoices.get(s.context, invoice.providerId))?.data.balance.amount).toBe(2750);
          expect(
            await payments.findByReference(s.context, randomReference(20), {
              invoiceProviderId: invoice.providerId,
            }),
          ).toBeNull();
        }),
      );

      if (caps.idempotencyKey) {
        it(
          'payments: a repeated idempotency key does not post twice',
          withSetup(async (p, s) => {
            const payments = p.payments;
            if (!payments) throw new Error('payments operations are missing');
            const invoice = await newInvoice(p, s);
            const reference = randomReference(20);
            const key = `conf-${randomReference(16)}`.slice(0, caps.idempotencyKey?.maxLength ?? 32);
            const data = {
              amount: { amount: 500, currency: s.currency ?? 'USD' },
              date: '2026-01-10',
              method: 'cash' as const,
              invoice: { id: invoice.providerId, name: null },
              customer: invoice.data.customer,
              reference,
              memo: null,
            };
            const first = await payments.create(s.context, data, { reference, idempotencyKey: key });
            const second = await payments.create(s.context, data, { reference, idempotencyKey: key });
            expect(second.providerId).toBe(first.providerId);
            expect(await payments.listForInvoice(s.context, invoice.providerId)).toHaveLength(1);
          }),
        );
      }
    }

    if (caps.webhooks.supported) {
      it(
        'webhooks: verify accepts a good signature and rejects tampering; parse normalizes',
        withSetup(async (p, s) => {
          const webhooks = p.webhooks;
          if (!webhooks || !s.webhook)
            throw new Error('webhooks are declared but the setup has no webhook fixture');
          const delivery = await s.webhook.sampleDelivery();
          expect(await webhooks.verify(delivery.rawBody, delivery.headers, s.webhook.secret)).toBe(true);
          expect(await webhooks.verify(`${delivery.rawBody} `, delivery.headers, s.webhook.secret)).toBe(
            false,
          );
          expect(await webhooks.verify(delivery.rawBody, delivery.headers, `${s.webhook.secret}x`)).toBe(
            false,
          );
          expect(await webhooks.verify(delivery.rawBody, {}, s.webhook.secret)).toBe(false);
          const events = webhooks.parse(delivery.rawBody, delivery.headers);
          expect(events.length).toBeGreaterThan(0);
          for (const event of events) {
            expect(event.providerId).toBeTruthy();
            expect(event.tenantId).toBeTruthy();
            expect(event.deliveryId).toBeTruthy();
            expect(Number.isFinite(event.occurredAt)).toBe(true);
          }
        }),
      );
    }
  });
}
