import { BlueClerkError, ProviderError } from '@blueclerk/core/provider';

/** What a refused record carries: a typed malformed_response naming the wire fields in `details.issues`. */
type Refused = ProviderError & { issues: Array<{ path: string; message: string }> };

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { customerFromQbo } from './customer';
import { invoiceFromQbo, linkedPaymentIds } from './invoice';
import { itemFromQbo } from './item';
import { paymentFromQbo } from './payment';

/*
 * What QuickBooks (or anything pretending to be it, or a proxy mangling it) sends is input. A record of any shape
 * maps to a core record or fails with a typed error naming the entity and field - never a raw ZodError or TypeError,
 * which callers cannot tell from a bug - and each mapping returns quickly. The 50 ms bound is a behaviour bound
 * against CPU denial of service (a `TotalAmt` of `"1e20000000"`), not a benchmark.
 */
const MAX_MS_PER_CASE = 50;
const NUM_RUNS = 250;

type Mapper = (raw: unknown) => unknown;
const MAPPERS: Array<[string, Mapper]> = [
  ['customerFromQbo', (raw) => customerFromQbo(raw)],
  ['itemFromQbo', (raw) => itemFromQbo(raw, 'USD')],
  ['invoiceFromQbo', (raw) => invoiceFromQbo(raw, 'USD')],
  ['paymentFromQbo', (raw) => paymentFromQbo(raw, { homeCurrency: 'USD', paymentMethodIds: { check: '2' } })],
  ['linkedPaymentIds', (raw) => linkedPaymentIds(raw)],
];

/** Maps `raw`; a record or a typed malformed_response may come out, within the time bound. */
function expectRecordOrTypedError(map: Mapper, raw: unknown): Refused | undefined {
  let refused: Refused | undefined;
  const once = () => {
    const start = performance.now();
    try {
      map(raw);
    } catch (error) {
      if (
        !BlueClerkError.isInstance(error) ||
        !ProviderError.isInstance(error) ||
        error.code !== 'malformed_response'
      )
        throw error;
      // The wire issues travel in details (a provider fault is not a request the app can correct).
      refused = Object.assign(error, { issues: (error.details.issues ?? []) as Refused['issues'] });
    }
    return performance.now() - start;
  };
  // A slow first run can be a GC pause or JIT compilation; a denial of service is slow every time.
  const first = once();
  expect(first <= MAX_MS_PER_CASE ? first : Math.min(first, once())).toBeLessThan(MAX_MS_PER_CASE);
  return refused;
}

// Amounts as they arrive: mostly whole cents, one in eight what a broken or hostile sender makes of them.
const hostileAmount = fc.oneof(
  fc.double(),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.constantFrom(
    '10.05',
    '0',
    '-5',
    'NaN',
    'Infinity',
    '1e20000000',
    '-1e20000000',
    '1e-20000000',
    '١٠',
    '',
  ),
  fc.string({ maxLength: 30 }),
  fc.jsonValue({ maxDepth: 2 }),
);
const amount = fc.oneof(
  { weight: 7, arbitrary: fc.integer({ min: 0, max: 10_000_000 }).map((cents) => cents / 100) },
  { weight: 1, arbitrary: hostileAmount },
);
const junk = fc.oneof(fc.anything({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 }));
/** Nearly always the right type, now and then anything at all (one field in thirty). */
const maybe = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 29, arbitrary: valid }, { weight: 1, arbitrary: junk });
/** A record with up to two of its top-level fields replaced by junk or removed; a third of them untouched. */
const garbled = (record: fc.Arbitrary<Record<string, unknown>>) =>
  fc.tuple(record, fc.array(fc.tuple(fc.nat(), fc.option(junk)), { maxLength: 2 })).map(([base, changes]) => {
    const out: Record<string, unknown> = { ...base };
    const keys = Object.keys(base);
    for (const [pick, replacement] of changes) {
      const key = keys[pick % Math.max(keys.length, 1)];
      if (key === undefined) continue;
      if (replacement === null) delete out[key];
      else out[key] = replacement;
    }
    return out;
  });
const ref = fc.record(
  {
    value: maybe(fc.oneof(fc.string({ maxLength: 10 }), fc.integer())),
    name: maybe(fc.string({ maxLength: 20 })),
  },
  { requiredKeys: ['value'] },
);
const currencyRef = fc.record({
  value: maybe(fc.constantFrom('USD', 'usd', 'JPY', 'KWD', 'EURO', '', '1e5')),
});
const date = maybe(
  fc.oneof(
    { weight: 7, arbitrary: fc.constantFrom('2026-01-02', '2026-03-31') },
    { weight: 1, arbitrary: fc.constantFrom('2026-02-30', '2026-1-2', 'yesterday', '') },
  ),
);
const id = maybe(fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), fc.integer({ min: 1 })));
const meta = fc.record({ LastUpdatedTime: maybe(fc.string({ maxLength: 40 })) }, { requiredKeys: [] });
const text = maybe(fc.string({ maxLength: 60 }));

const customer = fc.record(
  {
    Id: id,
    SyncToken: maybe(fc.string({ maxLength: 4 })),
    MetaData: meta,
    DisplayName: text,
    GivenName: text,
    FamilyName: text,
    PrimaryEmailAddr: fc.record({ Address: text }),
    BillAddr: fc.record({ Line1: text, City: text, PostalCode: text }, { requiredKeys: [] }),
    CurrencyRef: currencyRef,
    Active: maybe(fc.boolean()),
  },
  { requiredKeys: ['Id'] },
);
const item = fc.record(
  {
    Id: id,
    Name: text,
    UnitPrice: amount,
    Type: maybe(fc.constantFrom('Service', 'NonInventory', 'Inventory', 'Category')),
    IncomeAccountRef: ref,
    SalesTaxCodeRef: ref,
    Taxable: maybe(fc.boolean()),
  },
  { requiredKeys: ['Id', 'Name'] },
);
const line = fc.record(
  {
    Id: maybe(fc.string({ maxLength: 4 })),
    DetailType: maybe(fc.constantFrom('SalesItemLineDetail', 'SubTotalLineDetail', 'DiscountLineDetail')),
    Amount: amount,
    Description: text,
    SalesItemLineDetail: fc.record(
      { ItemRef: ref, Qty: maybe(fc.double()), UnitPrice: amount, TaxCodeRef: ref },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['DetailType'] },
);
const linkedTxn = fc.record({
  TxnId: maybe(fc.string({ minLength: 1, maxLength: 6 })),
  TxnType: maybe(fc.constantFrom('Payment', 'Invoice', 'Estimate')),
});
const invoice = fc.record(
  {
    Id: id,
    SyncToken: maybe(fc.string({ maxLength: 4 })),
    MetaData: meta,
    DocNumber: maybe(fc.string({ maxLength: 30 })),
    TxnDate: date,
    DueDate: date,
    CustomerRef: ref,
    CurrencyRef: currencyRef,
    Line: maybe(fc.array(line, { maxLength: 4 })),
    TxnTaxDetail: fc.record({ TotalTax: amount }, { requiredKeys: [] }),
    TotalAmt: amount,
    Balance: amount,
    PrivateNote: maybe(fc.constantFrom('Voided', 'note', '')),
    EmailStatus: maybe(fc.constantFrom('EmailSent', 'NotSet')),
    InvoiceLink: maybe(fc.constantFrom('https://pay.example.test/i/1', 'javascript:alert(1)')),
    LinkedTxn: maybe(fc.array(linkedTxn, { maxLength: 3 })),
  },
  { requiredKeys: ['Id', 'TxnDate', 'CustomerRef'] },
);
const payment = fc.record(
  {
    Id: id,
    CustomerRef: ref,
    TotalAmt: amount,
    TxnDate: date,
    CurrencyRef: currencyRef,
    PaymentRefNum: text,
    PaymentMethodRef: ref,
    PrivateNote: text,
    Line: maybe(
      fc.array(fc.record({ Amount: amount, LinkedTxn: maybe(fc.array(linkedTxn, { maxLength: 2 })) }), {
        maxLength: 3,
      }),
    ),
  },
  { requiredKeys: ['Id', 'CustomerRef', 'TotalAmt', 'TxnDate'] },
);

const anyShape = fc.oneof(fc.anything(), fc.object(), fc.jsonValue());

describe('QuickBooks mappers under malformed and hostile records', () => {
  it.each(MAPPERS)(
    '%s turns any value (fc.anything, fc.object) into a record or a typed malformed_response, never a raw ZodError',
    (_name, map) => {
      fc.assert(
        fc.property(anyShape, (raw) => {
          expectRecordOrTypedError(map, raw);
        }),
        { numRuns: NUM_RUNS },
      );
    },
  );

  it.each([
    ['customerFromQbo', garbled(customer), MAPPERS[0]?.[1]],
    ['itemFromQbo', garbled(item), MAPPERS[1]?.[1]],
    ['invoiceFromQbo', garbled(invoice), MAPPERS[2]?.[1]],
    ['paymentFromQbo', garbled(payment), MAPPERS[3]?.[1]],
  ] as Array<[string, fc.Arbitrary<unknown>, Mapper]>)(
    '%s refuses garbled amounts, ids and refs with a typed malformed_response in under 50 ms and maps the rest to safe integer money',
    (_name, records, map) => {
      let mapped = 0;
      fc.assert(
        fc.property(records, (raw) => {
          const refused = expectRecordOrTypedError(map, raw);
          if (refused) {
            expect(refused.code).toBe('malformed_response');
            expect(refused.issues.length).toBeGreaterThan(0);
            return;
          }
          mapped += 1;
          const record = map(raw) as { providerId: string; data: Record<string, unknown> };
          expect(typeof record.providerId).toBe('string');
          for (const key of ['total', 'balance', 'amount', 'unitPrice', 'taxTotal']) {
            const value = record.data[key] as { amount: number } | null | undefined;
            if (value) expect(Number.isSafeInteger(value.amount)).toBe(true);
          }
        }),
        { numRuns: NUM_RUNS },
      );
      // The generators are biased towards valid shapes, so the mapping code itself is exercised too.
      expect(mapped).toBeGreaterThan(0);
    },
  );

  it('invoiceFromQbo refuses a TotalAmt of "1e20000000" at once instead of expanding it, naming Invoice.TotalAmt', () => {
    const raw = { Id: '130', TxnDate: '2026-01-02', CustomerRef: { value: '58' }, TotalAmt: '1e20000000' };
    const refused = expectRecordOrTypedError((r) => invoiceFromQbo(r, 'USD'), raw);
    expect(refused?.issues[0]?.path).toBe('Invoice.TotalAmt');
    expect(refused?.message).toMatch(/exponent/);
  });

  it('a record without an Id is a typed malformed_response naming the entity and field, not a raw ZodError', () => {
    const refused = expectRecordOrTypedError((r) => paymentFromQbo(r, { homeCurrency: 'USD' }), {
      CustomerRef: { value: '58' },
      TotalAmt: 10,
      TxnDate: '2026-01-10',
    });
    expect(refused?.message).toMatch(/^QuickBooks sent a malformed Payment: Payment\.Id: /);
    expect(refused?.details).toMatchObject({ provider: 'quickbooks', entity: 'payment', field: 'Id' });
  });

  it('a payment whose amount is garbled ("NaN", an object) is refused as unusable, not read as zero or deleted', () => {
    for (const TotalAmt of ['NaN', { value: 10 }]) {
      const refused = expectRecordOrTypedError((r) => paymentFromQbo(r, { homeCurrency: 'USD' }), {
        Id: '140',
        CustomerRef: { value: '58' },
        TotalAmt,
        TxnDate: '2026-01-10',
      });
      expect(refused?.issues[0]?.path).toMatch(/^Payment\.TotalAmt/);
    }
  });
});
