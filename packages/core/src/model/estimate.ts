import { z } from 'zod';
import { EntityRefSchema, IsoDateSchema, optionalText } from './common';
import { CurrencyCodeSchema } from './currency';
import { checkDocumentCurrency } from './invoice';
import { DocumentLineSchema } from './line';
import { MoneySchema } from './money';
import { parseWith } from './validation';

export const ESTIMATE_STATUSES = ['DRAFT', 'SENT', 'ACCEPTED', 'DECLINED', 'CLOSED'] as const;
export type EstimateStatus = (typeof ESTIMATE_STATUSES)[number];

/** A quote / estimate (QuickBooks Estimate, Xero Quote, FreshBooks Estimate, Wave estimate). */
export const EstimateSchema = /* @__PURE__ */ (() =>
  z
    .object({
      number: optionalText(21),
      customer: EntityRefSchema,
      issueDate: IsoDateSchema,
      expiryDate: IsoDateSchema.nullish().transform((value) => value ?? null),
      status: z.enum(ESTIMATE_STATUSES),
      currency: CurrencyCodeSchema,
      lines: z.array(DocumentLineSchema).min(1, 'An estimate needs at least one line'),
      taxTotal: MoneySchema.nullish().transform((value) => value ?? null),
      total: MoneySchema,
      memo: optionalText(4000),
    })
    .superRefine((estimate, ctx) => {
      checkDocumentCurrency(estimate, { taxTotal: estimate.taxTotal, total: estimate.total }, ctx);
      if (estimate.expiryDate && estimate.expiryDate < estimate.issueDate) {
        ctx.addIssue({
          code: 'custom',
          path: ['expiryDate'],
          message: 'Expiry date is before the issue date',
        });
      }
    }))();

export type Estimate = z.infer<typeof EstimateSchema>;
export type EstimateInput = z.input<typeof EstimateSchema>;

/** Validates an estimate; throws `ValidationError` with paths. */
export function parseEstimate(input: unknown): Estimate {
  return parseWith(EstimateSchema, input, 'estimate');
}
