import type { Customer } from '../model/customer';
import type { Invoice } from '../model/invoice';
import type { Item } from '../model/item';
import type { Payment } from '../model/payment';
import type { EntityType, ProviderId } from '../storage/types';

/**
 * The host app owns its customers, items, invoices and payments. The engine reaches them only through this
 * interface, so it works with any database. References inside records the host returns (invoice.customer,
 * line.item, payment.invoice) are LOCAL ids; the engine translates them to provider ids through `storage.links`.
 *
 * Rules:
 * - Look-ups return null for "not found"; they never throw for it.
 * - `createCustomer` / `createItem` / `recordPayment` are called at most once per provider record: the engine
 *   de-duplicates (links, ledger) before calling, so the host needs no idempotency of its own.
 */
export interface HostAdapter {
  getCustomer(localId: string): Promise<LocalRecord<Customer> | null>;
  /**
   * A customer whose email matches, compared trimmed and case-insensitively (`email` arrives normalized:
   * trimmed and lower-cased). Used by import to link rather than duplicate.
   */
  findCustomerByEmail(email: string): Promise<LocalRecord<Customer> | null>;
  /** Creates a local customer from a provider record (import). */
  createCustomer(data: Customer, origin: RecordOrigin): Promise<LocalRecord<Customer>>;

  getItem(localId: string): Promise<LocalRecord<Item> | null>;
  /** A local item with this SKU (exact), or null. Omit when the app has no SKUs. */
  findItemBySku?(sku: string): Promise<LocalRecord<Item> | null>;
  /** A local item with this name (case-insensitive), or null. */
  findItemByName(name: string): Promise<LocalRecord<Item> | null>;
  /** Creates a local item from a provider record (import), after account and tax mapping. */
  createItem(data: Item, origin: RecordOrigin): Promise<LocalRecord<Item>>;

  /** The invoice with its lines. */
  getInvoice(localId: string): Promise<LocalRecord<Invoice> | null>;
  /** Every payment the app recorded against the invoice. */
  listInvoicePayments(invoiceLocalId: string): Promise<Array<LocalRecord<Payment>>>;
  getPayment(localId: string): Promise<LocalRecord<Payment> | null>;

  /**
   * Records a payment that arrived from the provider (webhook or pull) against a local invoice. `data.invoice.id`
   * is the local invoice id. Returns the local payment.
   */
  recordPayment(data: Payment, origin: RecordOrigin): Promise<LocalRecord<Payment>>;
  /** Marks the invoice PAID; called once its payments cover the total. */
  markInvoicePaid(invoiceLocalId: string): Promise<void>;

  /**
   * Optional notice that a linked record changed in the provider (pull or webhook). The engine has already updated
   * the link's version; the app may refresh its copy. Not called for payments (see `recordPayment`).
   */
  onProviderChange?(change: HostChangeNotice): Promise<void>;
}

/** A host record with its local id. */
export interface LocalRecord<T> {
  localId: string;
  data: T;
}

/** Where a record created by the engine came from. */
export interface RecordOrigin {
  connectionId: string;
  provider: ProviderId;
  providerId: string;
}

export interface HostChangeNotice {
  connectionId: string;
  entityType: EntityType;
  localId: string;
  providerId: string;
  deleted: boolean;
  /** The provider's current data (provider ids inside); null when deleted. */
  data: unknown;
}
