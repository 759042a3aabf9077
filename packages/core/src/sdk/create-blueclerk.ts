import { createSyncEngine, type SyncEngine } from '../engine/engine';
import type { HostAdapter } from '../engine/host';
import type { SyncEngineOptions } from '../engine/options';
import { ConfigurationError } from '../errors/index';
import { createEventBus } from '../events/bus';
import type { EventBus } from '../events/types';
import { createProviderHttp } from '../http/provider-http';
import type { ProviderHttp } from '../http/types';
import { createSyncNotifier, type SyncNotifier, type SyncNotifierOptions } from '../notifications/notifier';
import { type ConnectFlow, createConnectFlow } from '../oauth/connect-flow';
import type { ClientCredentials } from '../oauth/types';
import type { ProviderCallContext } from '../provider/context';
import type { AccountingProvider } from '../provider/spec';
import { createRedactingLogger } from '../redact/index';
import { type Clock, systemClock } from '../runtime/clock';
import { type Logger, silentLogger } from '../runtime/logger';
import type { ConnectionRecord } from '../storage/connections';
import type { BlueClerkStorage } from '../storage/storage';
import { createTokenManager, type TokenManager } from '../tokens/manager';
import type { TokenVault } from '../vault/types';

/** Everything an app wires once per provider. */
export interface BlueClerkOptions {
  /** A provider package's provider, e.g. `createQuickBooksProvider()`. It must declare `http`. */
  provider: AccountingProvider<ProviderHttp>;
  storage: BlueClerkStorage;
  vault: TokenVault;
  /** The app's OAuth client (validated here: placeholders and blanks fail at once). */
  credentials: ClientCredentials;
  /** At least 32 random characters; protects the OAuth `state`. */
  stateSecret: string;
  /** The app's own records (customers, items, invoices, payments). */
  host: HostAdapter;
  /** Created when absent; subscribe to it for every typed event. */
  events?: EventBus;
  clock?: Clock;
  /** Wrapped in `createRedactingLogger`: nothing secret reaches it. */
  logger?: Logger;
  /** Injected into OAuth and provider calls (tests, proxies). Default global `fetch`. */
  fetch?: typeof fetch;
  /** Notifier settings: email alerts and their per-owner settings (opt-in), de-duplication window, app name ... */
  notifications?: Omit<SyncNotifierOptions, 'storage' | 'clock' | 'logger'>;
  /** Engine tuning (item defaults, claim TTLs, bulk concurrency). */
  engine?: Omit<
    SyncEngineOptions<ProviderHttp>,
    'provider' | 'storage' | 'host' | 'contextFor' | 'events' | 'clock' | 'logger'
  >;
  /** Token manager lease settings. */
  lock?: { ttlMs?: number; waitMs?: number };
  /** Absolute `returnTo` origins the OAuth callback may redirect to. */
  returnToOrigins?: readonly string[];
}

export interface BlueClerk {
  readonly provider: AccountingProvider<ProviderHttp>;
  readonly storage: BlueClerkStorage;
  readonly events: EventBus;
  /** Connect, callback, disconnect. */
  readonly connect: ConnectFlow;
  /** Valid access tokens, refreshed once across processes. */
  readonly tokens: TokenManager;
  /** Invoice, payment, import, pull and webhook sync. */
  readonly engine: SyncEngine;
  /**
   * Turns events into notifications, health and optional emails (already subscribed to `events`), and is the app's
   * read side: `listNotifications`, `recentFailuresBanner`, `markRead`, `getConnectionHealth`, `listConnectionHealth`.
   */
  readonly notifier: SyncNotifier;
  /** The per-connection provider context (authenticated HTTP client included), for direct provider calls. */
  contextFor(connection: ConnectionRecord): ProviderCallContext<ProviderHttp>;
}

/**
 * Wires one provider into an app: OAuth connect flow, token manager, HTTP clients, sync engine, notifier and feed,
 * all over one storage and one event bus. This is the whole integration most apps need; each part is also exported
 * on its own for apps that want to assemble them differently.
 */
export function createBlueClerk(options: BlueClerkOptions): BlueClerk {
  const { provider, storage, vault, credentials, host } = options;
  if (!provider.http) {
    throw new ConfigurationError(
      'provider.http',
      `The ${provider.displayName} provider does not declare its HTTP profile; createBlueClerk cannot build its client`,
    );
  }
  const http = provider.http;
  const events = options.events ?? createEventBus();
  const clock = options.clock ?? systemClock;
  const logger = createRedactingLogger(options.logger ?? silentLogger);
  const definition = { id: provider.id, oauth: provider.oauth, tokenPolicy: provider.tokenPolicy };
  const fetchOption = options.fetch ? { fetch: options.fetch } : {};

  const connect = createConnectFlow({
    provider: definition,
    credentials,
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
    provider: definition,
    credentials,
    clock,
    events,
    logger,
    ...fetchOption,
    ...(options.lock ? { lock: options.lock } : {}),
  });

  // One HTTP client per connection: its limiter state and hooks are per connection anyway.
  const clients = new Map<string, ProviderHttp>();
  const contextFor = (connection: ConnectionRecord): ProviderCallContext<ProviderHttp> => {
    if (!connection.tenantId) {
      throw new ConfigurationError(
        'connection.tenantId',
        `Connection ${connection.id} has no tenant yet; finish connecting first`,
      );
    }
    let client = clients.get(connection.id);
    if (!client) {
      client = createProviderHttp({
        provider: http.profile,
        classifyError: http.classifyResponse,
        connectionId: connection.id,
        getAccessToken: (id, tokenOptions) => tokens.getAccessToken(id, tokenOptions),
        clock,
        logger,
        ...fetchOption,
      });
      clients.set(connection.id, client);
    }
    return { connectionId: connection.id, tenantId: connection.tenantId, http: client, logger };
  };

  const engine = createSyncEngine<ProviderHttp>({
    ...options.engine,
    provider,
    storage,
    host,
    contextFor,
    events,
    clock,
    logger,
  });
  const notifier = createSyncNotifier({ ...options.notifications, storage, clock, logger });
  notifier.attach(events);

  return { provider, storage, events, connect, tokens, engine, notifier, contextFor };
}
