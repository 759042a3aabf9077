import {
  BlueClerkError,
  type Clock,
  type Customer,
  type CustomerInput,
  type HostAdapter,
  INVOICE_STATUSES,
  type Invoice,
  type InvoiceStatus,
  type Item,
  type LocalRecord,
  lineAmount,
  money,
  normalizeEmail,
  type Payment,
  type PaymentMethod,
  parseCustomer,
  parseInvoice,
  parsePayment,
  randomId,
  sumMoney,
  systemClock,
  ValidationError,
} from '@blueclerk/core';

/**
 * YOUR DATABASE. This in-memory store stands in for the app's own tables (customers, items, invoices with lines,
 * payments) of one business account. Swap it for your ORM: the SDK reaches these records only through the
 * `HostAdapter` methods at the bottom, and stores nothing of them itself beyond id links.
 */
export interface NewInvoiceInput {
  customerId: string;
  /** Assigned (`BC-1001` ...) when omitted. */
  number?: string | null;
  /** YYYY-MM-DD; today when omitted. */
  issueDate?: string;
  dueDate?: string | null;
  /** Default USD. */
  currency?: string;
  /** Default DRAFT. */
  status?: InvoiceStatus;
  memo?: string | null;
  lines: Array<{
    itemId?: string | null;
    description?: string | null;
    quantity: number | string;
    /** Minor units of the invoice currency. */
    unitPrice: number;
  }>;
}

export interface NewPaymentInput {
  /** Minor units of the invoice currency. */
  amount: number;
  date?: string;
  method?: PaymentMethod;
  reference?: string | null;
  memo?: string | null;
}

export interface AppDatabase extends HostAdapter {
  findItemBySku(sku: string): Promise<LocalRecord<Item> | null>;
  listCustomers(): Array<LocalRecord<Customer>>;
  listItems(): Array<LocalRecord<Item>>;
  addCustomer(input: CustomerInput): LocalRecord<Customer>;
  createInvoice(input: NewInvoiceInput): LocalRecord<Invoice>;
  /** Moves an invoice along its life cycle; refuses moves that make no sense (VOID -> OPEN, anything -> DRAFT). */
  setInvoiceStatus(invoiceId: string, status: InvoiceStatus): LocalRecord<Invoice>;
  /** A payment taken in the app (cash, card terminal ...). Marks the invoice PAID when it is covered. */
  addPayment(invoiceId: string, input: NewPaymentInput): LocalRecord<Payment>;
}

/** Where an invoice may go from each status. PAID is reached through payments, not set by hand. */
const ALLOWED_MOVES: Record<InvoiceStatus, readonly InvoiceStatus[]> = {
  DRAFT: ['DRAFT', 'OPEN', 'SENT', 'VOID'],
  OPEN: ['OPEN', 'SENT', 'VOID'],
  SENT: ['SENT', 'OPEN', 'VOID'],
  PAID: ['PAID', 'VOID'],
  VOID: ['VOID'],
};

function today(clock: Clock): string {
  return new Date(clock.now()).toISOString().slice(0, 10);
}

function notFound(what: string, id: string): BlueClerkError {
  return new BlueClerkError('not_found', `${what} ${id} does not exist`);
}

export function createAppDatabase(options: { clock?: Clock } = {}): AppDatabase {
  const clock = options.clock ?? systemClock;
  const customers = new Map<string, Customer>();
  const items = new Map<string, Item>();
  const invoices = new Map<string, Invoice>();
  const payments = new Map<string, Payment>();
  let nextNumber = 1001;

  const copy = <T>(localId: string, data: T): LocalRecord<T> => ({ localId, data: structuredClone(data) });
  const newId = (prefix: string) => `${prefix}_${randomId(6)}`;

  function requireInvoice(invoiceId: string): Invoice {
    const invoice = invoices.get(invoiceId);
    if (!invoice) throw notFound('Invoice', invoiceId);
    return invoice;
  }

  function paymentsOf(invoiceId: string): Array<[string, Payment]> {
    return [...payments].filter(([, payment]) => payment.invoice?.id === invoiceId);
  }

  /** Balance = total - payments in the invoice currency, never below zero (an overpayment in QuickBooks). */
  function refreshBalance(invoiceId: string): Invoice {
    const invoice = requireInvoice(invoiceId);
    const paid = sumMoney(
      paymentsOf(invoiceId)
        .map(([, p]) => p.amount)
        .filter((amount) => amount.currency === invoice.currency),
      invoice.currency,
    );
    invoice.balance = money(Math.max(invoice.total.amount - paid.amount, 0), invoice.currency);
    return invoice;
  }

  function storePayment(data: Payment): string {
    const id = newId('pay');
    payments.set(id, data);
    return id;
  }

  return {
    listCustomers: () => [...customers].map(([id, data]) => copy(id, data)),
    listItems: () => [...items].map(([id, data]) => copy(id, data)),

    addCustomer(input) {
      const id = newId('cus');
      const data = parseCustomer(input);
      customers.set(id, data);
      return copy(id, data);
    },

    createInvoice(input) {
      const customer = customers.get(input.customerId);
      if (!customer) {
        throw new ValidationError(`Customer ${input.customerId} does not exist`, [
          { path: 'customerId', message: 'unknown customer' },
        ]);
      }
      const currency = (input.currency ?? 'USD').toUpperCase();
      const lines = input.lines.map((line, index) => {
        const item = line.itemId ? items.get(line.itemId) : null;
        if (line.itemId && !item) {
          throw new ValidationError(`Item ${line.itemId} does not exist`, [
            { path: `lines.${index}.itemId`, message: 'unknown item' },
          ]);
        }
        const unitPrice = money(line.unitPrice, currency);
        return {
          description: line.description ?? item?.description ?? item?.name ?? null,
          item: line.itemId && item ? { id: line.itemId, name: item.name } : null,
          quantity: line.quantity,
          unitPrice,
          amount: lineAmount(line.quantity, unitPrice),
          taxCode: null,
        };
      });
      const total = sumMoney(
        lines.map((line) => line.amount),
        currency,
      );
      // Validated before it is stored: nothing half-written on bad input.
      const invoice = parseInvoice({
        number: input.number ?? `BC-${nextNumber}`,
        customer: { id: input.customerId, name: customer.displayName },
        issueDate: input.issueDate ?? today(clock),
        dueDate: input.dueDate ?? null,
        status: input.status ?? 'DRAFT',
        currency,
        lines,
        taxTotal: null,
        total,
        balance: total,
        memo: input.memo ?? null,
      });
      if (invoice.status === 'PAID') {
        throw new ValidationError('A new invoice cannot be PAID; record a payment instead', [
          { path: 'status', message: 'not allowed on create' },
        ]);
      }
      if (!input.number) nextNumber++;
      const id = newId('inv');
      invoices.set(id, invoice);
      return copy(id, invoice);
    },

    setInvoiceStatus(invoiceId, status) {
      const invoice = requireInvoice(invoiceId);
      if (!INVOICE_STATUSES.includes(status)) {
        throw new ValidationError(`Unknown invoice status ${String(status)}`, [
          { path: 'status', message: 'unknown' },
        ]);
      }
      if (!ALLOWED_MOVES[invoice.status].includes(status)) {
        throw new BlueClerkError('conflict', `An invoice that is ${invoice.status} cannot become ${status}`, {
          action:
            status === 'PAID' ? 'Record a payment; the invoice becomes PAID once it is covered.' : undefined,
        });
      }
      invoice.status = status;
      return copy(invoiceId, invoice);
    },

    addPayment(invoiceId, input) {
      const invoice = requireInvoice(invoiceId);
      if (invoice.status === 'DRAFT' || invoice.status === 'VOID') {
        throw new BlueClerkError(
          'conflict',
          `Invoice ${invoiceId} is ${invoice.status}; it cannot take a payment`,
          {
            action: 'Open or send the invoice first.',
          },
        );
      }
      if (input.amount > invoice.balance.amount) {
        throw new ValidationError('The payment is larger than the open balance', [
          { path: 'amount', message: `at most ${invoice.balance.amount}` },
        ]);
      }
      const payment = parsePayment({
        amount: { amount: input.amount, currency: invoice.currency },
        date: input.date ?? today(clock),
        method: input.method ?? 'other',
        invoice: { id: invoiceId, name: invoice.number },
        customer: invoice.customer,
        reference: input.reference ?? null,
        memo: input.memo ?? null,
      });
      const id = storePayment(payment);
      const updated = refreshBalance(invoiceId);
      if (updated.balance.amount === 0) updated.status = 'PAID';
      return copy(id, payment);
    },

    // ---- HostAdapter: how the SDK reads and writes the records above --------------------------------------------

    async getCustomer(localId) {
      const data = customers.get(localId);
      return data ? copy(localId, data) : null;
    },
    async findCustomerByEmail(email) {
      for (const [id, data] of customers) {
        if (data.email && normalizeEmail(data.email) === email) return copy(id, data);
      }
      return null;
    },
    async createCustomer(data) {
      const id = newId('cus');
      customers.set(id, structuredClone(data));
      return copy(id, data);
    },

    async getItem(localId) {
      const data = items.get(localId);
      return data ? copy(localId, data) : null;
    },
    async findItemBySku(sku) {
      for (const [id, data] of items) if (data.sku === sku) return copy(id, data);
      return null;
    },
    async findItemByName(name) {
      const wanted = name.toLowerCase();
      for (const [id, data] of items) if (data.name.toLowerCase() === wanted) return copy(id, data);
      return null;
    },
    async createItem(data) {
      const id = newId('itm');
      items.set(id, structuredClone(data));
      return copy(id, data);
    },

    async getInvoice(localId) {
      const data = invoices.get(localId);
      return data ? copy(localId, data) : null;
    },
    async listInvoicePayments(invoiceLocalId) {
      return paymentsOf(invoiceLocalId).map(([id, data]) => copy(id, data));
    },
    async getPayment(localId) {
      const data = payments.get(localId);
      return data ? copy(localId, data) : null;
    },
    async recordPayment(data) {
      const invoiceId = data.invoice?.id;
      if (!invoiceId) throw new ValidationError('A payment from the provider must name an invoice');
      requireInvoice(invoiceId);
      const id = storePayment(structuredClone(data));
      refreshBalance(invoiceId);
      return copy(id, data);
    },
    async markInvoicePaid(invoiceLocalId) {
      const invoice = requireInvoice(invoiceLocalId);
      if (invoice.status !== 'VOID') invoice.status = 'PAID';
    },
  };
}
