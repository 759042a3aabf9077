import { AuthError, BlueClerkError, ConfigurationError } from '../errors/index';
import type { BlueClerkEvent, EventBus } from '../events/types';
import { parseConnectionSettings } from '../provider/connection-settings';
import type { ProviderCallContext } from '../provider/context';
import type { AccountingProvider } from '../provider/spec';
import { type Clock, systemClock } from '../runtime/clock';
import { type Logger, silentLogger } from '../runtime/logger';
import type { ConnectionRecord } from '../storage/connections';
import type { BlueClerkStorage } from '../storage/storage';
import type { EntityType } from '../storage/types';
import { toSyncFailure } from './failures';
import type { HostAdapter } from './host';
import type { SyncEngineOptions } from './options';
import type { SyncFailure } from './results';

/** A connection opened for one engine operation. */
export interface ConnectionScope<THttp> {
  connection: ConnectionRecord;
  ctx: ProviderCallContext<THttp>;
}

type Distribute<T> = T extends { type: string }
  ? Omit<T, 'ownerId' | 'connectionId' | 'provider' | 'at'>
  : never;
/** An event without the fields the runtime fills from the connection. */
export type EventPayload = Distribute<BlueClerkEvent>;

/** Shared plumbing of every engine operation. Internal: not exported from the package. */
export interface EngineRuntime<THttp> {
  readonly provider: AccountingProvider<THttp>;
  readonly storage: BlueClerkStorage;
  readonly host: HostAdapter;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly options: SyncEngineOptions<THttp>;
  /**
   * Loads the connection (or takes the one already read) and builds its provider context with its validated
   * settings; throws `AuthError('needs_reconnect')` if unusable.
   */
  open(connectionId: string, loaded?: ConnectionRecord): Promise<ConnectionScope<THttp>>;
  /**
   * `open`, but a failure is classified and emitted (against the connection when it exists) and returned instead
   * of thrown, so every engine operation reports an unusable connection the same way.
   */
  openOrFail(
    connectionId: string,
    entityType: EntityType | null,
    localId: string | null,
    loaded?: ConnectionRecord,
  ): Promise<{ scope: ConnectionScope<THttp> } | { failure: SyncFailure }>;
  /**
   * Runs one provider call. Limits are kept by the connection's HTTP client (one limiter per connection, derived
   * from the provider's capabilities); this is the one place engine code reaches the provider through.
   */
  call<T>(scope: ConnectionScope<THttp>, fn: (ctx: ProviderCallContext<THttp>) => Promise<T>): Promise<T>;
  emit(connection: ConnectionRecord, event: EventPayload): void;
  /** Concurrent calls with the same key in this process share one run (the ledger covers other processes). */
  singleFlight<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Ledger keys whose provider write succeeded but whose completion could not be stored, with the claim this process
   * still holds: the next run for the key completes it before anything else (see `runLedgeredWrite`).
   */
  readonly unsettledClaims: Map<string, { claimToken: string; providerId: string }>;
  /** Classifies `error`, emits `sync.failed`, and returns the failure for the result. */
  fail(
    connection: ConnectionRecord | null,
    entityType: EntityType | null,
    localId: string | null,
    error: unknown,
  ): SyncFailure;
}

export function createEngineRuntime<THttp>(
  provider: AccountingProvider<THttp>,
  options: SyncEngineOptions<THttp>,
): EngineRuntime<THttp> {
  const { storage, host } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const events: EventBus | undefined = options.events;
  const inflight = new Map<string, Promise<unknown>>();

  const runtime: EngineRuntime<THttp> = {
    provider,
    storage,
    host,
    clock,
    logger,
    options,
    unsettledClaims: new Map(),

    async open(connectionId, loaded) {
      const connection = loaded ?? (await storage.connections.getConnection(connectionId));
      if (!connection) {
        throw new BlueClerkError('not_found', `Connection ${connectionId} does not exist`);
      }
      if (connection.provider !== provider.id) {
        throw new ConfigurationError(
          'provider',
          `Connection ${connectionId} belongs to ${connection.provider}, but this engine serves ${provider.id}`,
        );
      }
      if (connection.status !== 'active' || !connection.tenantId) {
        throw new AuthError(
          'needs_reconnect',
          `Connection ${connectionId} to ${provider.displayName} is ${connection.status}${connection.tenantId ? '' : ' and has no tenant'}`,
        );
      }
      const settings = parseConnectionSettings(provider, connection.settings);
      const base = await options.contextFor(connection, provider);
      const ctx = { ...base, settings } as ProviderCallContext<THttp>;
      return { connection, ctx };
    },

    async openOrFail(connectionId, entityType, localId, loaded) {
      try {
        return { scope: await runtime.open(connectionId, loaded) };
      } catch (error) {
        const connection = await storage.connections.getConnection(connectionId).catch(() => null);
        return { failure: runtime.fail(connection, entityType, localId, error) };
      }
    },

    call(scope, fn) {
      return fn(scope.ctx);
    },

    singleFlight<T>(key: string, fn: () => Promise<T>): Promise<T> {
      const running = inflight.get(key);
      if (running) return running as Promise<T>;
      const started = fn().finally(() => inflight.delete(key));
      inflight.set(key, started);
      return started;
    },

    emit(connection, event) {
      events?.emit({
        ...event,
        ownerId: connection.ownerId,
        connectionId: connection.id,
        provider: connection.provider,
        at: clock.now(),
      } as BlueClerkEvent);
    },

    fail(connection, entityType, localId, error) {
      const failure = toSyncFailure(provider, error, entityType);
      const target = connection;
      logger.log('warn', 'sync failed', {
        connectionId: target?.id,
        entityType,
        localId,
        code: failure.code,
        category: failure.category,
      });
      if (target) {
        runtime.emit(target, {
          type: 'sync.failed',
          entityType,
          localId,
          category: failure.category,
          code: failure.code,
          message: failure.message,
          action: failure.action,
          retryable: failure.retryable,
          ...(failure.field ? { field: failure.field } : {}),
        });
      }
      return failure;
    },
  };
  return runtime;
}
