import { ConfigurationError } from '../errors/index';
import type { ProviderId } from '../storage/types';
import { type AccountingProvider, assertProviderSpec } from './spec';

/**
 * The providers one app offers, by id - the shape of the AI SDK's `createProviderRegistry`. Every engine, token and
 * notifier call that takes a connection id routes through it by that connection's provider.
 */
export interface ProviderRegistry<TProvider extends { readonly id: ProviderId } = AccountingProvider> {
  /** Configured ids, in the order given. */
  readonly ids: readonly ProviderId[];
  has(id: string): boolean;
  /** The provider, or `ConfigurationError('provider')` naming the configured ones. */
  get(id: string): TProvider;
  /** Every provider, in the order given. */
  list(): readonly TProvider[];
}

/**
 * Builds a registry from `{ quickbooks: createQuickBooksProvider(), xero: createXeroProvider() }`. Each key must be
 * the provider's own id (a mismatch is a `ConfigurationError`), and at least one provider is required.
 */
export function createProviderRegistry<TProvider extends { readonly id: ProviderId }>(
  providers: Readonly<Record<string, TProvider>>,
  options: { setting?: string; check?: (provider: TProvider) => void } = {},
): ProviderRegistry<TProvider> {
  const setting = options.setting ?? 'providers';
  if (typeof providers !== 'object' || providers === null) {
    throw new ConfigurationError(setting, `${setting} must be an object of providers by id`);
  }
  const byId = new Map<string, TProvider>();
  for (const [key, provider] of Object.entries(providers)) {
    if (!provider || typeof provider !== 'object') {
      throw new ConfigurationError(`${setting}.${key}`, `${setting}.${key} is not a provider`);
    }
    if (provider.id !== key) {
      throw new ConfigurationError(
        `${setting}.${key}`,
        `${setting}.${key} holds the "${provider.id}" provider; register it under its own id`,
      );
    }
    options.check?.(provider);
    byId.set(key, provider);
  }
  if (byId.size === 0) throw new ConfigurationError(setting, `${setting} needs at least one provider`);
  const ids = [...byId.keys()];
  return {
    ids,
    has: (id) => byId.has(id),
    get(id) {
      const found = byId.get(id);
      if (!found) {
        throw new ConfigurationError(
          'provider',
          `Unknown provider "${String(id)}"; this app is configured with: ${ids.join(', ')}`,
          { details: { provider: String(id), configured: ids } },
        );
      }
      return found;
    },
    list: () => [...byId.values()],
  };
}

/** A registry of full providers, each checked with `assertProviderSpec`. */
export function createAccountingProviderRegistry<THttp>(
  providers: Readonly<Record<string, AccountingProvider<THttp>>>,
): ProviderRegistry<AccountingProvider<THttp>> {
  return createProviderRegistry(providers, { check: (provider) => assertProviderSpec(provider) });
}
