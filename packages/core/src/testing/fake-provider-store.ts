import { MissingFieldError, ProviderError, ValidationError } from '../errors/index';
import { normalizeEmail } from '../model/common';
import type { Customer } from '../model/customer';
import type { Invoice } from '../model/invoice';
import type { Item } from '../model/item';
import { money, sumMoney } from '../model/money';
import type { Payment } from '../model/payment';
import type { ProviderRecord } from '../provider/records';
import type { Clock } from '../runtime/clock';
import type { EntityType } from '../storage/types';

/** A wire-level error as a real provider client would throw before classification (status + provider code). */
export class FakeWireError extends Error {
  constructor(
    readonly status: number,
    readonly providerCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'FakeWireError';
  }
}

export interface StoredRecord<T> {
  providerId: string;
  version: number;
  updatedAt: number;
  data: T;
  /** Creation order, for stable paging. */
  order: number;
}

export interface ChangeLogEntry {
  seq: number;
  entityType: EntityType;
  providerId: string;
  deleted: boolean;
  at: number;
}

export interface FakeStoreOptions {
  clock: Clock;
  versionedUpdates: boolean;
  requireIncomeAccount: boolean;
  paymentReferenceMaxLength: number;
}

type Kind = 'customer' | 'item' | 'invoice' | 'payment';

/** The fake provider's books: stateful, in memory, with the rules a real provider enforces. */
export class FakeStore {
  readonly customers = new Map<string, StoredRecord<Customer>>();
  readonly items = new Map<string, StoredRecord<Item>>();
  readonly invoices = new Map<string, StoredRecord<Invoice>>();
  readonly payments = new Map<string, StoredRecord<Payment>>();
  readonly log: ChangeLogEntry[] = [];
  /** Idempotency key -> provider id of the record the first request created. */
  readonly idempotency = new Map<string, string>();
  private nextId = 1;
  private seq = 0;

  constructor(private readonly options: FakeStoreOptions) {}

  private table(kind: Kind): Map<string, StoredRecord<unknown>> {
    const tables = {
      customer: this.customers,
      item: this.items,
      invoice: this.invoices,
      payment: this.payments,
    };
    return tables[kind] as Map<string, StoredRecord<unknown>>;
  }

  toRecord<T>(stored: StoredRecord<T>): ProviderRecord<T> {
    return {
      providerId: stored.providerId,
      version: this.options.versionedUpdates ? String(stored.version) : null,
      updatedAt: stored.updatedAt,
      data: structuredClone(stored.data),
    };
  }

  private touch(kind: Kind, providerId: string, deleted = false): void {
    this.seq += 1;
    this.log.push({ seq: this.seq, entityType: kind, providerId, deleted, at: this.options.clock.now() });
  }

  /** The record an earlier create with this idempotency key made, as real providers replay it (before validating). */
  replayed<T>(kind: Kind, idempotencyKey?: string): StoredRecord<T> | undefined {
    const replay = idempotencyKey ? this.idempotency.get(`${kind}:${idempotencyKey}`) : undefined;
    return replay ? (this.table(kind).get(replay) as StoredRecord<T>) : undefined;
  }

  insert<T>(kind: Kind, data: T, idempotencyKey?: string): StoredRecord<T> {
    const scopedKey = idempotencyKey ? `${kind}:${idempotencyKey}` : undefined;
    const replay = this.replayed<T>(kind, idempotencyKey);
    if (replay) return replay;
    const providerId = `${kind.slice(0, 3)}-${this.nextId++}`;
    const stored: StoredRecord<T> = {
      providerId,
      version: 0,
      updatedAt: this.options.clock.now(),
      data: structuredClone(data),
      order: this.nextId,
    };
    this.table(kind).set(providerId, stored as StoredRecord<unknown>);
    if (scopedKey) this.idempotency.set(scopedKey, providerId);
    this.touch(kind, providerId);
    return stored;
  }

  replace<T>(kind: Kind, providerId: string, data: T, version: string | null | undefined): StoredRecord<T> {
    const stored = this.require<T>(kind, providerId);
    if (this.options.versionedUpdates && version !== String(stored.version)) {
      throw new ProviderError('conflict', `Stale version ${version} for ${kind} ${providerId}`, {
        status: 400,
        providerCode: '5010',
      });
    }
    stored.data = structuredClone(data);
    stored.version += 1;
    stored.updatedAt = this.options.clock.now();
    this.touch(kind, providerId);
    return stored;
  }

  /** Someone else edits the record in the provider's UI: its version moves on. */
  editExternally(kind: Kind, providerId: string): void {
    const stored = this.require(kind, providerId);
    stored.version += 1;
    stored.updatedAt = this.options.clock.now();
    this.touch(kind, providerId);
  }

  require<T>(kind: Kind, providerId: string): StoredRecord<T> {
    const stored = this.table(kind).get(providerId);
    if (!stored) throw new ProviderError('not_found', `No ${kind} ${providerId}`, { status: 404 });
    return stored as StoredRecord<T>;
  }

  list<T>(kind: Kind): Array<StoredRecord<T>> {
    return ([...this.table(kind).values()] as Array<StoredRecord<T>>).sort((a, b) => a.order - b.order);
  }

  checkCustomer(data: Customer, exceptId?: string): void {
    for (const c of this.customers.values()) {
      if (c.providerId !== exceptId && c.data.displayName.toLowerCase() === data.displayName.toLowerCase()) {
        throw new ProviderError('duplicate', `Another customer is already named "${data.displayName}"`, {
          status: 400,
          providerCode: '6240',
        });
      }
    }
  }

  checkItem(data: Item): void {
    if (this.options.requireIncomeAccount && !data.incomeAccount) {
      throw new MissingFieldError('incomeAccount', `Item "${data.name}" needs an income account`);
    }
  }

  findCustomersByEmail(email: string): Array<StoredRecord<Customer>> {
    const wanted = normalizeEmail(email);
    return this.list<Customer>('customer').filter(
      (c) => c.data.email && normalizeEmail(c.data.email) === wanted,
    );
  }

  paidOn(invoiceId: string): number {
    let paid = 0;
    for (const p of this.payments.values())
      if (p.data.invoice?.id === invoiceId) paid += p.data.amount.amount;
    return paid;
  }

  /** Validates references and computes totals the way a provider does; returns the stored shape. */
  computeInvoice(data: Invoice, exceptId?: string): Invoice {
    this.require('customer', data.customer.id);
    for (const [index, line] of data.lines.entries()) {
      if (line.item && !this.items.has(line.item.id)) {
        throw new ProviderError(
          'validation_failed',
          `Line ${index + 1} references unknown item ${line.item.id}`,
          {
            status: 400,
          },
        );
      }
    }
    for (const inv of this.invoices.values()) {
      if (inv.providerId !== exceptId && data.number && inv.data.number === data.number) {
        throw new ProviderError('duplicate', `Invoice number ${data.number} is already used`, {
          status: 400,
          providerCode: '6140',
        });
      }
    }
    const total = sumMoney(
      data.lines.map((l) => l.amount),
      data.currency,
    );
    const paid = exceptId ? this.paidOn(exceptId) : 0;
    if (paid > total.amount) {
      throw new ProviderError('validation_failed', 'Invoice total would fall below the amount already paid', {
        status: 400,
      });
    }
    const balance = money(total.amount - paid, data.currency);
    const number = data.number ?? `F-${this.invoices.size + 1}`;
    return {
      ...data,
      number,
      taxTotal: money(0, data.currency),
      total,
      balance,
      status: balance.amount === 0 && total.amount > 0 ? 'PAID' : data.status,
    };
  }

  /** Posts a payment against its invoice, enforcing what providers enforce. */
  checkPayment(data: Payment): StoredRecord<Invoice> {
    const invoiceId = data.invoice?.id;
    if (!invoiceId)
      throw new ValidationError('Payment needs an invoice', [{ path: 'invoice', message: 'required' }]);
    const invoice = this.require<Invoice>('invoice', invoiceId);
    if (invoice.data.status === 'VOID') {
      throw new ProviderError('validation_failed', `Invoice ${invoiceId} is void`, { status: 400 });
    }
    if (data.amount.currency !== invoice.data.currency) {
      throw new ProviderError('validation_failed', 'Payment currency differs from the invoice', {
        status: 400,
      });
    }
    if (data.amount.amount > invoice.data.balance.amount) {
      throw new ProviderError('validation_failed', 'Payment amount exceeds the amount outstanding', {
        status: 400,
      });
    }
    if (data.reference && data.reference.length > this.options.paymentReferenceMaxLength) {
      throw new ProviderError('validation_failed', 'Payment reference is too long', { status: 400 });
    }
    return invoice;
  }

  applyPaymentToInvoice(invoice: StoredRecord<Invoice>, amount: number): void {
    const balance = invoice.data.balance.amount - amount;
    invoice.data = {
      ...invoice.data,
      balance: money(balance, invoice.data.currency),
      status: balance === 0 ? 'PAID' : invoice.data.status,
    };
    invoice.version += 1;
    invoice.updatedAt = this.options.clock.now();
    this.touch('invoice', invoice.providerId);
  }
}
