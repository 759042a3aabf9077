import { money, parseCustomer, parseInvoice, parseItem, parsePayment, toMinorUnits } from '@blueclerk/core';
import { describe, expect, it } from 'vitest';
import { customerFromQbo, customerToQbo } from './customer';
import { invoiceFromQbo, invoiceToQbo } from './invoice';
import { itemFromQbo, itemToQbo } from './item';
import { paymentFromQbo, paymentToQbo } from './payment';
import { undeclaredKeys } from './xsd.test-support';

const customer = parseCustomer({
  displayName: 'Acme Plumbing',
  companyName: 'Acme Plumbing LLC',
  givenName: 'Ada',
  familyName: 'Lovelace',
  email: 'ops@acme.test',
  phone: '555-0100',
  billingAddress: {
    line1: '1 Main St',
    city: 'Springfield',
    region: 'CA',
    postalCode: '94000',
    country: 'US',
  },
  currency: 'USD',
  notes: 'VIP',
});

const invoice = parseInvoice({
  number: 'INV-1001',
  customer: { id: '58', name: 'Acme Plumbing' },
  issueDate: '2026-01-02',
  dueDate: '2026-02-01',
  status: 'OPEN',
  currency: 'USD',
  lines: [
    {
      description: 'Labour',
      item: { id: '5' },
      quantity: '3.5',
      unitPrice: money(7500, 'USD'),
      amount: money(26250, 'USD'),
      taxCode: { id: 'TAX' },
    },
  ],
  total: money(26250, 'USD'),
  balance: money(26250, 'USD'),
  memo: 'Thank you',
});

describe('mappers use the XSD element names', () => {
  it('sends only declared Customer, Item, Invoice and Payment fields', () => {
    const item = parseItem({
      name: 'Labour',
      description: 'Per hour',
      sku: 'LAB-1',
      unitPrice: money(7500, 'USD'),
      incomeAccount: { id: '79' },
      taxable: true,
      taxCode: { id: 'TAX' },
    });
    const payment = parsePayment({
      amount: money(1005, 'USD'),
      date: '2026-01-10',
      method: 'check',
      invoice: { id: '130' },
    });
    expect(undeclaredKeys(customerToQbo(customer), 'Customer')).toEqual([]);
    expect(undeclaredKeys(itemToQbo(item), 'Item')).toEqual([]);
    expect(undeclaredKeys(invoiceToQbo(invoice, { invoiceTaxCodeId: '2' }), 'Invoice')).toEqual([]);
    const paymentBody = paymentToQbo(payment, {
      customerId: '58',
      reference: 'ABCDEFGHIJKLMNOPQRST',
      paymentMethodIds: { check: '2' },
      depositAccountId: '35',
    });
    expect(undeclaredKeys(paymentBody, 'Payment')).toEqual([]);
    // The checker itself catches a misspelt field.
    expect(undeclaredKeys({ DisplayNam: 'x', PrimaryEmailAddr: { Adress: 'y' } }, 'Customer')).toEqual([
      'Customer.DisplayNam',
      'Customer.PrimaryEmailAddr.Adress',
    ]);
  });
});

describe('mappers: money stays exact', () => {
  it('sends decimals that round-trip to the same minor units and reads them back exactly', () => {
    const body = invoiceToQbo(invoice) as {
      Line: Array<{ Amount: number; SalesItemLineDetail: { UnitPrice: number; Qty: number } }>;
    };
    expect(body.Line[0]).toMatchObject({ Amount: 262.5, SalesItemLineDetail: { UnitPrice: 75, Qty: 3.5 } });
    const tricky = parsePayment({ amount: money(1005, 'USD'), date: '2026-01-10', invoice: { id: '1' } });
    const sent = paymentToQbo(tricky, { customerId: '1', reference: 'R' }) as { TotalAmt: number };
    expect(sent.TotalAmt).toBe(10.05);
    expect(toMinorUnits(sent.TotalAmt, 'USD')).toBe(1005);

    const read = invoiceFromQbo(
      {
        Id: '130',
        SyncToken: '2',
        MetaData: { LastUpdatedTime: '2026-01-02T10:00:00-08:00' },
        DocNumber: 'INV-1001',
        TxnDate: '2026-01-02',
        DueDate: '2026-02-01',
        CustomerRef: { value: '58', name: 'Acme' },
        CurrencyRef: { value: 'USD', name: 'United States Dollar' },
        Line: [
          {
            Id: '1',
            DetailType: 'SalesItemLineDetail',
            Amount: 0.3,
            SalesItemLineDetail: {
              ItemRef: { value: '5' },
              Qty: 3,
              UnitPrice: 0.1,
              TaxCodeRef: { value: 'NON' },
            },
          },
          { DetailType: 'SubTotalLineDetail', Amount: 0.3, SubTotalLineDetail: {} },
        ],
        TxnTaxDetail: { TotalTax: 0.02 },
        TotalAmt: 0.32,
        Balance: 0.12,
      },
      'USD',
    );
    expect(read).toMatchObject({
      providerId: '130',
      version: '2',
      updatedAt: Date.parse('2026-01-02T18:00:00Z'),
    });
    expect(read.data.lines).toHaveLength(1);
    expect(read.data).toMatchObject({
      total: { amount: 32 },
      taxTotal: { amount: 2 },
      balance: { amount: 12 },
      status: 'OPEN',
      lines: [{ amount: { amount: 30 }, unitPrice: { amount: 10 }, quantity: 3, taxCode: { id: 'NON' } }],
    });
  });

  it('reads PAID and VOID invoices, customers, items and payments', () => {
    const base = { Id: '1', TxnDate: '2026-01-02', CustomerRef: { value: '58' }, Line: [] };
    expect(invoiceFromQbo({ ...base, TotalAmt: 20, Balance: 0 }, 'USD').data.status).toBe('PAID');
    expect(
      invoiceFromQbo({ ...base, TotalAmt: 0, Balance: 0, PrivateNote: 'Voided' }, 'USD').data.status,
    ).toBe('VOID');
    expect(
      customerFromQbo({ Id: '9', DisplayName: 'X', PrimaryEmailAddr: { Address: 'not an email' } }).data
        .email,
    ).toBeNull();
    expect(customerFromQbo({ Id: '9', ...customerToQbo(customer) }).data).toEqual(customer);
    expect(
      itemFromQbo({ Id: '5', Name: 'Labour', UnitPrice: 80.125, Type: 'NonInventory' }, 'USD').data,
    ).toMatchObject({
      unitPrice: { amount: 8013, currency: 'USD' },
      type: 'non_inventory',
    });
    const payment = paymentFromQbo(
      {
        Id: '140',
        SyncToken: '0',
        CustomerRef: { value: '58' },
        TotalAmt: 99.99,
        TxnDate: '2026-01-10',
        PaymentRefNum: 'ABCDEFGHIJKLMNOPQRST',
        PaymentMethodRef: { value: '2' },
        Line: [{ Amount: 99.99, LinkedTxn: [{ TxnId: '130', TxnType: 'Invoice' }] }],
      },
      { homeCurrency: 'USD', paymentMethodIds: { check: '2' } },
    );
    expect(payment.data).toMatchObject({
      amount: { amount: 9999, currency: 'USD' },
      method: 'check',
      invoice: { id: '130' },
      reference: 'ABCDEFGHIJKLMNOPQRST',
    });
  });

  it('refuses a payment reference longer than PaymentRefNum allows (21)', () => {
    const p = parsePayment({ amount: money(100, 'USD'), date: '2026-01-10', invoice: { id: '1' } });
    expect(() => paymentToQbo(p, { customerId: '1', reference: 'X'.repeat(22) })).toThrow(/at most 21/);
    expect(paymentToQbo(p, { customerId: '1', reference: 'X'.repeat(21) })).toMatchObject({
      PaymentRefNum: 'X'.repeat(21),
    });
  });
});
