import { describe, expect, it } from 'vitest';
import { SimulatorWriteError } from './realm-api';
import { useSimulatorServer } from './test-support';

const start = useSimulatorServer();

function seedSales(sim: ReturnType<typeof start>['sim']) {
  const realm = sim.realm();
  const customer = realm.create('Customer', {
    DisplayName: 'Acme Plumbing',
    PrimaryEmailAddr: { Address: 'ap@acme.test' },
  });
  const item = realm.create('Item', {
    Name: 'Repair',
    Type: 'Service',
    UnitPrice: 75,
    IncomeAccountRef: { value: '79' },
  });
  return { realm, customer, item };
}

describe('simulator entities', () => {
  it('creates, reads and updates a customer with Id, SyncToken and MetaData; stale SyncToken is 5010', async () => {
    const { api } = start();
    const created = await api('customer?minorversion=75', { json: { DisplayName: 'Acme' } });
    expect(created.status).toBe(200);
    const customer = created.body.Customer;
    expect(customer).toMatchObject({
      Id: '1',
      SyncToken: '0',
      DisplayName: 'Acme',
      Active: true,
      domain: 'QBO',
    });
    expect(customer.MetaData.CreateTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-08:00$/);
    expect((await api('customer/1')).body.Customer.DisplayName).toBe('Acme');

    const updated = await api('customer', {
      json: { Id: '1', SyncToken: '0', sparse: true, PrimaryEmailAddr: { Address: 'a@acme.test' } },
    });
    expect(updated.body.Customer).toMatchObject({ SyncToken: '1', DisplayName: 'Acme' });
    expect(updated.body.Customer.PrimaryEmailAddr.Address).toBe('a@acme.test');

    const stale = await api('customer', { json: { Id: '1', SyncToken: '0', sparse: true, Notes: 'x' } });
    expect(stale.status).toBe(400);
    expect(stale.body.Fault.type).toBe('ValidationFault');
    expect(stale.body.Fault.Error[0]).toMatchObject({ code: '5010', Message: 'Stale Object Error' });
  });

  it('rejects a duplicate DisplayName (6240), an unknown id (610) and a missing name (2020)', async () => {
    const { api } = start();
    await api('customer', { json: { DisplayName: 'Acme' } });
    const dup = await api('customer', { json: { DisplayName: 'acme ' } });
    expect(dup.body.Fault.Error[0].code).toBe('6240');
    const missing = await api('customer/999');
    expect(missing.status).toBe(400);
    expect(missing.body.Fault.Error[0].code).toBe('610');
    expect((await api('customer', { json: { Notes: 'no name' } })).body.Fault.Error[0].code).toBe('2020');
  });

  it('requires IncomeAccountRef on sales items and checks it exists', async () => {
    const { api } = start();
    const noAccount = await api('item', { json: { Name: 'Repair', Type: 'Service' } });
    expect(noAccount.body.Fault.Error[0]).toMatchObject({ code: '2020', element: 'IncomeAccountRef' });
    const badAccount = await api('item', {
      json: { Name: 'Repair', Type: 'Service', IncomeAccountRef: { value: '999' } },
    });
    expect(badAccount.body.Fault.Error[0].code).toBe('2500');
    const ok = await api('item', {
      json: { Name: 'Repair', Type: 'Service', UnitPrice: 75, IncomeAccountRef: { value: '79' } },
    });
    expect(ok.body.Item).toMatchObject({ Name: 'Repair', UnitPrice: 75, IncomeAccountRef: { value: '79' } });
    expect(
      (await api('item', { json: { Name: 'REPAIR', IncomeAccountRef: { value: '79' } } })).body.Fault.Error[0]
        .code,
    ).toBe('6240');
  });

  it('totals invoice lines and tax in cents, assigns DocNumbers and rejects duplicates (6140)', async () => {
    const { api, sim } = start();
    const { customer, item } = seedSales(sim);
    const invoice = {
      CustomerRef: { value: customer.Id },
      DocNumber: 'INV-1',
      TxnDate: '2026-01-02',
      Line: [
        {
          DetailType: 'SalesItemLineDetail',
          Amount: 262.5,
          SalesItemLineDetail: {
            ItemRef: { value: item.Id },
            Qty: 3.5,
            UnitPrice: 75,
            TaxCodeRef: { value: 'TAX' },
          },
        },
        {
          DetailType: 'SalesItemLineDetail',
          Amount: 0.3,
          SalesItemLineDetail: {
            ItemRef: { value: item.Id },
            Qty: 3,
            UnitPrice: 0.1,
            TaxCodeRef: { value: 'NON' },
          },
        },
      ],
      TxnTaxDetail: { TxnTaxCodeRef: { value: '2' } },
    };
    const created = await api('invoice', { json: invoice });
    expect(created.status).toBe(200);
    // 262.50 taxable at 8% = 21.00; total 262.50 + 0.30 + 21.00 = 283.80 exactly.
    expect(created.body.Invoice).toMatchObject({ TotalAmt: 283.8, Balance: 283.8, DocNumber: 'INV-1' });
    expect(created.body.Invoice.TxnTaxDetail.TotalTax).toBe(21);
    expect(created.body.Invoice.Line.at(-1)).toMatchObject({
      DetailType: 'SubTotalLineDetail',
      Amount: 262.8,
    });

    expect((await api('invoice', { json: invoice })).body.Fault.Error[0].code).toBe('6140');
    const auto = await api('invoice', { json: { ...invoice, DocNumber: undefined } });
    expect(auto.body.Invoice.DocNumber).toBe('1001');

    const wrongAmount = structuredClone(invoice);
    (wrongAmount.Line[0] as { Amount: number }).Amount = 250;
    wrongAmount.DocNumber = 'INV-2';
    expect((await api('invoice', { json: wrongAmount })).body.Fault.Error[0].code).toBe('6070');
    const { CustomerRef: _, ...noCustomer } = invoice;
    const missing = await api('invoice', { json: { ...noCustomer, DocNumber: 'INV-3' } });
    expect(missing.body.Fault.Error[0]).toMatchObject({ code: '2020', element: 'CustomerRef' });
  });

  it('applies payments to invoices: Balance decreases, LinkedTxn both ways, invoice SyncToken moves', async () => {
    const { api, sim } = start();
    const { realm, customer, item } = seedSales(sim);
    const invoice = realm.create('Invoice', {
      CustomerRef: { value: customer.Id },
      Line: [
        {
          DetailType: 'SalesItemLineDetail',
          Amount: 150,
          SalesItemLineDetail: { ItemRef: { value: item.Id } },
        },
      ],
    });
    const payment = await api('payment', {
      json: {
        CustomerRef: { value: customer.Id },
        TotalAmt: 100.1,
        PaymentRefNum: 'ABCDEFGHIJKLMNOPQRST',
        Line: [{ Amount: 100.1, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }],
      },
    });
    expect(payment.status).toBe(200);
    expect(payment.body.Payment).toMatchObject({
      TotalAmt: 100.1,
      UnappliedAmt: 0,
      PaymentRefNum: 'ABCDEFGHIJKLMNOPQRST',
    });
    const after = realm.get('Invoice', invoice.Id as string);
    expect(after).toMatchObject({ Balance: 49.9, SyncToken: '1' });
    expect(after?.LinkedTxn).toEqual([{ TxnId: payment.body.Payment.Id, TxnType: 'Payment' }]);
    expect(realm.get('Customer', customer.Id as string)?.Balance).toBe(49.9);

    const over = await api('payment', {
      json: {
        CustomerRef: { value: customer.Id },
        TotalAmt: 60,
        Line: [{ Amount: 60, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }],
      },
    });
    expect(over.body.Fault.Error[0].code).toBe('6000');
    const longRef = await api('payment', {
      json: { CustomerRef: { value: customer.Id }, TotalAmt: 1, PaymentRefNum: 'X'.repeat(22) },
    });
    expect(longRef.body.Fault.Error[0]).toMatchObject({ code: '2050', element: 'PaymentRefNum' });

    const deleted = await api('payment?operation=delete', {
      json: { Id: payment.body.Payment.Id, SyncToken: payment.body.Payment.SyncToken },
    });
    expect(deleted.body.Payment).toEqual({ domain: 'QBO', status: 'Deleted', Id: payment.body.Payment.Id });
    expect(realm.get('Invoice', invoice.Id as string)).toMatchObject({ Balance: 150, LinkedTxn: [] });
  });

  it('voids an invoice with operation=void: zero amounts, "Voided" note, SyncToken bumped', async () => {
    const { api, sim } = start();
    const { realm, customer, item } = seedSales(sim);
    const invoice = realm.create('Invoice', {
      CustomerRef: { value: customer.Id },
      Line: [
        {
          DetailType: 'SalesItemLineDetail',
          Amount: 75,
          SalesItemLineDetail: { ItemRef: { value: item.Id } },
        },
      ],
    });
    const voided = await api('invoice?operation=void', {
      json: { Id: invoice.Id, SyncToken: invoice.SyncToken },
    });
    expect(voided.body.Invoice).toMatchObject({
      TotalAmt: 0,
      Balance: 0,
      PrivateNote: 'Voided',
      SyncToken: '1',
    });
    expect(realm.changesSince(0).find((c) => c.name === 'Invoice')?.operation).toBe('Void');
  });

  it('state API refuses what QuickBooks would refuse, with the Fault errors attached', () => {
    const { sim } = start();
    const realm = sim.realm();
    realm.create('Customer', { DisplayName: 'Acme' });
    let error: unknown;
    try {
      realm.create('Customer', { DisplayName: 'Acme' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SimulatorWriteError);
    expect((error as SimulatorWriteError).errors[0]?.code).toBe('6240');
    expect(realm.list('Customer')).toHaveLength(1);
  });
});
