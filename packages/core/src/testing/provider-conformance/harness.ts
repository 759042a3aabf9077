import { it } from 'vitest';
import { type BlueClerkError, ConfigurationError } from '../../errors/index';
import type { Customer } from '../../model/customer';
import type { Invoice } from '../../model/invoice';
import type { Item } from '../../model/item';
import type { Payment } from '../../model/payment';
import type { ProviderCapabilities } from '../../provider/capabilities';
import type { ProviderRecord } from '../../provider/records';
import type { AccountingProvider } from '../../provider/spec';
import { randomReference } from '../../runtime/ids';
import type { ProviderConformanceOptions, ProviderConformanceSetup } from './setup';

type Setup<THttp> = ProviderConformanceSetup<THttp>;
type Provider<THttp> = AccountingProvider<THttp>;

/** What each group of clauses gets from the runner. */
export interface ProviderSuite<THttp> {
  /** A provider built once at registration, to read what it declares. */
  probe: Provider<THttp>;
  caps: ProviderCapabilities;
  /** Registers a test that runs against a fresh setup (torn down afterwards). */
  test(name: string, fn: (provider: Provider<THttp>, setup: Setup<THttp>) => Promise<void>): void;
}

export function createProviderSuite<THttp>(options: ProviderConformanceOptions<THttp>): ProviderSuite<THttp> {
  const probe = options.createProvider();
  return {
    probe,
    caps: probe.capabilities,
    test(name, fn) {
      it(name, async () => {
        const setup = await options.setup();
        const provider = setup.provider ?? options.createProvider();
        try {
          await fn(provider, setup);
        } finally {
          await setup.teardown?.();
        }
      });
    },
  };
}

/** A fixture the clause cannot run without; a setup that omits it fails the clause rather than passing it. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) {
    throw new ConfigurationError('setup', `Provider conformance: the setup supplies no ${what}`);
  }
  return value;
}

/** A unique label per call, so tests stay independent inside one simulator. */
export const unique = (label: string): string => `${label} ${randomReference(8)}`;

export function customerData(name: string, email: string | null): Customer {
  return {
    displayName: name,
    email,
    companyName: null,
    givenName: 'Ada',
    familyName: 'Lovelace',
    phone: '555-0100',
    billingAddress: null,
    shippingAddress: null,
    currency: null,
    notes: null,
    externalIds: {},
    active: true,
  };
}

export function itemData<THttp>(s: Setup<THttp>, name: string, sku: string | null): Item {
  return {
    name,
    description: 'Conformance item',
    sku,
    unitPrice: { amount: 2500, currency: s.currency ?? 'USD' },
    incomeAccount: s.incomeAccount ?? null,
    taxable: false,
    taxCode: null,
    type: 'service',
    active: true,
  };
}

/** One line of 1.5 x 25.00: the provider must compute 37.50. */
export function invoiceData<THttp>(
  s: Setup<THttp>,
  customerId: string,
  itemId: string,
  number: string,
): Invoice {
  const currency = s.currency ?? 'USD';
  return {
    number,
    customer: { id: customerId, name: null },
    issueDate: '2026-01-05',
    dueDate: '2026-02-04',
    status: 'OPEN',
    currency,
    lines: [
      {
        description: 'Labour',
        item: { id: itemId, name: null },
        quantity: 1.5,
        unitPrice: { amount: 2500, currency },
        amount: { amount: 3750, currency },
        taxCode: null,
      },
    ],
    taxTotal: null,
    total: { amount: 3750, currency },
    balance: { amount: 3750, currency },
    paymentLinkUrl: null,
    memo: null,
  };
}

/** A fresh customer, item and open invoice of 37.50. */
export async function newInvoice<THttp>(
  p: Provider<THttp>,
  s: Setup<THttp>,
): Promise<ProviderRecord<Invoice>> {
  const customer = await p.customers.create(s.context, customerData(unique('Conf Customer'), null));
  const item = await p.items.create(s.context, itemData(s, unique('Conf Item'), null));
  return p.invoices.create(
    s.context,
    invoiceData(s, customer.providerId, item.providerId, randomReference(10)),
  );
}

/** A payment on `invoice` carrying the engine-style `reference`, as the engine posts it. */
export function paymentData<THttp>(
  s: Setup<THttp>,
  invoice: ProviderRecord<Invoice>,
  amount: number,
  reference: string,
): Payment {
  return {
    amount: { amount, currency: s.currency ?? 'USD' },
    date: '2026-01-10',
    method: 'check',
    invoice: { id: invoice.providerId, name: null },
    customer: invoice.data.customer,
    reference,
    memo: null,
  };
}

/** The classified error `promise` rejects with, or null when it resolves. */
export async function errorOf<THttp>(
  p: Provider<THttp>,
  promise: Promise<unknown>,
): Promise<BlueClerkError | null> {
  try {
    await promise;
  } catch (error) {
    return p.classifyError(error);
  }
  return null;
}

export async function codeOf<THttp>(p: Provider<THttp>, promise: Promise<unknown>): Promise<string> {
  return (await errorOf(p, promise))?.code ?? 'no error';
}
