import { z } from 'zod';
import { EntityRefSchema, IsoDateSchema, optionalText } from './common';
import { MoneySchema } from './money';
import { parseWith } from './validation';

/** How the customer paid. Providers map these onto their own lists (FreshBooks `type`, QuickBooks PaymentMethod). */
export const PAYMENT_METHODS = ['cash', 'check', 'card', 'bank_transfer', 'ach', 'online', 'other'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** A customer payment applied to an invoice. */
export const PaymentSchema = /* @__PURE__ */ (() =>
  z
    .object({
      amount: MoneySchema,
      date: IsoDateSchema,
      method: z.enum(PAYMENT_METHODS).default('other'),
      /** The invoice it pays; null for an unapplied payment read from a provider. */
      invoice: EntityRefSchema.nullish().transform((value) => value ?? null),
      customer: EntityRefSchema.nullish().transform((value) => value ?? null),
      /**
       * A short reference written into the provider record (QuickBooks PaymentRefNum <= 21 chars, Xero Reference).
       * The engine sets it to its ledger reference so a payment whose response was lost can be found again.
       */
      reference: optionalText(255),
      memo: optionalText(4000),
    })
    .superRefine((payment, ctx) => {
      if (payment.amount.amount <= 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['amount', 'amount'],
          message: 'Payment amount must be positive',
        });
      }
    }))();

export type Payment = z.infer<typeof PaymentSchema>;
export type PaymentInput = z.input<typeof PaymentSchema>;

/** Validates a payment; throws `ValidationError` with paths. */
export function parsePayment(input: unknown): Payment {
  return parseWith(PaymentSchema, input, 'payment');
}
