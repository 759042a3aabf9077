import type { ProviderCallContext } from './context';

/**
 * What a schema must offer for core to validate settings with it: zod's `safeParse`. Structural, so a provider's
 * own zod copy works without sharing core's.
 */
export interface SettingsSchema<TSettings> {
  safeParse(input: unknown):
    | { success: true; data: TSettings }
    | {
        success: false;
        error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> };
      };
}

/**
 * Per-connection settings: what differs per connected company (account ids, tax codes, payment-method maps, the
 * company's home currency). App-wide settings stay in the provider factory.
 *
 * The schema must accept `{}` (a fresh connection) and fill defaults; core validates the merged settings on every
 * write (typed `ValidationError` naming `settings.<field>`) and hands the parsed value to operations as
 * `ctx.settings`.
 */
export interface ConnectionSettingsSpec<THttp = unknown, TSettings = Record<string, unknown>> {
  readonly schema: SettingsSchema<TSettings>;
  /**
   * Reads what the provider itself knows (QuickBooks: the home currency in Preferences `CurrencyPrefs.HomeCurrency`) right after the connection
   * is made; the result is validated and stored. Values the app set later win. A failure here does not fail the
   * connection: the settings stay as they were and the problem is logged.
   */
  discover?(ctx: ProviderCallContext<THttp>): Promise<Partial<TSettings>>;
}
