import {
  type Clock,
  ConfigurationError,
  PAYMENT_METHODS,
  type ProviderCallContext,
  systemClock,
} from '@blueclerk/core/provider';
import { z } from 'zod';

/** Intuit's API hosts. */
export const QUICKBOOKS_API_BASE_URLS = {
  production: 'https://quickbooks.api.intuit.com',
  sandbox: 'https://sandbox-quickbooks.api.intuit.com',
} as const;

/**
 * Minor version sent on every call. Since 2025-08-01 Intuit ignores 1-74 and treats 75 as the minimum
 * (Intuit developer blog, 2025-01-21).
 */
export const DEFAULT_MINOR_VERSION = 75;

const CurrencySchema = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'a three-letter ISO 4217 currency code')
  .transform((v) => v.toUpperCase());
const PaymentMethodIdsSchema = z.partialRecord(z.enum(PAYMENT_METHODS), z.string().min(1));

/**
 * What differs per connected QuickBooks company (each company has its own chart of accounts, tax codes and payment
 * methods), stored with the connection and validated on every write. Unset values fall back to the app-wide
 * settings of `createQuickBooksProvider`.
 */
export const QuickBooksConnectionSettingsSchema = z.strictObject({
  /** Income account (Account Id) for items that name none. QuickBooks refuses sales items without one. */
  incomeAccountId: z.string().min(1).optional(),
  /** Transaction-level tax code (`TxnTaxDetail.TxnTaxCodeRef`) put on invoices. */
  invoiceTaxCodeId: z.string().min(1).optional(),
  /** Account payments are deposited to. Default: QuickBooks' Undeposited Funds. */
  depositAccountId: z.string().min(1).optional(),
  /** QuickBooks PaymentMethod ids by core payment method (`{ check: '2', card: '3' }`). */
  paymentMethodIds: PaymentMethodIdsSchema.optional(),
  /** The company's home currency; read from Preferences (`CurrencyPrefs.HomeCurrency`) when the company connects. */
  homeCurrency: CurrencySchema.optional(),
  /**
   * Online payment the company's invoices allow (its QuickBooks Payments account): `card` sets
   * `AllowOnlineCreditCardPayment`, `ach` `AllowOnlineACHPayment`. With either, invoices carry the customer's email as
   * `BillEmail` and come back with their payment link (`paymentLinkUrl`). Default: none, so no links.
   */
  onlinePayment: z
    .strictObject({ card: z.boolean().default(false), ach: z.boolean().default(false) })
    .optional(),
});

export type QuickBooksConnectionSettings = z.output<typeof QuickBooksConnectionSettingsSchema>;

const SettingsSchema = z.object({
  /** `sandbox` talks to sandbox-quickbooks.api.intuit.com. Default `production`. */
  environment: z.enum(['production', 'sandbox']).default('production'),
  /** Default 75. */
  minorVersion: z.number().int().min(75).default(DEFAULT_MINOR_VERSION),
  /**
   * Home currency for companies whose connection settings carry none (amounts QuickBooks sends without a currency,
   * Item.UnitPrice). Each company's own is read at connect. Default USD.
   */
  homeCurrency: CurrencySchema.default('USD'),
  /** App-wide fallback for the per-connection `incomeAccountId`. */
  defaultIncomeAccountId: z.string().min(1).optional(),
  /** App-wide fallback for the per-connection `depositAccountId`. */
  depositAccountId: z.string().min(1).optional(),
  /** App-wide fallback for the per-connection `invoiceTaxCodeId`. */
  invoiceTaxCodeId: z.string().min(1).optional(),
  /** App-wide fallback for the per-connection `paymentMethodIds`. */
  paymentMethodIds: PaymentMethodIdsSchema.default({}),
  /** Per-attempt HTTP timeout. Default 60 000 ms (QuickBooks can be slow under load; writes carry a requestid). */
  timeoutMs: z.number().int().positive().default(60_000),
  /** Page size for list and look-up queries (QuickBooks caps MAXRESULTS at 1000). Default 1000. */
  pageSize: z.number().int().min(1).max(1000).default(1000),
});

/** Settings of `createQuickBooksProvider`. All optional. */
export type QuickBooksSettings = z.input<typeof SettingsSchema> & {
  /** Clock for CDC windows. Default: system clock. */
  clock?: Clock;
};

export type ResolvedQuickBooksSettings = z.output<typeof SettingsSchema> & { clock: Clock; baseUrl: string };

/** Validates settings once, at start-up; a bad value throws `ConfigurationError` naming the setting. */
export function resolveQuickBooksSettings(settings: QuickBooksSettings = {}): ResolvedQuickBooksSettings {
  const { clock, ...rest } = settings;
  const parsed = SettingsSchema.safeParse(rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const setting = issue?.path.join('.') || 'settings';
    throw new ConfigurationError(
      `quickbooks.${setting}`,
      `Invalid QuickBooks setting ${setting}: ${issue?.message}`,
    );
  }
  return {
    ...parsed.data,
    clock: clock ?? systemClock,
    baseUrl: QUICKBOOKS_API_BASE_URLS[parsed.data.environment],
  };
}

/** The settings in force for one call: the connection's own, else the app-wide ones. */
export interface CompanySettings {
  homeCurrency: string;
  incomeAccountId: string | undefined;
  invoiceTaxCodeId: string | undefined;
  depositAccountId: string | undefined;
  paymentMethodIds: Partial<Record<(typeof PAYMENT_METHODS)[number], string>>;
  /** Online payment invoices allow; both false means no payment links. */
  onlinePayment: { card: boolean; ach: boolean };
}

export function companySettings(
  ctx: Pick<ProviderCallContext<unknown>, 'settings'>,
  app: ResolvedQuickBooksSettings,
): CompanySettings {
  // Core validated ctx.settings with QuickBooksConnectionSettingsSchema before the call.
  const own = (ctx.settings ?? {}) as QuickBooksConnectionSettings;
  return {
    homeCurrency: own.homeCurrency ?? app.homeCurrency,
    incomeAccountId: own.incomeAccountId ?? app.defaultIncomeAccountId,
    invoiceTaxCodeId: own.invoiceTaxCodeId ?? app.invoiceTaxCodeId,
    depositAccountId: own.depositAccountId ?? app.depositAccountId,
    paymentMethodIds: { ...app.paymentMethodIds, ...own.paymentMethodIds },
    onlinePayment: { card: own.onlinePayment?.card ?? false, ach: own.onlinePayment?.ach ?? false },
  };
}
