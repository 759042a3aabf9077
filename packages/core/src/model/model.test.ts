import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/index';
import { parseCustomer, parseEstimate, parseInvoice, parseItem, parsePayment } from './index';

const usd = (amount: number) => ({ amount, currency: 'USD' });
const invoice = (overrides: Record<string, unknown> = {}) => ({
  number: 'INV-1',
  customer: { id: 'c1' },
  issueDate: '2026-01-05',
  dueDate: '2026-02-04',
  status: 'OPEN',
  currency: 'usd',
  lines: [{ description: 'Labour', quantity: '1.5', unitPrice: usd(8000), amount: usd(12000) }],
  total: usd(12000),
  balance: usd(12000),
  ...overrides,
});

function issuesOf(fn: () => unknown): Array<{ path: string; message: string }> {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return [...error.issues];
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('domain model', () => {
  it('normalizes a customer: trims, nulls empty text, defaults', () => {
    const customer = parseCustomer({
      displayName: '  Acme  ',
      email: ' a@b.co ',
      phone: '',
      currency: 'cad',
    });
    expect(customer).toMatchObject({
      displayName: 'Acme',
      email: 'a@b.co',
      phone: null,
      currency: 'CAD',
      active: true,
    });
    expect(customer.billingAddress).toBeNull();
    expect(customer.externalIds).toEqual({});
  });

  it('reports every bad customer field with its path', () => {
    const issues = issuesOf(() =>
      parseCustomer({ displayName: ' ', email: 'not-an-email', currency: 'dollars' }),
    );
    expect(issues.map((i) => i.path).sort()).toEqual(['currency', 'displayName', 'email']);
  });

  it('accepts decimal quantities and normalizes the invoice', () => {
    const parsed = parseInvoice(invoice());
    expect(parsed.currency).toBe('USD');
    expect(parsed.lines[0]?.quantity).toBe(1.5);
    expect(parsed.lines[0]?.item).toBeNull();
    expect(parsed.memo).toBeNull();
  });

  it('rejects bad quantities, dates, currencies and balances with paths', () => {
    const line = (quantity: unknown) => [{ quantity, unitPrice: usd(100), amount: usd(100) }];
    expect(issuesOf(() => parseInvoice(invoice({ lines: line(0) })))[0]?.path).toBe('lines.0.quantity');
    expect(issuesOf(() => parseInvoice(invoice({ lines: line('1.2345678') })))[0]?.message).toMatch(
      /6 decimal places/,
    );
    expect(issuesOf(() => parseInvoice(invoice({ lines: line('two') })))[0]?.path).toBe('lines.0.quantity');
    expect(issuesOf(() => parseInvoice(invoice({ issueDate: '2026-02-30' })))[0]?.path).toBe('issueDate');
    expect(issuesOf(() => parseInvoice(invoice({ dueDate: '2025-12-31' })))[0]?.path).toBe('dueDate');
    expect(issuesOf(() => parseInvoice(invoice({ balance: usd(20000) })))[0]?.path).toBe('balance.amount');
    expect(
      issuesOf(() => parseInvoice(invoice({ total: { amount: 12000, currency: 'EUR' } })))[0]?.path,
    ).toBe('total.currency');
    expect(issuesOf(() => parseInvoice(invoice({ status: 'PENDING' })))[0]?.path).toBe('status');
    expect(issuesOf(() => parseInvoice(invoice({ lines: [] })))[0]?.path).toBe('lines');
    expect(issuesOf(() => parseInvoice(invoice({ paymentLinkUrl: 'nope' })))[0]?.path).toBe('paymentLinkUrl');
  });

  it('validates items, estimates and payments', () => {
    expect(parseItem({ name: 'Widget', unitPrice: usd(1000) })).toMatchObject({
      type: 'service',
      taxable: false,
      active: true,
    });
    expect(
      issuesOf(() => parseItem({ name: 'Widget', unitPrice: usd(-1), type: 'digital' }))
        .map((i) => i.path)
        .sort(),
    ).toEqual(['type']);
    expect(issuesOf(() => parseItem({ name: 'Widget', unitPrice: usd(-1) }))[0]?.path).toBe(
      'unitPrice.amount',
    );
    expect(
      parseEstimate({ ...invoice({ status: 'SENT' }), balance: undefined, expiryDate: '2026-01-31' })
        .expiryDate,
    ).toBe('2026-01-31');
    expect(parsePayment({ amount: usd(500), date: '2026-01-09', invoice: { id: 'i1' } }).method).toBe(
      'other',
    );
    expect(issuesOf(() => parsePayment({ amount: usd(0), date: '2026-01-09' }))[0]?.path).toBe(
      'amount.amount',
    );
  });

  it('names the record kind and first problem in the message', () => {
    expect(() => parsePayment({ amount: usd(5), date: 'yesterday' })).toThrow(/^Invalid payment: date: /);
  });
});
