import {
  type Payment,
  type PaymentMethod,
  type ProviderRecord,
  parsePayment,
  ValidationError,
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

/** Payment <-> QuickBooks `Payment` (Finance.xsd Payment, Line/LinkedTxn). */

/** PaymentRefNum holds at most 21 characters; QuickBooks rejects longer values (error 2050). */
export const PAYMENT_REF_NUM_MAX = 21;

export const QboPaymentSchema = EntityBaseSchema.extend({
  CustomerRef: RefSchema,
  TotalAmt: DecimalSchema,
  TxnDate: z.string(),
  CurrencyRef: RefSchema.optional(),
  PaymentRefNum: z.string().optional(),
  PaymentMethodRef: RefSchema.optional(),
  DepositToAccountRef: RefSchema.optional(),
  PrivateNote: z.string().optional(),
  Line: z
    .array(
      z.looseObject({
        Amount: DecimalSchema.optional(),
        LinkedTxn: z.array(z.looseObject({ TxnId: z.string(), TxnType: z.string() })).default([]),
      }),
    )
    .default([]),
});

export interface PaymentMappingOptions {
  /** QuickBooks customer id; required by QuickBooks even though the invoice already names one. */
  customerId: string;
  reference: string;
  paymentMethodIds?: Partial<Record<PaymentMethod, string>>;
  depositAccountId?: string | undefined;
}

/** The body for create: the whole amount applied to `payment.invoice`, our reference in PaymentRefNum. */
export function paymentToQbo(payment: Payment, options: PaymentMappingOptions): Record<string, unknown> {
  if (!payment.invoice) {
    throw new ValidationError('A QuickBooks payment must be applied to an invoice', [
      { path: 'invoice', message: 'required' },
    ]);
  }
  if (options.reference.length > PAYMENT_REF_NUM_MAX) {
    throw new ValidationError(
      `Payment reference must be at most ${PAYMENT_REF_NUM_MAX} characters for QuickBooks`,
      [{ path: 'reference', message: `length ${options.reference.length}` }],
    );
  }
  const amount = toDecimal(payment.amount);
  const methodId = options.paymentMethodIds?.[payment.method];
  return compact({
    CustomerRef: { value: options.customerId },
    TotalAmt: amount,
    TxnDate: payment.date,
    CurrencyRef: { value: payment.amount.currency },
    PaymentRefNum: options.reference,
    PaymentMethodRef: methodId ? { value: methodId } : undefined,
    DepositToAccountRef: options.depositAccountId ? { value: options.depositAccountId } : undefined,
    PrivateNote: payment.memo ?? undefined,
    Line: [{ Amount: amount, LinkedTxn: [{ TxnId: payment.invoice.id, TxnType: 'Invoice' }] }],
  });
}

export function paymentFromQbo(
  raw: unknown,
  options: { homeCurrency: string; paymentMethodIds?: Partial<Record<PaymentMethod, string>> },
): ProviderRecord<Payment> {
  const wire = parseWire(QboPaymentSchema, raw, 'payment');
  const currency = wire.CurrencyRef
    ? wireCurrency(wire.CurrencyRef.value, 'Payment.CurrencyRef.value')
    : options.homeCurrency;
  const invoiceId = wire.Line.flatMap((l) => l.LinkedTxn).find((l) => l.TxnType === 'Invoice')?.TxnId;
  const methodEntry = Object.entries(options.paymentMethodIds ?? {}).find(
    ([, id]) => id === wire.PaymentMethodRef?.value,
  );
  const data = fromProviderData('payment', raw, () =>
    parsePayment({
      amount: toMoney(wire.TotalAmt, currency, 'reject', 'Payment.TotalAmt'),
      date: wire.TxnDate,
      method: (methodEntry?.[0] as PaymentMethod | undefined) ?? 'other',
      invoice: invoiceId ? { id: invoiceId } : null,
      customer: { id: wire.CustomerRef.value, name: wire.CustomerRef.name ?? null },
      reference: wire.PaymentRefNum ?? null,
      memo: wire.PrivateNote ?? null,
    }),
  );
  return {
    providerId: wire.Id,
    version: wire.SyncToken ?? null,
    updatedAt: updatedAtOf(wire.MetaData),
    data,
  };
}
