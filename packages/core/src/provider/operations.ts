import type { Customer } from '../model/customer';
import type { Invoice } from '../model/invoice';
import type { Item } from '../model/item';
import type { Payment } from '../model/payment';
import type { ProviderCallContext } from './context';
import type { CreateOptions, ListOptions, Page, ProviderRecord, UpdateOptions } from './records';

/**
 * Entity operations. Every method takes the per-call context first and works on core's model: providers map to and
 * from their wire format (mappers/) and throw core error classes (classify with `classifyError`).
 *
 * Conventions for every operation:
 * - `get` returns null for a record that does not exist (or was deleted); other methods throw
 *   `ProviderError('not_found')` for a missing target.
 * - `create`/`update` return the record as the provider stored it, with its new `version`.
 * - `update` replaces the fields core's model covers and leaves the provider's other fields untouched.
 * - References inside `data` (invoice.customer, line.item, payment.invoice) carry provider ids.
 */
export interface CustomerOperations<THttp = unknown> {
  /** One page of customers, oldest first where the provider allows, so a stored cursor resumes an import. */
  list(ctx: ProviderCallContext<THttp>, options?: ListOptions): Promise<Page<Customer>>;
  get(ctx: ProviderCallContext<THttp>, providerId: string): Promise<ProviderRecord<Customer> | null>;
  /**
   * Customers whose primary email equals `email`, compared trimmed and case-insensitively. Several may match
   * (QuickBooks does not enforce unique emails); an empty array when none.
   */
  findByEmail(ctx: ProviderCallContext<THttp>, email: string): Promise<Array<ProviderRecord<Customer>>>;
  /** Creates a customer. A display name taken by another record fails with `ProviderError('duplicate')`. */
  create(
    ctx: ProviderCallContext<THttp>,
    data: Customer,
    options?: CreateOptions,
  ): Promise<ProviderRecord<Customer>>;
  update(
    ctx: ProviderCallContext<THttp>,
    providerId: string,
    data: Customer,
    options: UpdateOptions,
  ): Promise<ProviderRecord<Customer>>;
}

export interface ItemOperations<THttp = unknown> {
  list(ctx: ProviderCallContext<THttp>, options?: ListOptions): Promise<Page<Item>>;
  get(ctx: ProviderCallContext<THttp>, providerId: string): Promise<ProviderRecord<Item> | null>;
  /** Items whose SKU equals `sku` exactly (Xero: `Code`). Empty where the provider has no SKU (Wave). */
  findBySku(ctx: ProviderCallContext<THttp>, sku: string): Promise<Array<ProviderRecord<Item>>>;
  /** Items whose name equals `name`, case-insensitively. */
  findByName(ctx: ProviderCallContext<THttp>, name: string): Promise<Array<ProviderRecord<Item>>>;
  /** Creates an item. QuickBooks needs `incomeAccount` (else `MissingFieldError('incomeAccount')`). */
  create(ctx: ProviderCallContext<THttp>, data: Item, options?: CreateOptions): Promise<ProviderRecord<Item>>;
  update(
    ctx: ProviderCallContext<THttp>,
    providerId: string,
    data: Item,
    options: UpdateOptions,
  ): Promise<ProviderRecord<Item>>;
}

export interface InvoiceOperations<THttp = unknown> {
  list(ctx: ProviderCallContext<THttp>, options?: ListOptions): Promise<Page<Invoice>>;
  /** The invoice with provider-computed `total`, `taxTotal` and `balance`. */
  get(ctx: ProviderCallContext<THttp>, providerId: string): Promise<ProviderRecord<Invoice> | null>;
  /** The invoice with this number, or null. */
  findByNumber(ctx: ProviderCallContext<THttp>, number: string): Promise<ProviderRecord<Invoice> | null>;
  /**
   * Creates the invoice in the provider's "open / authorised" state for status OPEN or SENT. The provider computes
   * totals and tax; the returned record carries them. A duplicate number fails with `ProviderError('duplicate')`.
   */
  create(
    ctx: ProviderCallContext<THttp>,
    data: Invoice,
    options?: CreateOptions,
  ): Promise<ProviderRecord<Invoice>>;
  update(
    ctx: ProviderCallContext<THttp>,
    providerId: string,
    data: Invoice,
    options: UpdateOptions,
  ): Promise<ProviderRecord<Invoice>>;
  /**
   * Voids the invoice (QuickBooks `operation=void`, Xero `Status: VOIDED`). Present only when
   * `capabilities.voidInvoices`. Voiding an invoice with payments applied fails with `ProviderError('conflict')`
   * where the provider refuses it.
   */
  void?(
    ctx: ProviderCallContext<THttp>,
    providerId: string,
    options: UpdateOptions,
  ): Promise<ProviderRecord<Invoice>>;
}

export interface PaymentCreateOptions extends CreateOptions {
  /**
   * The engine's short reference (20 chars), also present as `data.reference`. Providers write it into their
   * reference field (`capabilities.paymentReference`) so `findByReference` can find the payment after a lost response.
   */
  reference: string;
}

/** Narrows a reference look-up; providers without a searchable reference field scan these. */
export interface ReferenceLookupHints {
  invoiceProviderId?: string;
  customerProviderId?: string;
}

export interface PaymentOperations<THttp = unknown> {
  get(ctx: ProviderCallContext<THttp>, providerId: string): Promise<ProviderRecord<Payment> | null>;
  /**
   * Posts a payment applied to `data.invoice` (a provider invoice id). Sends `options.idempotencyKey` where the
   * provider takes one and writes `options.reference` into the payment.
   */
  create(
    ctx: ProviderCallContext<THttp>,
    data: Payment,
    options: PaymentCreateOptions,
  ): Promise<ProviderRecord<Payment>>;
  /**
   * The payment carrying our `reference`, or null when none exists. Must see payments created a moment ago
   * (read-after-write): the engine calls it to decide whether an earlier attempt committed.
   */
  findByReference(
    ctx: ProviderCallContext<THttp>,
    reference: string,
    hints?: ReferenceLookupHints,
  ): Promise<ProviderRecord<Payment> | null>;
  /** Every payment applied to the invoice. */
  listForInvoice(
    ctx: ProviderCallContext<THttp>,
    invoiceProviderId: string,
  ): Promise<Array<ProviderRecord<Payment>>>;
}
