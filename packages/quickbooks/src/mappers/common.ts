import { type Address, fromMinorUnitsToNumber, type Money, moneyFromDecimal } from '@blueclerk/core/provider';
import { z } from 'zod';

/**
 * Shared pieces of the QuickBooks wire format (IntuitBaseTypes.xsd): ReferenceType `{value, name}`, PhysicalAddress,
 * EmailAddress, TelephoneNumber, MetaData. Amounts are JSON decimal numbers on the wire and integer minor units in
 * core; conversion goes through core's Money helpers (exact decimal parsing, never `* 100`).
 */

export const RefSchema = z.looseObject({
  value: z.union([z.string(), z.number()]).transform(String),
  name: z.string().optional(),
});
export type QboRef = { value: string; name?: string };

export const AddressWireSchema = z.looseObject({
  Line1: z.string().optional(),
  Line2: z.string().optional(),
  City: z.string().optional(),
  CountrySubDivisionCode: z.string().optional(),
  PostalCode: z.string().optional(),
  Country: z.string().optional(),
});

export const MetaDataSchema = z.looseObject({
  CreateTime: z.string().optional(),
  LastUpdatedTime: z.string().optional(),
});

/** Decimal on the wire: QuickBooks sends numbers; a few SDKs re-serialise them as strings. */
export const DecimalSchema = z.union([z.number(), z.string()]);

/** Fields every QuickBooks entity carries. */
export const EntityBaseSchema = z.looseObject({
  Id: z.union([z.string(), z.number()]).transform(String),
  SyncToken: z.union([z.string(), z.number()]).transform(String).optional(),
  MetaData: MetaDataSchema.optional(),
});

export function ref(id: string, name?: string | null): QboRef {
  return name ? { value: id, name } : { value: id };
}

/** `MetaData.LastUpdatedTime` (`2026-01-02T03:04:05-08:00`) as epoch ms, or null. */
export function updatedAtOf(meta: z.infer<typeof MetaDataSchema> | undefined): number | null {
  const raw = meta?.LastUpdatedTime;
  if (!raw) return null;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Wire decimal -> Money. QuickBooks stores amounts with the currency's decimals, but unit prices may carry more
 * (up to 7 places), so conversion rounds half-up where asked and otherwise rejects lost digits.
 */
export function toMoney(value: unknown, currency: string, rounding: 'reject' | 'half-up' = 'reject'): Money {
  const decimal = typeof value === 'number' || typeof value === 'string' ? value : 0;
  return moneyFromDecimal(decimal, currency, { rounding });
}

/** Money -> wire decimal number (exact: `1005` USD becomes `10.05`). */
export function toDecimal(amount: Money): number {
  return fromMinorUnitsToNumber(amount.amount, amount.currency);
}

export function addressToWire(address: Address | null): Record<string, string> | undefined {
  if (!address) return undefined;
  const out: Record<string, string> = {};
  if (address.line1) out.Line1 = address.line1;
  if (address.line2) out.Line2 = address.line2;
  if (address.city) out.City = address.city;
  if (address.region) out.CountrySubDivisionCode = address.region;
  if (address.postalCode) out.PostalCode = address.postalCode;
  if (address.country) out.Country = address.country;
  return Object.keys(out).length > 0 ? out : undefined;
}

export function addressFromWire(wire: z.infer<typeof AddressWireSchema> | undefined): Address | null {
  if (!wire) return null;
  const address: Address = {
    line1: wire.Line1?.trim() || null,
    line2: wire.Line2?.trim() || null,
    city: wire.City?.trim() || null,
    region: wire.CountrySubDivisionCode?.trim() || null,
    postalCode: wire.PostalCode?.trim() || null,
    country: wire.Country?.trim() || null,
  };
  return Object.values(address).some((v) => v !== null) ? address : null;
}

/** Drops undefined members so the JSON sent carries only fields we mean to set. */
export function compact<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}
