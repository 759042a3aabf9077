import type { HostAdapter, HostChangeNotice, LocalRecord, RecordOrigin } from '../engine/host';
import { normalizeEmail } from '../model/common';
import { type Customer, type CustomerInput, parseCustomer } from '../model/customer';
import { type Invoice, type InvoiceInput, parseInvoice } from '../model/invoice';
import { type Item, type ItemInput, parseItem } from '../model/item';
import { type Payment, type PaymentInput, parsePayment } from '../model/payment';

/** An in-memory host app for engine tests and examples: the app's own customers, items, invoices and payments. */
export interface FakeHost extends HostAdapter {
  readonly customers: Map<string, Customer>;
  readonly items: Map<string, Item>;
  readonly invoices: Map<string, Invoice>;
  readonly payments: Map<string, Payment>;
  /** Origins passed to create/record calls, by local id. */
  readonly origins: Map<string, RecordOrigin>;
  readonly changes: HostChangeNotice[];
  addCustomer(data: CustomerInput, localId?: string): string;
  addItem(data: ItemInput, localId?: string): string;
  addInvoice(data: InvoiceInput, localId?: string): string;
  addPayment(data: PaymentInput, localId?: string): string;
  /** Changes an invoice (status, lines ...). */
  updateInvoice(localId: string, patch: Partial<InvoiceInput>): void;
  /** Makes the next call of `method` throw `error`. */
  failNext(method: keyof HostAdapter, error: unknown): void;
}

export function createFakeHost(): FakeHost {
  const customers = new Map<string, Customer>();
  const items = new Map<string, Item>();
  const invoices = new Map<string, Invoice>();
  const payments = new Map<string, Payment>();
  const origins = new Map<string, RecordOrigin>();
  const changes: HostChangeNotice[] = [];
  const failures = new Map<string, unknown>();
  let next = 1;
  const newId = (prefix: string) => `${prefix}_${next++}`;
  const record = <T>(localId: string, data: T | undefined): LocalRecord<T> | null =>
    data ? { localId, data: structuredClone(data) } : null;
  const check = (method: string) => {
    if (failures.has(method)) {
      const error = failures.get(method);
      failures.delete(method);
      throw error;
    }
  };

  return {
    customers,
    items,
    invoices,
    payments,
    origins,
    changes,
    addCustomer(data, localId = newId('cus')) {
      customers.set(localId, parseCustomer(data));
      return localId;
    },
    addItem(data, localId = newId('itm')) {
      items.set(localId, parseItem(data));
      return localId;
    },
    addInvoice(data, localId = newId('inv')) {
      invoices.set(localId, parseInvoice(data));
      return localId;
    },
    addPayment(data, localId = newId('pay')) {
      payments.set(localId, parsePayment(data));
      return localId;
    },
    updateInvoice(localId, patch) {
      const current = invoices.get(localId);
      if (!current) throw new Error(`no invoice ${localId}`);
      invoices.set(localId, parseInvoice({ ...current, ...patch }));
    },
    failNext(method, error) {
      failures.set(method, error);
    },

    async getCustomer(localId) {
      check('getCustomer');
      return record(localId, customers.get(localId));
    },
    async findCustomerByEmail(email) {
      check('findCustomerByEmail');
      for (const [id, c] of customers) if (c.email && normalizeEmail(c.email) === email) return record(id, c);
      return null;
    },
    async createCustomer(data, origin) {
      check('createCustomer');
      const localId = newId('cus');
      customers.set(localId, structuredClone(data));
      origins.set(localId, origin);
      return { localId, data };
    },
    async getItem(localId) {
      check('getItem');
      return record(localId, items.get(localId));
    },
    async findItemBySku(sku) {
      for (const [id, i] of items) if (i.sku === sku) return record(id, i);
      return null;
    },
    async findItemByName(name) {
      for (const [id, i] of items) if (i.name.toLowerCase() === name.toLowerCase()) return record(id, i);
      return null;
    },
    async createItem(data, origin) {
      check('createItem');
      const localId = newId('itm');
      items.set(localId, structuredClone(data));
      origins.set(localId, origin);
      return { localId, data };
    },
    async getInvoice(localId) {
      check('getInvoice');
      return record(localId, invoices.get(localId));
    },
    async listInvoicePayments(invoiceLocalId) {
      return [...payments]
        .filter(([, p]) => p.invoice?.id === invoiceLocalId)
        .map(([localId, data]) => ({ localId, data: structuredClone(data) }));
    },
    async getPayment(localId) {
      check('getPayment');
      return record(localId, payments.get(localId));
    },
    async recordPayment(data, origin) {
      check('recordPayment');
      const localId = newId('pay');
      payments.set(localId, structuredClone(data));
      origins.set(localId, origin);
      return { localId, data };
    },
    async markInvoicePaid(invoiceLocalId) {
      const invoice = invoices.get(invoiceLocalId);
      if (invoice)
        invoices.set(invoiceLocalId, {
          ...invoice,
          status: 'PAID',
          balance: { ...invoice.balance, amount: 0 },
        });
    },
    async onProviderChange(change) {
      changes.push(change);
    },
  };
}
