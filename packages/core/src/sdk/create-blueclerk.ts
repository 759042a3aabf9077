import { createSyncEngine, type SyncEngine } from '../engine/engine';
import type { HostAdapter } from '../engine/host';
import type { SyncEngineOptions } from '../engine/options';
import { ConcurrencyError, ConfigurationError, ValidationError } from '../errors/index';
import { createEventBus } from '../events/bus';
import type { EventBus } from '../events/types';
import { createProviderHttp } from '../http/provider-http';
import type { ProviderHttp } from '../http/types';
import { createSyncNotifier, type SyncNotifier, type SyncNotifierOptions } from '../notifications/notifier';
import { type ConnectFlow, createConnectFlow } from '../oauth/connect-flow';
import { assertStateSecret } from '../oauth/state';
import type { ClientCredentials } from '../oauth/types';
import { mergeConnectionSettings, parseConnectionSettings } from '../provider/connection-settings';
import type { ProviderCallContext } from '../provider/context';
import { providerHttpProfile } from '../provider/http-profile';
import { createAccountingProviderRegistry, type ProviderRegistry } from '../provider/registry';
import type { AccountingProvider } from '../provider/spec';
import { createRedactingLogger } from '../redact/index';
import { type Clock, systemClock } from '../runtime/clock';
import { type Logger, silentLogger } from '../runtime/logger';
import type { ConnectionRecord } from '../storage/connections';
import type { BlueClerkStorage } from '../storage/storage';
import type { ProviderId } from '../storage/types';
import { createTokenManager, type TokenManager } from '../tokens/manager';
import type { TokenVault } from '../vault/types';

/** Everything an app wires once, for every provider it offers. */
export interface BlueClerkOptions {
  /**
   * The providers the app offers, by their own ids:
   * `{ quickbooks: createQuickBooksProvider(), xero: createXeroProvider() }`.
   */
  providers: Readonly<Record<ProviderId, AccountingProvider<ProviderHttp>>>;
  /**
   * The app's OAuth client for each provider, by the same ids (validated here: placeholders and blanks fail at
   * once): `{ quickbooks: clientCredentialsFromEnv(process.env, 'QUICKBOOKS') }`.
   */
  credentials: Readonly<Record<ProviderId, ClientCredentials>>;
  storage: BlueClerkStorage;
  vault: TokenVault;
  /** At least 32 random characters; protects the OAuth `state`. */
  stateSecret: string;
  /** The app's own records (customers, items, invoices, payments). */
  host: HostAdapter;
  /** Created when absent; subscribe to it for every typed event of every provider. */
  events?: EventBus;
  clock?: Clock;
  /** Wrapped in `createRedactingLogger`: nothing secret reaches it. */
  logger?: Logger;
  /** Injected into OAuth and provider calls (tests, proxies). Default global `fetch`. */
  fetch?: typeof fetch;
  /** Notifier settings: email alerts and their per-owner settings (opt-in), de-duplication window, app name ... */
  notifications?: Omit<SyncNotifierOptions, 'storage' | 'clock' | 'logger' | 'providerNames'>;
  /** Engine tuning (claim TTLs, bulk concurrency, poll interval). */
  engine?: Omit<
    SyncEngineOptions<ProviderHttp>,
    'providers' | 'storage' | 'host' | 'contextFor' | 'events' | 'clock' | 'logger'
  >;
  /** Token manager lease settings. */
  lock?: { ttlMs?: number; waitMs?: number };
  /** Absolute `returnTo` origins the OAuth callback may redirect to. */
  returnToOrigins?: readonly string[];
}

/** Per-connection settings, validated by the connection's provider. */
export interface ConnectionSettingsApi {
  /** The connection's settings with the provider's defaults filled in. */
  getSettings(connectionId: string): Promise<Readonly<Record<string, unknown>>>;
  /**
   * Merges `patch` into the stored settings (`null` removes a key), validates the result with the provider's
   * schema (a `ValidationError` names `settings.<field>`, and nothing is written) and stores it. Returns the
   * updated connection.
   */
  updateSettings(connectionId: string, patch: Readonly<Record<string, unknown>>): Promise<ConnectionRecord>;
}

export interface BlueClerk {
  /** The configured providers, by id. */
  readonly providers: ProviderRegistry<AccountingProvider<ProviderHttp>>;
  readonly storage: BlueClerkStorage;
  readonly events: EventBus;
  /** Connect (`start({ provider, ownerId })`), callback, disconnect. */
  readonly connect: ConnectFlow;
  /** Valid access tokens, refreshed once across processes (once per grant). */
  readonly tokens: TokenManager;
  /** Invoice, payment, import, pull, poll and webhook sync, routed by each connection's provider. */
  readonly engine: SyncEngine;
  /** Per-connection provider settings. */
  readonly connections: ConnectionSettingsApi;
  /**
   * Turns events into notifications, health and optional emails (already subscribed to `events`, one notification
   * per failure whatever the provider), and is the app's read side: `listNotifications`, `recentFailuresBanner`,
   * `markRead`, `getConnectionHealth`, `listConnectionHealth`.
   */
  readonly notifier: SyncNotifier;
  /** The per-connection provider context (authenticated HTTP client and settings), for direct provider calls. */
  contextFor(connection: ConnectionRecord): ProviderCallContext<ProviderHttp>;
}

const SETTINGS_CAS_ATTEMPTS = 3;

/**
 * Wires every provider an app offers: OAuth connect flow, token manager, HTTP clients, sync engine, notifier and
 * feed, all over one storage and one event bus. This is the whole integration most apps need; each part is also
 * exported on its own for apps that want to assemble them differently.
 */
export function createBlueClerk(options: BlueClerkOptions): BlueClerk {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError('options', 'createBlueClerk needs an options object');
  }
  const { storage, vault, host } = options;
  const providers = createAccountingProviderRegistry(options.providers);
  assertStateSecret(options.stateSecret);
  const events = options.events ?? createEventBus();
  const clock = options.clock ?? systemClock;
  const logger = createRedactingLogger(options.logger ?? silentLogger);
  const fetchOption = options.fetch ? { fetch: options.fetch } : {};

  const connect = createConnectFlow({
    providers: options.providers,
    credentials: options.credentials,
    storage,
    vault,
    stateSecret: options.stateSecret,
    clock,
    events,
    logger,
    ...fetchOption,
    ...(options.returnToOrigins ? { returnToOrigins: options.returnToOrigins } : {}),
  });
  const tokens = createTokenManager({
    storage,
    vault,
    providers: options.providers,
    credentials: options.credentials,
    clock,
    events,
    logger,
    ...fetchOption,
    ...(options.lock ? { lock: options.lock } : {}),
  });

  // One HTTP client per connection: its limiter (the only one) and hooks are per connection anyway.
  const clients = new Map<string, ProviderHttp>();
  function httpFor(connection: ConnectionRecord, provider: AccountingProvider<ProviderHttp>): ProviderHttp {
    let client = clients.get(connection.id);
    if (!client) {
      client = createProviderHttp({
        provider: providerHttpProfile(provider),
        classifyError: provider.http.classifyResponse,
        connectionId: connection.id,
        getAccessToken: (id, tokenOptions) =>
          tokens.getAccessToken(id, { ...tokenOptions, provider: provider.id }),
        clock,
        logger,
        ...fetchOption,
      });
      clients.set(connection.id, client);
    }
    return client;
  }
  function baseContext(connection: ConnectionRecord, provider: AccountingProvider<ProviderHttp>) {
    if (!connection.tenantId) {
      throw new ConfigurationError(
        'connection.tenantId',
        `Connection ${connection.id} has no tenant yet; finish connecting first`,
      );
    }
    return {
      connectionId: connection.id,
      tenantId: connection.tenantId,
      http: httpFor(connection, provider),
      logger,
    };
  }

  const engine = createSyncEngine<ProviderHttp>({
    ...options.engine,
    providers: options.providers,
    storage,
    host,
    contextFor: baseContext,
    events,
    clock,
    logger,
  });
  const providerNames = Object.fromEntries(
    providers.list().map((provider) => [provider.id, provider.displayName]),
  );
  const notifier = createSyncNotifier({ ...options.notifications, storage, clock, logger, providerNames });
  notifier.attach(events);

  async function loadConnection(connectionId: string): Promise<ConnectionRecord> {
    const connection =
      typeof connectionId === 'string' ? await storage.connections.getConnection(connectionId) : null;
    if (!connection) {
      throw new ValidationError(`Connection ${String(connectionId)} does not exist`, [
        { path: 'connectionId', message: 'not found' },
      ]);
    }
    return connection;
  }

  const connections: ConnectionSettingsApi = {
    async getSettings(connectionId) {
      const connection = await loadConnection(connectionId);
      return parseConnectionSettings(providers.get(connection.provider), connection.settings);
    },
    async updateSettings(connectionId, patch) {
      for (let attempt = 1; ; attempt++) {
        const connection = await loadConnection(connectionId);
        const provider = providers.get(connection.provider);
        const settings = mergeConnectionSettings(provider, connection.settings, patch);
        try {
          return await storage.connections.updateConnection(
            connection.id,
            { settings },
            { expectedVersion: connection.version },
          );
        } catch (error) {
          // A token refresh may have written meanwhile: merge into the newer record and try again.
          const retry =
            ConcurrencyError.isInstance(error) &&
            error.code === 'conflict' &&
            attempt < SETTINGS_CAS_ATTEMPTS;
          if (!retry) throw error;
        }
      }
    },
  };

  return {
    providers,
    storage,
    events,
    connect,
    tokens,
    engine,
    connections,
    notifier,
    contextFor(connection) {
      const provider = providers.get(connection.provider);
      return {
        ...baseContext(connection, provider),
        settings: parseConnectionSettings(provider, connection.settings),
      };
    },
  };
}
