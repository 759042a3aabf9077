import { type BlueClerkError, createManualClock, ValidationError } from '@blueclerk/core';
import { describe, expect, it } from 'vitest';
import { createAppDatabase } from '../src/app-db';
import { createIdempotencyGuard, parseIdempotencyKey } from '../src/idempotency';

function seeded() {
  const db = createAppDatabase({ clock: createManualClock(Date.parse('2025-03-04T10:00:00Z')) });
  const customer = db.addCustomer({ displayName: 'Acme Plumbing', email: 'billing@acme.test' });
  return { db, customerId: customer.localId };
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('the in-memory app database', () => {
  it('computes line amounts and totals in minor units and numbers invoices', () => {
    const { db, customerId } = seeded();
    const invoice = db.createInvoice({
      customerId,
      lines: [{ description: 'Labour', quantity: '1.5', unitPrice: 8_000 }],
    });
    expect(invoice.data).toMatchObject({
      number: 'BC-1001',
      issueDate: '2025-03-04',
      status: 'DRAFT',
      total: { amount: 12_000, currency: 'USD' },
      balance: { amount: 12_000, currency: 'USD' },
    });
    expect(db.createInvoice({ customerId, lines: [{ quantity: 1, unitPrice: 1 }] }).data.number).toBe(
      'BC-1002',
    );
  });

  it('stores nothing for a bad invoice', () => {
    const { db, customerId } = seeded();
    const error = thrown(() =>
      db.createInvoice({ customerId, lines: [{ itemId: 'itm_missing', quantity: 1, unitPrice: 100 }] }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ path: 'lines.0.itemId', message: 'unknown item' }]);
    expect(thrown(() => db.createInvoice({ customerId, lines: [] }))).toBeInstanceOf(ValidationError);
    // The number was not used up by the failed attempts.
    expect(db.createInvoice({ customerId, lines: [{ quantity: 1, unitPrice: 1 }] }).data.number).toBe(
      'BC-1001',
    );
  });

  it('refuses status moves that make no sense', () => {
    const { db, customerId } = seeded();
    const { localId } = db.createInvoice({ customerId, lines: [{ quantity: 1, unitPrice: 500 }] });
    db.setInvoiceStatus(localId, 'OPEN');
    const backToDraft = thrown(() => db.setInvoiceStatus(localId, 'DRAFT')) as BlueClerkError;
    expect(backToDraft.code).toBe('conflict');
    const paidByHand = thrown(() => db.setInvoiceStatus(localId, 'PAID')) as BlueClerkError;
    expect(paidByHand.action).toMatch(/Record a payment/);
    db.setInvoiceStatus(localId, 'VOID');
    expect((thrown(() => db.setInvoiceStatus(localId, 'OPEN')) as BlueClerkError).code).toBe('conflict');
  });

  it('takes payments on open invoices only, up to the balance, and marks them paid', async () => {
    const { db, customerId } = seeded();
    const { localId } = db.createInvoice({ customerId, lines: [{ quantity: 2, unitPrice: 2_500 }] });
    expect((thrown(() => db.addPayment(localId, { amount: 100 })) as BlueClerkError).code).toBe('conflict');
    db.setInvoiceStatus(localId, 'SENT');
    expect(thrown(() => db.addPayment(localId, { amount: 5_001 }))).toBeInstanceOf(ValidationError);
    db.addPayment(localId, { amount: 2_000, method: 'card' });
    expect((await db.getInvoice(localId))?.data).toMatchObject({
      status: 'SENT',
      balance: { amount: 3_000 },
    });
    db.addPayment(localId, { amount: 3_000 });
    expect((await db.getInvoice(localId))?.data).toMatchObject({ status: 'PAID', balance: { amount: 0 } });
    expect(await db.listInvoicePayments(localId)).toHaveLength(2);
  });

  it('matches import candidates by normalized email and by name, case-insensitively', async () => {
    const { db, customerId } = seeded();
    expect((await db.findCustomerByEmail('billing@acme.test'))?.localId).toBe(customerId);
    const item = await db.createItem(
      {
        name: 'Drain Cleaning',
        sku: 'DC-1',
        description: null,
        unitPrice: null,
        incomeAccount: null,
        taxable: false,
        taxCode: null,
        type: 'service',
        active: true,
      },
      { connectionId: 'c', provider: 'quickbooks', providerId: '7' },
    );
    expect((await db.findItemByName('drain cleaning'))?.localId).toBe(item.localId);
    expect((await db.findItemBySku('DC-1'))?.localId).toBe(item.localId);
    expect(await db.findItemBySku('dc-1')).toBeNull();
  });
});

describe('the Idempotency-Key guard', () => {
  it('runs once per key, refuses a reused key for another request, and frees a key whose create failed', async () => {
    const guard = createIdempotencyGuard();
    let runs = 0;
    const create = async () => ++runs;
    const [a, b] = await Promise.all([
      guard.once('s', 'key-00001', 'f1', create),
      guard.once('s', 'key-00001', 'f1', create),
    ]);
    expect([a.value, b.value]).toEqual([1, 1]);
    expect([a.replayed, b.replayed]).toEqual([false, true]);
    await expect(guard.once('s', 'key-00001', 'f2', create)).rejects.toMatchObject({ code: 'conflict' });
    expect((await guard.once('other-scope', 'key-00001', 'f2', create)).value).toBe(2);

    await expect(
      guard.once('s', 'key-00002', 'f1', async () => {
        throw new ValidationError('bad');
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await guard.once('s', 'key-00002', 'f1', create)).toEqual({ value: 3, replayed: false });
  });

  it('expires keys after the TTL', async () => {
    const clock = createManualClock(0);
    const guard = createIdempotencyGuard({ clock, ttlMs: 1_000 });
    let runs = 0;
    await guard.once('s', 'key-00001', 'f', async () => ++runs);
    clock.advance(1_001);
    expect((await guard.once('s', 'key-00001', 'f', async () => ++runs)).value).toBe(2);
  });

  it('checks the header', () => {
    expect(parseIdempotencyKey('3f1c9a2e-5b7d-4e8f-9a0b-1c2d3e4f5a6b')).toBe(
      '3f1c9a2e-5b7d-4e8f-9a0b-1c2d3e4f5a6b',
    );
    for (const bad of [undefined, 'short', 'has space in it', 'x'.repeat(256)]) {
      expect(thrown(() => parseIdempotencyKey(bad))).toBeInstanceOf(ValidationError);
    }
  });
});
