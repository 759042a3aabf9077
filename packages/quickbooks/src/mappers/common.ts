import {
  type Address,
  CurrencyCodeSchema,
  type EntityType,
  fromMinorUnitsToNumber,
  type Money,
  moneyFromDecimal,
  ProviderError,
  toValidationIssues,
  ValidationError,
} from '@blueclerk/core/provider';
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
 * Reads one QuickBooks record with its wire schema. A record of the wrong shape (no Id, an amount that is an object,
 * a Line that is not an array) is a `ProviderError('malformed_response')` naming the entity and the wire field,
 * never a raw `ZodError`, so callers can report and skip that record.
 */
export function parseWire<S extends z.ZodType>(schema: S, raw: unknown, entity: EntityType): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const name = WIRE_NAMES[entity] ?? entity;
  const issues = toValidationIssues(parsed.error).map((issue) => ({
    path: issue.path === '(root)' ? name : `${name}.${issue.path}`,
    message: issue.message,
  }));
  const first = issues[0] as { path: string; message: string };
  const id = wireId(raw);
  const field = first.path === name ? '(root)' : first.path.slice(name.length + 1);
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  // A body the provider sent and the SDK cannot read: the provider's fault, not a request the app can correct.
  throw new ProviderError(
    'malformed_response',
    `QuickBooks sent a malformed ${name}${id ? ` ${id}` : ''}: ${first.path}: ${first.message}${more}`,
    { details: { provider: 'quickbooks', entity, field, providerId: id, issues } },
  );
}

const WIRE_NAMES: Partial<Record<EntityType, string>> = {
  customer: 'Customer',
  item: 'Item',
  invoice: 'Invoice',
  payment: 'Payment',
};

/** The record's Id for messages, when it has a usable one (short: it lands in logs). */
function wireId(raw: unknown): string | null {
  const id = typeof raw === 'object' && raw !== null ? (raw as { Id?: unknown }).Id : undefined;
  return (typeof id === 'string' || typeof id === 'number') && String(id).length <= 40 && String(id) !== ''
    ? String(id)
    : null;
}

/**
 * Wire decimal -> Money. QuickBooks stores amounts with the currency's decimals, but unit prices may carry more
 * (up to 7 places), so conversion rounds half-up where asked and otherwise rejects lost digits. `field` (the wire
 * path, `Invoice.TotalAmt`) names the value in a `ValidationError`; core refuses over-long text and huge exponents
 * before expanding them.
 */
export function toMoney(
  value: unknown,
  currency: string,
  rounding: 'reject' | 'half-up' = 'reject',
  field = 'amount',
): Money {
  const decimal = typeof value === 'number' || typeof value === 'string' ? value : 0;
  try {
    return moneyFromDecimal(decimal, currency, { rounding });
  } catch (error) {
    const issue = ValidationError.isInstance(error) ? error.issues[0] : undefined;
    if (issue?.path !== 'amount') throw error;
    throw new ProviderError(
      'malformed_response',
      `QuickBooks sent an unusable amount in ${field}: ${issue.message}`,
      {
        cause: error,
        details: { provider: 'quickbooks', field, issues: [{ path: field, message: issue.message }] },
      },
    );
  }
}

/** A currency code read from the wire (`CurrencyRef.value`), upper-cased; a `ValidationError` naming `field` otherwise. */
export function wireCurrency(value: string, field: string): string {
  const parsed = CurrencyCodeSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ProviderError(
    'malformed_response',
    `QuickBooks sent an unusable currency in ${field}: not a 3-letter ISO 4217 code`,
    {
      details: {
        provider: 'quickbooks',
        field,
        issues: [{ path: field, message: 'not a 3-letter ISO 4217 code' }],
      },
    },
  );
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

/**
 * Runs core's validation of a record the provider sent (`parseCustomer(...)` ...). What it refuses - a total below
 * zero, a name missing - is the provider's data, not the app's input, so it becomes `malformed_response` naming the
 * entity, like a wire-shape problem.
 */
export function fromProviderData<T>(entity: EntityType, raw: unknown, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!ValidationError.isInstance(error)) throw error;
    const name = WIRE_NAMES[entity] ?? entity;
    const id = wireId(raw);
    const issues = error.issues.map((issue) => ({ path: `${name}.${issue.path}`, message: issue.message }));
    throw new ProviderError(
      'malformed_response',
      `QuickBooks sent a ${name}${id ? ` ${id}` : ''} the SDK cannot use: ${issues[0]?.path ?? name}: ${issues[0]?.message ?? 'invalid'}`,
      {
        cause: error,
        details: { provider: 'quickbooks', entity, providerId: id, field: issues[0]?.path ?? null, issues },
      },
    );
  }
}
