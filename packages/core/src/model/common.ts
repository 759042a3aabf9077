import { z } from 'zod';
import { expectString } from '../runtime/arguments';

/** A calendar date `YYYY-MM-DD` (no time zone: invoices and payments are dated, not timed). */
export const IsoDateSchema = /* @__PURE__ */ (() =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Date must be YYYY-MM-DD')
    .refine((value) => {
      const date = new Date(`${value}T00:00:00Z`);
      return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
    }, 'Date does not exist'))();

export type IsoDate = z.infer<typeof IsoDateSchema>;

/**
 * Email, trimmed. Deliberately permissive (something@something): provider data holds odd but deliverable
 * addresses, and rejecting them would block an import. De-duplication uses `normalizeEmail`.
 */
export const EmailSchema = /* @__PURE__ */ (() =>
  z
    .string()
    .trim()
    .max(254, 'Email is longer than 254 characters')
    .regex(/^[^\s@]+@[^\s@]+$/, 'Email must look like name@domain'))();

/** Trimmed, lower-cased email: the key for customer de-duplication. */
export function normalizeEmail(email: string): string {
  expectString('normalizeEmail', 'email', email);
  return email.trim().toLowerCase();
}

/** Optional free text: trimmed; empty strings become null so "no value" has one spelling. */
export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Must be at most ${max} characters`)
    .nullish()
    .transform((value) => (value ? value : null));

/** Required, trimmed, non-empty text. */
export const requiredText = (max: number, label: string) =>
  z.string().trim().min(1, `${label} is required`).max(max, `${label} must be at most ${max} characters`);

export const AddressSchema = /* @__PURE__ */ (() =>
  z.object({
    line1: optionalText(500),
    line2: optionalText(500),
    city: optionalText(255),
    region: optionalText(255),
    postalCode: optionalText(30),
    /** ISO 3166-1 alpha-2 where known, else the provider's text. */
    country: optionalText(100),
  }))();

export type Address = z.infer<typeof AddressSchema>;

/**
 * A reference to another record. Which id space `id` is in depends on the side: records the host app hands the
 * engine carry local ids; records sent to or read from a provider carry that provider's ids. The engine translates
 * through `storage.links`.
 */
export const EntityRefSchema = /* @__PURE__ */ (() =>
  z.object({
    id: z.string().min(1, 'Reference id is required'),
    /** Display name, when known (helps providers that match by name). */
    name: z
      .string()
      .nullish()
      .transform((value) => value ?? null),
  }))();

export type EntityRef = z.infer<typeof EntityRefSchema>;

/** An account in the provider's chart of accounts (QuickBooks Account Id, Xero AccountCode, Wave account id). */
export const AccountRefSchema = /* @__PURE__ */ (() =>
  z.object({
    id: z.string().min(1, 'Account id is required'),
    /** Xero and some charts identify accounts by a short code. */
    code: z
      .string()
      .nullish()
      .transform((value) => value ?? null),
    name: z
      .string()
      .nullish()
      .transform((value) => value ?? null),
  }))();

export type AccountRef = z.infer<typeof AccountRefSchema>;
export type AccountRefInput = z.input<typeof AccountRefSchema>;

/**
 * A sales-tax code or rate. QuickBooks and Wave reference tax codes by id, Xero by `TaxType`, FreshBooks by name and
 * percent on each line - so all three fields are available and providers use what they need.
 */
export const TaxCodeRefSchema = /* @__PURE__ */ (() =>
  z.object({
    id: z.string().min(1, 'Tax code id is required'),
    name: z
      .string()
      .nullish()
      .transform((value) => value ?? null),
    /** Percent as a decimal string, e.g. `"8.25"`. */
    ratePercent: z
      .string()
      .regex(/^\d{1,3}(\.\d{1,6})?$/, 'Tax rate must be a decimal percent like 8.25')
      .nullish()
      .transform((value) => value ?? null),
  }))();

export type TaxCodeRef = z.infer<typeof TaxCodeRefSchema>;
export type TaxCodeRefInput = z.input<typeof TaxCodeRefSchema>;

/** Ids of the same record in other systems, by system name (e.g. `{ crm: '42' }`). */
export const ExternalIdsSchema = /* @__PURE__ */ (() => z.record(z.string(), z.string()).default({}))();
