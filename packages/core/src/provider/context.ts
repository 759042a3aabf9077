import type { Logger } from '../runtime/logger';

/**
 * Per-call context the engine passes to every provider operation. A provider holds no per-connection state: the
 * tenant, the authenticated HTTP client and the abort signal all arrive here, so one provider object serves every
 * connection.
 *
 * `THttp` is the HTTP client type. Core's `createProviderHttp` (http/) builds one per connection with the token
 * manager, retries and redaction wired in; provider packages declare `AccountingProvider<ProviderHttp>` and the
 * engine carries whatever the app's `contextFor` returns.
 */
export interface ProviderCallContext<THttp = unknown, TSettings = Readonly<Record<string, unknown>>> {
  /** Our connection id (storage.connections). */
  connectionId: string;
  /** QuickBooks realmId, Xero tenantId, FreshBooks accountId, Wave businessId. */
  tenantId: string;
  /** Authenticated HTTP client for this connection. */
  http: THttp;
  /**
   * This connection's settings, validated by the provider's `connectionSettings.schema` (defaults filled in);
   * `{}` for a provider without per-connection settings.
   */
  settings: TSettings;
  /** Aborts the call (engine timeouts, app shutdown). */
  signal?: AbortSignal;
  /** Redacting logger; providers log without tokens. */
  logger?: Logger;
}
