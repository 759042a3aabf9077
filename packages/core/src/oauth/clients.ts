import { parseClientCredentials } from '../credentials/index';
import { ConfigurationError } from '../errors/index';
import { createProviderRegistry } from '../provider/registry';
import type { ProviderId } from '../storage/types';
import type { ClientCredentials, OAuthProviderDefinition } from './types';

/** A provider's OAuth definition with the app's validated client credentials for it. */
export interface OAuthClient {
  provider: OAuthProviderDefinition;
  credentials: ClientCredentials;
}

/**
 * Validates every provider's credentials at set-up and pairs them with its OAuth definition. Shared by the token
 * manager and the connect flow, so both refuse the same configurations with the same messages.
 */
export function createOAuthClients(
  providers: Readonly<Record<ProviderId, OAuthProviderDefinition>>,
  credentials: Readonly<Record<ProviderId, ClientCredentials>>,
): { get(id: string): OAuthClient; ids: readonly ProviderId[] } {
  const registry = createProviderRegistry(providers);
  if (typeof credentials !== 'object' || credentials === null) {
    throw new ConfigurationError(
      'credentials',
      'credentials must be an object of client credentials by provider id',
    );
  }
  const clients = new Map<string, OAuthClient>();
  for (const provider of registry.list()) {
    const given = credentials[provider.id];
    if (given === undefined) {
      throw new ConfigurationError(
        `credentials.${provider.id}`,
        `No client credentials configured for ${provider.id}; add credentials.${provider.id}`,
      );
    }
    clients.set(provider.id, {
      provider,
      credentials: parseClientCredentials(given, { prefix: provider.id.toUpperCase().replace(/-/g, '_') }),
    });
  }
  for (const id of Object.keys(credentials)) {
    if (!registry.has(id)) {
      throw new ConfigurationError(
        `credentials.${id}`,
        `credentials.${id} names no configured provider (configured: ${registry.ids.join(', ')})`,
      );
    }
  }
  return {
    ids: registry.ids,
    get(id) {
      registry.get(id);
      return clients.get(id) as OAuthClient;
    },
  };
}
