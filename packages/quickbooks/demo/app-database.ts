import {
  type Customer,
  type CustomerInput,
  type DocumentLineInput,
  type HostAdapter,
  type Invoice,
  type InvoiceInput,
  type Item,
  type ItemInput,
  type LocalRecord,
  lineAmount,
  type Money,
  money,
  normalizeEmail,
  type Payment,
  type PaymentInput,
  parseCustomer,
  parseInvoice,
  parseItem,
  parsePayment,
  type RecordOrigin,
  sumMoney,
} from '@blueclerk/core';

/**
 * The demo's "app database": a service business's own customers, items, invoices and payments, kept in memory.
 * It is what a real app implements against its own tables - the `HostAdapter` the sync engine reads and writes
 * through. Records the engine creates (imports, payments from QuickBooks) remember where they came from.
 */
export interface AppDatabase extends HostAdapter {
  readonly customers: ReadonlyMap<string, Customer>;
  readonly items: ReadonlyMap<string, Item>;
  readonly invoices: ReadonlyMap<string, Invoice>;
  readonly payments: ReadonlyMap<string, Payment>;
  /** Where engine-created records came from, by local id. */
  readonly origins: ReadonlyMap<string, RecordOrigin>;
  addCustomer(data: CustomerInput): string;
  addItem(data: ItemInput): string;
  /** Edits an item (e.g. the bookkeeper picks its income account). */
  updateItem(itemId: string, patch: Partial<ItemInput>): void;
  /** Adds an invoice; totals and balance are computed from the lines (integer minor units). */
  addInvoice(input: NewInvoice): string;
  /** Adds a line and recomputes total and balance. */
  addInvoiceLine(invoiceId: string, line: NewLine): void;
  /** Records a payment taken by the business (cash, check, card ...) and lowers the invoice balance. */
  addPayment(data: PaymentInput): string;
  /** The local id of the customer with this display name (seeded or imported). */
  customerIdByName(displayName: string): string;
  itemIdBySku(sku: string): string;
}

/** An invoice line as the app's UI captures it: item, quantity, unit price in minor units. */
export interface NewLine {
  itemId: string | null;
  description?: string;
  quantity: number | string;
  unitPrice: number;
}

export interface NewInvoice {
  number: string;
  customerId: string;
  issueDate: string;
  dueDate?: string;
  status: InvoiceInput['status'];
  currency?: string;
  lines: NewLine[];
  memo?: string;
}

export function createAppDatabase(): AppDatabase {
  const customers = new Map<string, Customer>();
  const items = new Map<string, Item>();
  const invoices = new Map<string, Invoice>();
  const payments = new Map<string, Payment>();
  const origins = new Map<string, RecordOrigin>();
  const counters = { cust: 0, item: 0, inv: 0, pay: 0 };
  const nextId = (kind: keyof typeof counters) => `${kind}-${++counters[kind]}`;
  // The engine gets copies: it must never change the app's records behind its back.
  const copy = <T>(localId: string, data: T | undefined): LocalRecord<T> | null =>
    data === undefined ? null : { localId, data: structuredClone(data) };

  const paidOn = (invoiceId: string, currency: string): Money =>
    sumMoney(
      [...payments.values()]
        .filter((p) => p.invoice?.id === invoiceId && p.amount.currency === currency)
        .map((p) => p.amount),
      currency,
    );

  const toLine = (line: NewLine, currency: string): DocumentLineInput => {
    const unitPrice = money(line.unitPrice, currency);
    const item = line.itemId ? items.get(line.itemId) : undefined;
    if (line.itemId && !item) throw new Error(`No item ${line.itemId} in the app database`);
    return {
      description: line.description ?? item?.description ?? item?.name ?? null,
      item: line.itemId ? { id: line.itemId, name: item?.name ?? null } : null,
      quantity: line.quantity,
      unitPrice,
      amount: lineAmount(line.quantity, unitPrice),
    };
  };

  const withTotals = (invoiceId: string | null, draft: Omit<InvoiceInput, 'total' | 'balance'>) => {
    const currency = draft.currency;
    const lines = draft.lines.map((l) => ({ ...l, amount: money(l.amount.amount, currency) }));
    const total = sumMoney(
      lines.map((l) => l.amount),
      currency,
    );
    const paid = invoiceId ? paidOn(invoiceId, currency).amount : 0;
    const balance = money(Math.max(total.amount - paid, 0), currency);
    return parseInvoice({ ...draft, lines, total, balance });
  };

  return {
    customers,
    items,
    invoices,
    payments,
    origins,

    addCustomer(data) {
      const id = nextId('cust');
      customers.set(id, parseCustomer(data));
      return id;
    },
    addItem(data) {
      const id = nextId('item');
      items.set(id, parseItem(data));
      return id;
    },
    updateItem(itemId, patch) {
      const item = items.get(itemId);
      if (!item) throw new Error(`No item ${itemId} in the app database`);
      items.set(itemId, parseItem({ ...item, ...patch }));
    },
    addInvoice(input) {
      const id = nextId('inv');
      const currency = input.currency ?? 'USD';
      const customer = customers.get(input.customerId);
      if (!customer) throw new Error(`No customer ${input.customerId} in the app database`);
      invoices.set(
        id,
        withTotals(null, {
          number: input.number,
          customer: { id: input.customerId, name: customer.displayName },
          issueDate: input.issueDate,
          dueDate: input.dueDate ?? null,
          status: input.status,
          currency,
          lines: input.lines.map((l) => toLine(l, currency)),
          memo: input.memo ?? null,
        }),
      );
      return id;
    },
    addInvoiceLine(invoiceId, line) {
      const invoice = invoices.get(invoiceId);
      if (!invoice) throw new Error(`No invoice ${invoiceId} in the app database`);
      invoices.set(
        invoiceId,
        withTotals(invoiceId, { ...invoice, lines: [...invoice.lines, toLine(line, invoice.currency)] }),
      );
    },
    addPayment(data) {
      const id = nextId('pay');
      const payment = parsePayment(data);
      payments.set(id, payment);
      const invoiceId = payment.invoice?.id;
      const invoice = invoiceId ? invoices.get(invoiceId) : undefined;
      if (invoiceId && invoice) invoices.set(invoiceId, withTotals(invoiceId, invoice));
      return id;
    },
    customerIdByName(displayName) {
      for (const [id, c] of customers) if (c.displayName === displayName) return id;
      throw new Error(`No customer named ${displayName} in the app database`);
    },
    itemIdBySku(sku) {
      for (const [id, i] of items) if (i.sku === sku) return id;
      throw new Error(`No item with SKU ${sku} in the app database`);
    },

    // HostAdapter: what the sync engine calls.
    async getCustomer(localId) {
      return copy(localId, customers.get(localId));
    },
    async findCustomerByEmail(email) {
      for (const [id, c] of customers) {
        if (c.email && normalizeEmail(c.email) === email) return copy(id, c);
      }
      return null;
    },
    async createCustomer(data, origin) {
      const id = nextId('cust');
      customers.set(id, structuredClone(data));
      origins.set(id, origin);
      return { localId: id, data };
    },
    async getItem(localId) {
      return copy(localId, items.get(localId));
    },
    async findItemBySku(sku) {
      for (const [id, i] of items) if (i.sku === sku) return copy(id, i);
      return null;
    },
    async findItemByName(name) {
      const wanted = name.trim().toLowerCase();
      for (const [id, i] of items) if (i.name.toLowerCase() === wanted) return copy(id, i);
      return null;
    },
    async createItem(data, origin) {
      const id = nextId('item');
      items.set(id, structuredClone(data));
      origins.set(id, origin);
      return { localId: id, data };
    },
    async getInvoice(localId) {
      return copy(localId, invoices.get(localId));
    },
    async listInvoicePayments(invoiceLocalId) {
      return [...payments]
        .filter(([, p]) => p.invoice?.id === invoiceLocalId)
        .map(([id, p]) => ({ localId: id, data: structuredClone(p) }));
    },
    async getPayment(localId) {
      return copy(localId, payments.get(localId));
    },
    async recordPayment(data, origin) {
      const id = nextId('pay');
      payments.set(id, structuredClone(data));
      origins.set(id, origin);
      const invoiceId = data.invoice?.id;
      const invoice = invoiceId ? invoices.get(invoiceId) : undefined;
      if (invoiceId && invoice) invoices.set(invoiceId, withTotals(invoiceId, invoice));
      return { localId: id, data };
    },
    async markInvoicePaid(invoiceLocalId) {
      const invoice = invoices.get(invoiceLocalId);
      if (!invoice) return;
      invoices.set(invoiceLocalId, { ...invoice, status: 'PAID', balance: money(0, invoice.currency) });
    },
  };
}
