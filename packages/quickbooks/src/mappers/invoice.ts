import {
  type Invoice,
  type InvoiceStatus,
  type ProviderRecord,
  parseInvoice,
} from '@blueclerk/core/provider';
import { z } from 'zod';
import {
  compact,
  DecimalSchema,
  EntityBaseSchema,
  fromProviderData,
  parseWire,
  RefSchema,
  toDecimal,
  toMoney,
  updatedAtOf,
  wireCurrency,
} from './common';

/** Invoice <-> QuickBooks `Invoice` (Finance.xsd Invoice/SalesTransaction, Line, SalesItemLineDetail, TxnTaxDetail). */

const SalesItemLineDetailSchema = z.looseObject({
  ItemRef: RefSchema.optional(),
  Qty: z.number().optional(),
  UnitPrice: DecimalSchema.optional(),
  TaxCodeRef: RefSchema.optional(),
});

const LineSchema = z.looseObject({
  Id: z.string().optional(),
  Description: z.string().optional(),
  Amount: DecimalSchema.optional(),
  DetailType: z.string(),
  SalesItemLineDetail: SalesItemLineDetailSchema.optional(),
});

export const QboInvoiceSchema = EntityBaseSchema.extend({
  DocNumber: z.string().optional(),
  TxnDate: z.string(),
  DueDate: z.string().optional(),
  CustomerRef: RefSchema,
  CurrencyRef: RefSchema.optional(),
  Line: z.array(LineSchema).default([]),
  TxnTaxDetail: z
    .looseObject({ TxnTaxCodeRef: RefSchema.optional(), TotalTax: DecimalSchema.optional() })
    .optional(),
  TotalAmt: DecimalSchema.default(0),
  Balance: DecimalSchema.default(0),
  CustomerMemo: z.looseObject({ value: z.string().optional() }).optional(),
  PrivateNote: z.string().optional(),
  EmailStatus: z.string().optional(),
  InvoiceLink: z.string().optional(),
  LinkedTxn: z.array(z.looseObject({ TxnId: z.string(), TxnType: z.string() })).default([]),
});
export type QboInvoice = z.infer<typeof QboInvoiceSchema>;

/**
 * The body for create/update. QuickBooks computes TotalAmt, tax and Balance itself; we send line amounts (already
 * quantity x unit price, rounded half-up, which is what QuickBooks checks against: error 6070 otherwise).
 */
export function invoiceToQbo(
  invoice: Invoice,
  options: {
    invoiceTaxCodeId?: string | undefined;
    /** The customer's email: where QuickBooks sends the invoice, and required for a payment link. */
    billEmail?: string | null | undefined;
    onlinePayment?: { card: boolean; ach: boolean } | undefined;
  } = {},
): Record<string, unknown> {
  const online = options.onlinePayment;
  return compact({
    DocNumber: invoice.number ?? undefined,
    TxnDate: invoice.issueDate,
    DueDate: invoice.dueDate ?? undefined,
    CustomerRef: invoice.customer.name
      ? { value: invoice.customer.id, name: invoice.customer.name }
      : { value: invoice.customer.id },
    CurrencyRef: { value: invoice.currency },
    Line: invoice.lines.map((line) =>
      compact({
        DetailType: 'SalesItemLineDetail',
        Amount: toDecimal(line.amount),
        Description: line.description ?? undefined,
        SalesItemLineDetail: compact({
          ItemRef: line.item ? { value: line.item.id } : undefined,
          Qty: line.quantity,
          UnitPrice: toDecimal(line.unitPrice),
          TaxCodeRef: line.taxCode ? { value: line.taxCode.id } : undefined,
        }),
      }),
    ),
    TxnTaxDetail: options.invoiceTaxCodeId
      ? { TxnTaxCodeRef: { value: options.invoiceTaxCodeId } }
      : undefined,
    CustomerMemo: invoice.memo ? { value: invoice.memo } : undefined,
    BillEmail: options.billEmail ? { Address: options.billEmail } : undefined,
    AllowOnlineCreditCardPayment: online ? online.card : undefined,
    AllowOnlineACHPayment: online ? online.ach : undefined,
  });
}

/** A voided QuickBooks invoice keeps its lines with zero amounts and says "Voided" in the private note. */
export function isVoidedInvoice(wire: Pick<QboInvoice, 'PrivateNote' | 'TotalAmt'>): boolean {
  return Number(wire.TotalAmt) === 0 && (wire.PrivateNote ?? '').trim().toLowerCase().startsWith('voided');
}

export function invoiceFromQbo(raw: unknown, homeCurrency: string): ProviderRecord<Invoice> {
  const wire = parseWire(QboInvoiceSchema, raw, 'invoice');
  const currency = wire.CurrencyRef
    ? wireCurrency(wire.CurrencyRef.value, 'Invoice.CurrencyRef.value')
    : homeCurrency;
  const lines = wire.Line.flatMap((line, index) => {
    if (line.DetailType !== 'SalesItemLineDetail') return [];
    const detail = line.SalesItemLineDetail ?? {};
    const amount = toMoney(line.Amount ?? 0, currency, 'reject', `Invoice.Line.${index}.Amount`);
    // Qty/UnitPrice are optional on the wire; a line without them is one unit at its amount. Voided lines keep
    // their quantity but QuickBooks may zero it, and core quantities must be positive.
    const quantity = detail.Qty && detail.Qty > 0 ? detail.Qty : 1;
    const unitPrice =
      detail.UnitPrice === undefined
        ? amount
        : toMoney(
            detail.UnitPrice,
            currency,
            'half-up',
            `Invoice.Line.${index}.SalesItemLineDetail.UnitPrice`,
          );
    return [
      {
        description: line.Description ?? null,
        item: detail.ItemRef ? { id: detail.ItemRef.value, name: detail.ItemRef.name ?? null } : null,
        quantity,
        unitPrice,
        amount,
        taxCode: detail.TaxCodeRef ? { id: detail.TaxCodeRef.value } : null,
      },
    ];
  });
  const total = toMoney(wire.TotalAmt, currency, 'reject', 'Invoice.TotalAmt');
  const balance = toMoney(wire.Balance, currency, 'reject', 'Invoice.Balance');
  const status: InvoiceStatus = isVoidedInvoice(wire)
    ? 'VOID'
    : total.amount > 0 && balance.amount === 0
      ? 'PAID'
      : wire.EmailStatus === 'EmailSent'
        ? 'SENT'
        : 'OPEN';
  const data = fromProviderData('invoice', raw, () =>
    parseInvoice({
      number: wire.DocNumber ?? null,
      customer: { id: wire.CustomerRef.value, name: wire.CustomerRef.name ?? null },
      issueDate: wire.TxnDate,
      dueDate: wire.DueDate && wire.DueDate >= wire.TxnDate ? wire.DueDate : null,
      status,
      currency,
      lines:
        lines.length > 0
          ? lines
          : [{ description: null, item: null, quantity: 1, unitPrice: total, amount: total, taxCode: null }],
      taxTotal:
        wire.TxnTaxDetail?.TotalTax === undefined
          ? null
          : toMoney(wire.TxnTaxDetail.TotalTax, currency, 'reject', 'Invoice.TxnTaxDetail.TotalTax'),
      total,
      balance: { ...balance, amount: Math.min(Math.max(balance.amount, 0), total.amount) },
      paymentLinkUrl: wire.InvoiceLink && /^https?:\/\//.test(wire.InvoiceLink) ? wire.InvoiceLink : null,
      memo: wire.CustomerMemo?.value ?? null,
    }),
  );
  return {
    providerId: wire.Id,
    version: wire.SyncToken ?? null,
    updatedAt: updatedAtOf(wire.MetaData),
    data,
  };
}

/** Payment ids QuickBooks lists on the invoice (`LinkedTxn` with TxnType Payment). */
export function linkedPaymentIds(raw: unknown): string[] {
  return parseWire(QboInvoiceSchema, raw, 'invoice')
    .LinkedTxn.filter((link) => link.TxnType === 'Payment')
    .map((link) => link.TxnId);
}
