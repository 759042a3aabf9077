import { z } from 'zod';
import { EntityRefSchema, IsoDateSchema, optionalText } from './common';
import { CurrencyCodeSchema } from './currency';
import { DocumentLineSchema } from './line';
import { MoneySchema } from './money';
import { parseWith } from './validation';

/**
 * Invoice life cycle in the host app. Only OPEN and SENT are pushed; DRAFT is not ready and VOID is carried to the
 * provider only for invoices that were already synced.
 */
export const INVOICE_STATUSES = ['DRAFT', 'OPEN', 'SENT', 'PAID', 'VOID'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

type MoneyValue = z.infer<typeof MoneySchema>;

/** Checks every amount is in the document currency; shared by invoices and estimates. */
export function checkDocumentCurrency(
  doc: { currency: string; lines: ReadonlyArray<{ unitPrice: MoneyValue; amount: MoneyValue }> },
  totals: Record<string, MoneyValue | null>,
  ctx: z.RefinementCtx,
): void {
  doc.lines.forEach((line, index) => {
    for (const key of ['unitPrice', 'amount'] as const) {
      if (line[key].currency !== doc.currency) {
        ctx.addIssue({
          code: 'custom',
          path: ['lines', index, key, 'currency'],
          message: `Line ${key} currency ${line[key].currency} differs from document currency ${doc.currency}`,
        });
      }
    }
  });
  for (const [key, value] of Object.entries(totals)) {
    if (value && value.currency !== doc.currency) {
      ctx.addIssue({
        code: 'custom',
        path: [key, 'currency'],
        message: `${key} currency ${value.currency} differs from document currency ${doc.currency}`,
      });
    }
  }
}

export const InvoiceSchema = /* @__PURE__ */ (() =>
  z
    .object({
      /** Invoice number; null lets the provider assign one. */
      number: optionalText(21),
      customer: EntityRefSchema,
      issueDate: IsoDateSchema,
      dueDate: IsoDateSchema.nullish().transform((value) => value ?? null),
      status: z.enum(INVOICE_STATUSES),
      currency: CurrencyCodeSchema,
      lines: z.array(DocumentLineSchema).min(1, 'An invoice needs at least one line'),
      /** Total tax; null when the provider computes it and it is not known yet. */
      taxTotal: MoneySchema.nullish().transform((value) => value ?? null),
      /** Grand total including tax. */
      total: MoneySchema,
      /** Amount still owed. Reaches zero when fully paid. */
      balance: MoneySchema,
      /** Online payment link the customer can use, when the provider or app offers one. */
      paymentLinkUrl: z
        .url()
        .nullish()
        .transform((value) => value ?? null),
      memo: optionalText(4000),
    })
    .superRefine((invoice, ctx) => {
      checkDocumentCurrency(
        invoice,
        { taxTotal: invoice.taxTotal, total: invoice.total, balance: invoice.balance },
        ctx,
      );
      if (invoice.total.amount < 0) {
        ctx.addIssue({ code: 'custom', path: ['total', 'amount'], message: 'Total cannot be negative' });
      }
      if (invoice.balance.amount < 0 || invoice.balance.amount > invoice.total.amount) {
        ctx.addIssue({
          code: 'custom',
          path: ['balance', 'amount'],
          message: 'Balance must be between zero and the total',
        });
      }
      if (invoice.dueDate && invoice.dueDate < invoice.issueDate) {
        ctx.addIssue({ code: 'custom', path: ['dueDate'], message: 'Due date is before the issue date' });
      }
    }))();

export type Invoice = z.infer<typeof InvoiceSchema>;
export type InvoiceInput = z.input<typeof InvoiceSchema>;

/** Validates an invoice; throws `ValidationError` with paths like `lines.0.quantity`. */
export function parseInvoice(input: unknown): Invoice {
  return parseWith(InvoiceSchema, input, 'invoice');
}
