import { type Customer, EmailSchema, type ProviderRecord, parseCustomer } from '@blueclerk/core/provider';
import { z } from 'zod';
import {
  AddressWireSchema,
  addressFromWire,
  addressToWire,
  compact,
  EntityBaseSchema,
  fromProviderData,
  parseWire,
  RefSchema,
  updatedAtOf,
} from './common';

/** Customer <-> QuickBooks `Customer` (Finance.xsd Customer, NameBase). */

export const QboCustomerSchema = EntityBaseSchema.extend({
  DisplayName: z.string().optional(),
  CompanyName: z.string().optional(),
  GivenName: z.string().optional(),
  FamilyName: z.string().optional(),
  PrimaryEmailAddr: z.looseObject({ Address: z.string().optional() }).optional(),
  PrimaryPhone: z.looseObject({ FreeFormNumber: z.string().optional() }).optional(),
  BillAddr: AddressWireSchema.optional(),
  ShipAddr: AddressWireSchema.optional(),
  CurrencyRef: RefSchema.optional(),
  Notes: z.string().optional(),
  Active: z.boolean().optional(),
});
export type QboCustomer = z.infer<typeof QboCustomerSchema>;

/** The body for create (and, with Id/SyncToken/sparse added, for update). Null model fields are not sent. */
export function customerToQbo(customer: Customer): Record<string, unknown> {
  return compact({
    DisplayName: customer.displayName,
    CompanyName: customer.companyName ?? undefined,
    GivenName: customer.givenName ?? undefined,
    FamilyName: customer.familyName ?? undefined,
    PrimaryEmailAddr: customer.email ? { Address: customer.email } : undefined,
    PrimaryPhone: customer.phone ? { FreeFormNumber: customer.phone } : undefined,
    BillAddr: addressToWire(customer.billingAddress),
    ShipAddr: addressToWire(customer.shippingAddress),
    CurrencyRef: customer.currency ? { value: customer.currency } : undefined,
    Notes: customer.notes ?? undefined,
    Active: customer.active,
  });
}

export function customerFromQbo(raw: unknown): ProviderRecord<Customer> {
  const wire = parseWire(QboCustomerSchema, raw, 'customer');
  // QuickBooks accepts free-text email; an address core cannot use becomes null rather than failing an import.
  const email = EmailSchema.safeParse(wire.PrimaryEmailAddr?.Address ?? '');
  const data = fromProviderData('customer', raw, () =>
    parseCustomer({
      displayName:
        wire.DisplayName ??
        ([wire.GivenName, wire.FamilyName].filter(Boolean).join(' ') || `Customer ${wire.Id}`),
      companyName: wire.CompanyName ?? null,
      givenName: wire.GivenName ?? null,
      familyName: wire.FamilyName ?? null,
      email: email.success ? email.data : null,
      phone: wire.PrimaryPhone?.FreeFormNumber ?? null,
      billingAddress: addressFromWire(wire.BillAddr),
      shippingAddress: addressFromWire(wire.ShipAddr),
      currency: wire.CurrencyRef?.value ?? null,
      notes: wire.Notes ?? null,
      active: wire.Active !== false,
    }),
  );
  return {
    providerId: wire.Id,
    version: wire.SyncToken ?? null,
    updatedAt: updatedAtOf(wire.MetaData),
    data,
  };
}
