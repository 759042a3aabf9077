import {
  AuthError,
  BlueClerkError,
  ConcurrencyError,
  ConfigurationError,
  ProviderError,
  StorageError,
  ValidationError,
} from '../errors/index';
import type { EventBus } from '../events/types';
import { createOAuthClients, type OAuthClient } from '../oauth/clients';
import { requestTokenSet } from '../oauth/token-endpoint';
import type { ClientCredentials, OAuthProviderDefinition } from '../oauth/types';
import { redactError } from '../redact/index';
import { assertOptionsObject } from '../runtime/arguments';
import { type Clock, systemClock } from '../runtime/clock';
import { type Logger, silentLogger } from '../runtime/logger';
import type { ConnectionRecord } from '../storage/connections';
import type { Lease } from '../storage/locks';
import type { BlueClerkStorage } from '../storage/storage';
import type { EpochMs, ProviderId } from '../storage/types';
import type { TokenSet, TokenVault } from '../vault/types';
import type { TokenPolicy } from './policy';
import { createRefreshedTokenSaver, type LeaseWindow, safeErrorFields } from './save-refreshed';
import { type AccessTokenView, openAccessToken, openTokens } from './sealed';

export { safeErrorFields } from './save-refreshed';

export interface TokenManagerOptions {
  storage: BlueClerkStorage;
  vault: TokenVault;
  /** The OAuth side of every provider the app offers, by id (a full `AccountingProvider` qualifies). */
  providers: Readonly<Record<ProviderId, OAuthProviderDefinition>>;
  /** The app's OAuth client per provider id (validated here: placeholders and blanks fail at once). */
  credentials: Readonly<Record<ProviderId, ClientCredentials>>;
  clock?: Clock;
  events?: EventBus;
  fetch?: typeof fetch;
  logger?: Logger;
  /**
   * The cross-process refresh lease `refresh:<token holder id>` (one per grant, see `ConnectionRecord.grantId`).
   * `ttlMs` (default 30 000) must exceed `refreshTimeoutMs`, so a live holder never loses its lease mid-refresh; a
   * crashed holder's lease frees up after it. Waiters poll with jitter every ~`pollMs` (default 100, growing to 8x)
   * for up to `waitMs`, which must exceed `ttlMs` so that waiting outlasts a crashed holder's lease and the refresh
   * of whoever takes over. Default `ttlMs + refreshTimeoutMs + 5 000` (45 000 with the other defaults).
   */
  lock?: { ttlMs?: number; waitMs?: number; pollMs?: number };
  /** Timeout of one token-endpoint call. Default 10 000. */
  refreshTimeoutMs?: number;
  /** Injectable for tests; default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable for tests; default `Math.random`. */
  random?: () => number;
  /**
   * Longest time an access token is served from this process's memory without reading storage. Default 30 000: a
   * disconnect, reconnect or refresh by another process is noticed within it (a revoked token answers 401 at once).
   */
  cacheMaxAgeMs?: number;
}

export interface GetAccessTokenOptions {
  /** Refresh even though the token looks valid (the provider answered 401). */
  forceRefresh?: boolean;
  /**
   * The access token the provider just rejected. With it, N concurrent 401s cause one refresh: a caller whose
   * rejected token has already been replaced gets the replacement instead of refreshing again. Without it, the
   * token stored when the call starts counts as rejected.
   */
  rejectedAccessToken?: string;
  /**
   * The provider the caller speaks (an HTTP client built for QuickBooks passes `quickbooks`). A connection of another
   * provider is refused with `ConfigurationError('provider')` instead of handing its token to the wrong API.
   */
  provider?: ProviderId;
}

export interface TokenManager {
  /**
   * A valid access token for the connection, refreshed first when due. Connections of one grant share one token
   * set and one refresh. Throws typed, redacted errors.
   */
  getAccessToken(connectionId: string, options?: GetAccessTokenOptions): Promise<string>;
  /** Refreshes now (e.g. from a scheduled rotation job). Returns the new expiry times, never a token. */
  refreshNow(
    connectionId: string,
  ): Promise<{ accessTokenExpiresAt: EpochMs; refreshTokenExpiresAt: EpochMs | null }>;
  /**
   * Drops what this process keeps in memory for the connection (its access token). Done automatically for
   * connect, disconnect and needs-reconnect events on the manager's event bus; call it after changing a connection
   * some other way.
   */
  forget(connectionId: string): void;
}

type RefreshReason = 'forced' | 'expiring' | 'rotation';

const DAY_MS = 24 * 3600 * 1000;
/** Connections whose access token one process keeps in memory (the oldest entry goes first). */
const CACHE_LIMIT = 10_000;

/** Waiting beyond a crashed holder's lease and the next holder's refresh: slack for slow storage round trips. */
const WAIT_MARGIN_MS = 5_000;

export function createTokenManager(options: TokenManagerOptions): TokenManager {
  assertOptionsObject('createTokenManager', options);
  const { storage, vault } = options;
  const clients = createOAuthClients(options.providers, options.credentials);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const ttlMs = options.lock?.ttlMs ?? 30_000;
  const pollMs = options.lock?.pollMs ?? 100;
  const refreshTimeoutMs = options.refreshTimeoutMs ?? 10_000;
  // Derived, not a constant: with a fixed wait, a longer ttlMs would again make waiters give up before a dead
  // holder's lease frees up (the old 20 s default against the 30 s lease did exactly that).
  const waitMs = options.lock?.waitMs ?? ttlMs + refreshTimeoutMs + WAIT_MARGIN_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const cacheMaxAgeMs = options.cacheMaxAgeMs ?? 30_000;
  if (refreshTimeoutMs >= ttlMs) {
    throw new ConfigurationError('lock.ttlMs', 'lock.ttlMs must be longer than refreshTimeoutMs', {
      action: 'Raise lock.ttlMs or lower refreshTimeoutMs so a refresh always ends inside its lease',
    });
  }
  if (waitMs <= ttlMs) {
    throw new ConfigurationError(
      'lock.waitMs',
      "lock.waitMs must be longer than lock.ttlMs, or every waiter gives up before a crashed holder's lease frees up",
      {
        action: `Raise lock.waitMs above lock.ttlMs, or leave it unset (default ttlMs + refreshTimeoutMs + ${WAIT_MARGIN_MS})`,
      },
    );
  }

  // One in-flight refresh per token holder (grant) in this process; everyone else joins it.
  const flights = new Map<string, Promise<TokenSet>>();
  // Saves rotated sets, retrying within the lease and keeping in process what an outage would otherwise lose.
  const saver = createRefreshedTokenSaver({ storage, vault, clock, logger, sleep, random, ttlMs });

  /** Where a connection's tokens live: the connection itself, or the first connection of its grant. */
  interface Route {
    holderId: string;
    client: OAuthClient;
    /** The connection as read by `route`, reused when it holds its own tokens (one storage read, not two). */
    record: ConnectionRecord;
  }

  function notFound(connectionId: string): ValidationError {
    return new ValidationError(`Connection ${connectionId} does not exist`, [
      { path: 'connectionId', message: 'not found' },
    ]);
  }

  function unusable(record: ConnectionRecord, displayId: string): AuthError {
    return new AuthError(
      'needs_reconnect',
      `Connection ${displayId} is ${record.status}; it has no usable tokens`,
      {
        details: { connectionId: displayId, status: record.status },
        action: `Ask the owner to connect ${record.provider} again`,
      },
    );
  }

  /** Checks the connection the caller named (exists, configured provider, the expected one, active). */
  async function route(connectionId: string, expected: ProviderId | undefined): Promise<Route> {
    if (typeof connectionId !== 'string' || connectionId === '') throw notFound(String(connectionId));
    const record = await storage.connections.getConnection(connectionId);
    if (!record) throw notFound(connectionId);
    if (expected !== undefined && record.provider !== expected) {
      throw new ConfigurationError(
        'provider',
        `Connection ${connectionId} belongs to ${record.provider}, not ${expected}; its tokens are not handed to another provider`,
        { details: { connectionId, provider: record.provider, expected } },
      );
    }
    const client = clients.get(record.provider);
    if (record.status !== 'active') throw unusable(record, connectionId);
    if (record.grantId === null && record.tokens === null) throw unusable(record, connectionId);
    return { holderId: record.grantId ?? record.id, client, record };
  }

  function reasonToRefresh(
    policy: TokenPolicy,
    tokens: TokenSet | AccessTokenView,
    rejected: string | null,
  ): RefreshReason | null {
    const now = clock.now();
    if (rejected !== null && tokens.accessToken === rejected) return 'forced';
    return now >= freshUntil(policy, tokens)
      ? now >= refreshDueAt(policy, tokens)
        ? 'expiring'
        : 'rotation'
      : null;
  }

  /** When the access token is due for a refresh (the refresh-ahead window, capped at half its lifetime). */
  function refreshDueAt(policy: TokenPolicy, tokens: TokenSet | AccessTokenView): number {
    return tokens.accessTokenExpiresAt - refreshAheadMs(policy, tokens);
  }

  /** Until when neither the access token nor the refresh token's proactive rotation needs a refresh. */
  function freshUntil(policy: TokenPolicy, tokens: TokenSet | AccessTokenView): number {
    const due = refreshDueAt(policy, tokens);
    const rotateAfter = policy.rotateRefreshTokenAfterDays;
    const hasRefreshToken =
      'hasRefreshToken' in tokens ? tokens.hasRefreshToken : tokens.refreshToken !== null;
    if (rotateAfter === null || !hasRefreshToken || tokens.refreshTokenIssuedAt === null) return due;
    return Math.min(due, tokens.refreshTokenIssuedAt + rotateAfter * DAY_MS);
  }

  /**
   * The token holder's record and its opened tokens. A holder whose own tenant was disconnected keeps the grant's
   * tokens for the other tenants (status `disconnected`, tokens present); one marked needs_reconnect has none usable.
   */
  /** `loadActive` for the request path: the same checks, only the access token opened. */
  async function peekActive(holderId: string): Promise<AccessTokenView> {
    const record = await storage.connections.getConnection(holderId);
    if (!record) throw notFound(holderId);
    if (record.tokens === null || record.status === 'needs_reconnect' || record.status === 'pending') {
      throw unusable(record, holderId);
    }
    return openAccessToken(vault, holderId, record.tokens);
  }

  async function loadActive(holderId: string): Promise<{ record: ConnectionRecord; tokens: TokenSet }> {
    const record = await storage.connections.getConnection(holderId);
    if (!record) throw notFound(holderId);
    if (record.tokens === null || record.status === 'needs_reconnect' || record.status === 'pending') {
      throw unusable(record, holderId);
    }
    return { record, tokens: openTokens(vault, holderId, record.tokens) };
  }

  async function markOneNeedsReconnect(
    record: ConnectionRecord,
    reason: string,
    providerId: string,
    fence?: Lease,
  ): Promise<void> {
    try {
      if (record.status !== 'disconnected') {
        await storage.connections.updateConnection(
          record.id,
          { status: 'needs_reconnect' },
          {
            expectedVersion: record.version,
            ...(fence ? { fence: { key: fence.key, fence: fence.fence } } : {}),
          },
        );
      }
      await storage.connections.setConnectionHealth(record.id, {
        ...record.health,
        status: 'needs_reconnect',
        lastErrorAt: clock.now(),
        lastError: { category: 'needs_reconnect', message: `Refresh refused by ${providerId} (${reason})` },
        consecutiveFailures: record.health.consecutiveFailures + 1,
      });
    } catch (error) {
      logger.log('error', 'could not mark connection needs_reconnect', {
        connectionId: record.id,
        ...safeErrorFields(error),
      });
    }
    if (record.status === 'disconnected') return;
    options.events?.emit({
      type: 'connection.needs_reconnect',
      ownerId: record.ownerId,
      connectionId: record.id,
      provider: record.provider,
      at: clock.now(),
      reason,
    });
  }

  /** The grant is dead: the holder and every other connection of the grant need a reconnect. */
  async function markNeedsReconnect(record: ConnectionRecord, lease: Lease, reason: string): Promise<never> {
    const providerId = record.provider;
    await markOneNeedsReconnect(record, reason, providerId, lease);
    const members = await storage.connections.listConnections({ grantId: record.id }).catch(() => []);
    for (const member of members) await markOneNeedsReconnect(member, reason, providerId);
    throw new AuthError('needs_reconnect', `The ${providerId} connection must be reconnected (${reason})`, {
      details: { connectionId: record.id, reason },
      action: `Ask the owner to connect ${providerId} again`,
    });
  }

  /** Takes the lease, polling with jitter; returns early with tokens another worker stored meanwhile. */
  async function acquireOrObserve(
    target: Route,
    rejected: string | null,
  ): Promise<{ lease: Lease } | { tokens: TokenSet }> {
    const connectionId = target.holderId;
    const policy = target.client.provider.tokenPolicy;
    const key = `refresh:${connectionId}`;
    const held = saver.takeLease(connectionId);
    if (held) {
      // Our own lease from the call whose save failed: renew it rather than wait for it to expire.
      const renewed = await storage.locks.extendLease(held, ttlMs);
      if (renewed) return { lease: renewed };
    }
    let waited = 0;
    for (let attempt = 0; ; attempt++) {
      const lease = await storage.locks.acquireLease(key, { ttlMs });
      if (lease) return { lease };
      const { tokens } = await loadActive(connectionId);
      // With a rotated set of ours still unsaved, the stored one is dead: wait for the lease to save ours.
      if (!saver.isReplaced(connectionId, tokens) && reasonToRefresh(policy, tokens, rejected) === null) {
        return { tokens };
      }
      if (waited >= waitMs) {
        throw new ConcurrencyError(
          'lock_unavailable',
          `Another worker has been refreshing ${connectionId} too long`,
          {
            retryable: true,
            details: { connectionId, waitedMs: waited },
          },
        );
      }
      const step = pollMs * 2 ** Math.min(attempt, 3);
      const delay = Math.min(waitMs - waited, Math.max(1, Math.round(step / 2 + random() * step)));
      waited += delay;
      await sleep(delay);
    }
  }

  function emitRefreshed(record: ConnectionRecord): void {
    options.events?.emit({
      type: 'token.refreshed',
      ownerId: record.ownerId,
      connectionId: record.id,
      provider: record.provider,
      at: clock.now(),
    });
  }

  async function refreshUnderLease(target: Route, rejected: string | null): Promise<TokenSet> {
    try {
      return await refreshUnderLeaseUnlogged(target, rejected);
    } catch (error) {
      logger.log('warn', 'token refresh failed', {
        connectionId: target.holderId,
        provider: target.client.provider.id,
        ...safeErrorFields(error),
      });
      throw error;
    }
  }

  async function refreshUnderLeaseUnlogged(target: Route, rejected: string | null): Promise<TokenSet> {
    const connectionId = target.holderId;
    const { provider, credentials } = target.client;
    const policy = provider.tokenPolicy;
    const acquired = await acquireOrObserve(target, rejected);
    if ('tokens' in acquired) return acquired.tokens;
    const window: LeaseWindow = { lease: acquired.lease, heldUntil: clock.now() + ttlMs };
    try {
      // Re-read under the lease: another worker may have refreshed between our first read and the grant.
      let { record, tokens } = await loadActive(connectionId);
      const saved = await saver.saveKept(connectionId, record, tokens, window);
      if (saved) {
        ({ record, tokens } = saved);
        emitRefreshed(record);
      }
      const reason = reasonToRefresh(policy, tokens, rejected);
      if (reason === null) return tokens;
      if (tokens.refreshToken === null)
        return await markNeedsReconnect(record, window.lease, 'no_refresh_token');

      // Renew the lease right before the one call that burns the refresh token, so a worker that stalled between
      // the grant and here (GC pause, overloaded host) never sends it after another worker may have taken over.
      const renewed = await storage.locks.extendLease(window.lease, ttlMs);
      if (!renewed) {
        throw new ConcurrencyError(
          'lease_lost',
          `The refresh lease for ${connectionId} expired before the refresh`,
          {
            retryable: true,
            details: { connectionId },
          },
        );
      }
      window.lease = renewed;
      window.heldUntil = clock.now() + ttlMs;

      let result: Awaited<ReturnType<typeof requestTokenSet>>;
      try {
        result = await requestTokenSet({
          oauth: provider.oauth,
          credentials,
          tokenPolicy: policy,
          grant: { grantType: 'refresh_token', refreshToken: tokens.refreshToken },
          fetch: fetchFn,
          clock,
          timeoutMs: refreshTimeoutMs,
          previous: tokens,
        });
      } catch (error) {
        // A proactive rotation may fail quietly while the current access token still works; try again next call.
        if (reason === 'rotation' && tokens.accessTokenExpiresAt > clock.now()) {
          logger.log('warn', 'proactive refresh-token rotation failed; keeping the current token', {
            connectionId,
            ...safeErrorFields(error),
          });
          return tokens;
        }
        throw error;
      }
      if (!result.ok) {
        if (result.oauthError === 'invalid_grant') {
          // If another worker rotated the token meanwhile (our lease lapsed), its stored set is valid: use it.
          const latest = await loadActive(connectionId).catch(() => null);
          if (
            latest &&
            latest.tokens.refreshToken !== tokens.refreshToken &&
            reasonToRefresh(policy, latest.tokens, rejected) === null
          ) {
            return latest.tokens;
          }
          return await markNeedsReconnect(record, window.lease, 'invalid_grant');
        }
        if (result.oauthError === 'invalid_client' || result.oauthError === 'unauthorized_client') {
          throw new ConfigurationError(
            'credentials',
            `${provider.id} rejected the client credentials during a refresh`,
            {
              details: { oauthError: result.oauthError },
              action: 'Check the client id and secret configured for this provider',
            },
          );
        }
        throw new ProviderError(
          'provider_error',
          `${provider.id} refused the refresh (${result.oauthError})`,
          {
            status: result.status,
            providerCode: result.oauthError,
          },
        );
      }

      const fresh = result.tokens;
      let stored: ConnectionRecord;
      try {
        stored = await saver.saveRefreshed(connectionId, fresh, tokens, record.version, window);
      } catch (error) {
        if (!StorageError.isInstance(error)) {
          logger.log(
            'error',
            'refreshed tokens could not be stored; the previous refresh token may be dead',
            {
              connectionId,
              ...safeErrorFields(error),
            },
          );
        }
        throw error;
      }
      logger.log('info', 'access token refreshed', { connectionId, provider: provider.id, reason });
      emitRefreshed(stored);
      return fresh;
    } finally {
      await storage.locks.releaseLease(window.lease).catch((error: unknown) => {
        logger.log('warn', 'refresh lease release failed; it will expire', {
          connectionId,
          ...safeErrorFields(error),
        });
        saver.releaseFailed(connectionId, window.lease);
      });
    }
  }

  /** Starts a refresh or joins the one in flight. The check-and-set below has no await in between on purpose. */
  function joinOrStartFlight(target: Route, rejected: string | null): Promise<TokenSet> {
    const existing = flights.get(target.holderId);
    if (existing) return existing;
    const flight = refreshUnderLease(target, rejected).finally(() => {
      flights.delete(target.holderId);
    });
    flights.set(target.holderId, flight);
    return flight;
  }

  /**
   * The access token of a connection, kept in this process after the first read: a burst of requests reads storage
   * and decrypts once, not per request, and never opens the refresh token. An entry is used until the token is due
   * for a refresh, for at most `cacheMaxAgeMs` (so a disconnect or reconnect elsewhere is seen soon), and is dropped
   * on a 401 (`forceRefresh`) or a failure.
   */
  interface CachedToken {
    accessToken: string;
    provider: ProviderId;
    freshUntil: number;
    cachedAt: number;
  }
  const cache = new Map<string, CachedToken>();
  // Connect, disconnect and a dead grant in this process take effect at once (other processes: within the max age).
  options.events?.subscribe?.((event) => {
    if (
      event.type === 'connection.connected' ||
      event.type === 'connection.disconnected' ||
      event.type === 'connection.needs_reconnect'
    ) {
      cache.delete(event.connectionId);
    }
  });

  function remember(connectionId: string, target: Route, tokens: TokenSet | AccessTokenView): string {
    const policy = target.client.provider.tokenPolicy;
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(connectionId, {
      accessToken: tokens.accessToken,
      provider: target.client.provider.id,
      freshUntil: freshUntil(policy, tokens),
      cachedAt: clock.now(),
    });
    return tokens.accessToken;
  }

  function fromCache(connectionId: string, options: GetAccessTokenOptions): string | null {
    const entry = cache.get(connectionId);
    if (!entry) return null;
    const now = clock.now();
    const rejected = options.forceRefresh ? (options.rejectedAccessToken ?? entry.accessToken) : null;
    if (rejected === entry.accessToken || now >= entry.freshUntil || now - entry.cachedAt >= cacheMaxAgeMs) {
      cache.delete(connectionId);
      return null;
    }
    if (options.forceRefresh) return entry.accessToken; // someone else's 401 was for an older token
    if (options.provider !== undefined && options.provider !== entry.provider) return null; // route() refuses it
    return entry.accessToken;
  }

  async function resolveToken(connectionId: string, options: GetAccessTokenOptions): Promise<string> {
    const cached = fromCache(connectionId, options);
    if (cached !== null) return cached;
    const target = await route(connectionId, options.provider);
    const running = flights.get(target.holderId);
    if (running) {
      const joined = await running;
      if (!options.forceRefresh || joined.accessToken !== (options.rejectedAccessToken ?? null))
        return remember(connectionId, target, joined);
    }
    // A rotated set of ours is still unsaved: the stored refresh token is dead, so save ours before anything else.
    // No caller has seen that set yet, so a rejected token can only be an older one.
    if (saver.hasUnsaved(target.holderId)) {
      const saved = await joinOrStartFlight(
        target,
        options.forceRefresh ? (options.rejectedAccessToken ?? null) : null,
      );
      return remember(connectionId, target, saved);
    }
    const view =
      target.record.id === target.holderId && target.record.tokens !== null
        ? openAccessToken(vault, target.holderId, target.record.tokens)
        : await peekActive(target.holderId);
    const rejected = options.forceRefresh ? (options.rejectedAccessToken ?? view.accessToken) : null;
    if (reasonToRefresh(target.client.provider.tokenPolicy, view, rejected) === null) {
      return remember(connectionId, target, view);
    }
    return remember(connectionId, target, await joinOrStartFlight(target, rejected));
  }

  return {
    async getAccessToken(connectionId, getOptions = {}) {
      try {
        return await resolveToken(connectionId, getOptions);
      } catch (error) {
        cache.delete(connectionId);
        throw BlueClerkError.isInstance(error) ? redactError(error) : wrapUnexpected(error);
      }
    },
    forget(connectionId) {
      cache.delete(connectionId);
    },
    async refreshNow(connectionId) {
      try {
        const target = await route(connectionId, undefined);
        const { tokens } = await loadActive(target.holderId);
        const fresh = await joinOrStartFlight(target, tokens.accessToken);
        return {
          accessTokenExpiresAt: fresh.accessTokenExpiresAt,
          refreshTokenExpiresAt: fresh.refreshTokenExpiresAt,
        };
      } catch (error) {
        throw BlueClerkError.isInstance(error) ? redactError(error) : wrapUnexpected(error);
      }
    },
  };
}

/**
 * How long before expiry to refresh: the policy's `refreshAheadSec`, capped at half the token's real lifetime. A
 * provider whose `expires_in` is at or below the window would otherwise make every call refresh. Sets stored before
 * the issue time was recorded have no known lifetime and keep the policy's window until their next refresh.
 */
function refreshAheadMs(
  policy: TokenPolicy,
  tokens: Pick<TokenSet, 'accessTokenExpiresAt' | 'accessTokenIssuedAt'>,
): number {
  const ahead = policy.refreshAheadSec * 1000;
  const issuedAt = tokens.accessTokenIssuedAt;
  if (issuedAt === undefined) return ahead;
  const lifetime = tokens.accessTokenExpiresAt - issuedAt;
  return lifetime > 0 ? Math.min(ahead, lifetime / 2) : ahead;
}

function wrapUnexpected(error: unknown): BlueClerkError {
  return new BlueClerkError('internal', 'Getting an access token failed unexpectedly', {
    cause: redactError(error),
  });
}
