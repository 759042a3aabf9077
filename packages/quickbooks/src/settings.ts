import { type Clock, ConfigurationError, PAYMENT_METHODS, systemClock } from '@blueclerk/core';
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

const SettingsSchema = z.object({
  /** `sandbox` talks to sandbox-quickbooks.api.intuit.com. Default `production`. */
  environment: z.enum(['production', 'sandbox']).default('production'),
  /** Default 75. */
  minorVersion: z.number().int().min(75).default(DEFAULT_MINOR_VERSION),
  /** Company home currency, used for amounts QuickBooks sends without a currency (Item.UnitPrice). Default USD. */
  homeCurrency: z
    .string()
    .regex(/^[A-Za-z]{3}$/)
    .transform((v) => v.toUpperCase())
    .default('USD'),
  /** Income account for items that do not name one. QuickBooks refuses sales items without an income account. */
  defaultIncomeAccountId: z.string().min(1).optional(),
  /** Account payments are deposited to. Default: QuickBooks' Undeposited Funds. */
  depositAccountId: z.string().min(1).optional(),
  /** Transaction-level tax code (`TxnTaxDetail.TxnTaxCodeRef`) put on invoices, e.g. a US state tax code id. */
  invoiceTaxCodeId: z.string().min(1).optional(),
  /** QuickBooks PaymentMethod ids by core payment method (`{ check: '2', card: '3' }`). */
  paymentMethodIds: z.partialRecord(z.enum(PAYMENT_METHODS), z.string().min(1)).default({}),
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
