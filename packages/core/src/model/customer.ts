import { z } from 'zod';
import { AddressSchema, EmailSchema, ExternalIdsSchema, optionalText, requiredText } from './common';
import { CurrencyCodeSchema } from './currency';
import { parseWith } from './validation';

/** A customer (QuickBooks Customer, Xero Contact, FreshBooks Client, Wave Customer). */
export const CustomerSchema = /* @__PURE__ */ (() =>
  z.object({
    /** The name shown on invoices; unique per provider at QuickBooks and Xero. */
    displayName: requiredText(500, 'Customer display name'),
    companyName: optionalText(500),
    givenName: optionalText(100),
    familyName: optionalText(100),
    /** Primary email. Import de-duplicates on it (trimmed, case-insensitive). */
    email: EmailSchema.nullish().transform((value) => value ?? null),
    phone: optionalText(50),
    billingAddress: AddressSchema.nullish().transform((value) => value ?? null),
    shippingAddress: AddressSchema.nullish().transform((value) => value ?? null),
    /** Customer's currency; null means the company's home currency. */
    currency: CurrencyCodeSchema.nullish().transform((value) => value ?? null),
    notes: optionalText(4000),
    externalIds: ExternalIdsSchema,
    active: z.boolean().default(true),
  }))();

export type Customer = z.infer<typeof CustomerSchema>;
/** What callers may pass: optional fields may be omitted. */
export type CustomerInput = z.input<typeof CustomerSchema>;

/** Validates a customer; throws `ValidationError` with paths. */
export function parseCustomer(input: unknown): Customer {
  return parseWith(CustomerSchema, input, 'customer');
}
