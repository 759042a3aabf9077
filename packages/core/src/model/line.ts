import { z } from 'zod';
import { ValidationError } from '../errors/index';
import { EntityRefSchema, optionalText, TaxCodeRefSchema } from './common';
import { parseDecimal } from './decimal';
import { MoneySchema, multiplyMoney } from './money';

/** Most decimal places a quantity may have (QuickBooks keeps 7, Xero 4 by default; 6 is safe to round-trip). */
export const MAX_QUANTITY_DECIMALS = 6;

/**
 * A line quantity: positive, finite, at most 6 decimal places, no larger than a safe integer. `1.5` (hours) is fine;
 * `"1.5"` is accepted and becomes `1.5`. Text is parsed by `parseDecimal`, so `"1e20000000"` is refused at once
 * rather than expanded.
 */
export const QuantitySchema = /* @__PURE__ */ (() =>
  z.union([z.number(), z.string().trim().min(1)]).transform((value, ctx) => {
    let scale: number;
    try {
      scale = parseDecimal(value, 'quantity').scale;
    } catch (error) {
      const reason = ValidationError.isInstance(error) ? error.issues[0]?.message : undefined;
      ctx.addIssue({
        code: 'custom',
        message:
          reason && reason !== 'not a decimal number'
            ? `Quantity must be a decimal number (${reason})`
            : 'Quantity must be a decimal number',
      });
      return z.NEVER;
    }
    const quantity = Number(value);
    if (!Number.isFinite(quantity) || quantity <= 0) {
      ctx.addIssue({ code: 'custom', message: 'Quantity must be greater than zero' });
      return z.NEVER;
    }
    if (quantity > Number.MAX_SAFE_INTEGER) {
      ctx.addIssue({ code: 'custom', message: 'Quantity is too large' });
      return z.NEVER;
    }
    if (scale > MAX_QUANTITY_DECIMALS) {
      ctx.addIssue({
        code: 'custom',
        message: `Quantity may have at most ${MAX_QUANTITY_DECIMALS} decimal places`,
      });
      return z.NEVER;
    }
    return quantity;
  }))();

/** One line of an invoice or estimate. */
export const DocumentLineSchema = /* @__PURE__ */ (() =>
  z.object({
    description: optionalText(4000),
    /** The item sold; null for a free-text line. */
    item: EntityRefSchema.nullish().transform((value) => value ?? null),
    quantity: QuantitySchema,
    unitPrice: MoneySchema,
    /** Line total before tax: quantity x unit price, rounded half-up (see `lineAmount`). */
    amount: MoneySchema,
    taxCode: TaxCodeRefSchema.nullish().transform((value) => value ?? null),
  }))();

export type DocumentLine = z.infer<typeof DocumentLineSchema>;
export type DocumentLineInput = z.input<typeof DocumentLineSchema>;

/** Quantity x unit price, rounded half-up to the minor unit. */
export function lineAmount(quantity: number | string, unitPrice: z.infer<typeof MoneySchema>) {
  return multiplyMoney(unitPrice, quantity);
}
