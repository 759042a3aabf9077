import { parseClientCredentials } from '../credentials/index';
import {
  AuthError,
  BlueClerkError,
  ConcurrencyError,
  ConfigurationError,
  ProviderError,
  ValidationError,
} from '../errors/index';
import type { EventBus } from '../events/types';
import { requestTokenSet } from '../oauth/token-endpoint';
import type { ClientCredentials, OAuthProviderDefinition } from '../oauth/types';
import { redactError } from '../redact/index';
import { type Clock, systemClock } from '../runtime/clock';
import { type Logger, silentLogger } from '../runtime/logger';
import type { ConnectionRecord } from '../storage/connections';
import type { Lease } from '../storage/locks';
import type { BlueClerkStorage } from '../storage/storage';
import type { EpochMs } from '../storage/types';
import type { TokenSet, TokenVault } from '../vault/types';
import { openTokens, sealTokens } from './sealed';

export interface TokenManagerOptions {
  storage: BlueClerkStorage;
  vault: TokenVault;
  provider: OAuthProviderDefinition;
  credentials: ClientCredentials;
  clock?: Clock;
  events?: EventBus;
  fetch?: typeof fetch;
  logger?: Logger;
  /**
   * The cross-process refresh lease `refresh:<connectionId>`. `ttlMs` (default 30 000) must exceed
   * `refreshTimeoutMs`, so a live holder never loses its lease mid-refresh; a crashed holder's lease frees up after
   * it. Waiters poll with jitter every ~`pollMs` (default 100, growing to 8x) for up to `waitMs` (default 20 000).
   */
  lock?: { ttlMs?: number; waitMs?: number; pollMs?: number };
  /** Timeout of one token-endpoint call. Default 10 000. */
  refreshTimeoutMs?: number;
  /** Injectable for tests; default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable for tests; default `Math.random`. */
  random?: () => number;
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
}

export interface TokenManager {
  /** A valid access token for the connection, refreshed first when due. Throws typed, redacted errors. */
  getAccessToken(connectionId: string, options?: GetAccessTokenOptions): Promise<string>;
  /** Refreshes now (e.g. from a scheduled rotation job). Returns the new expiry times, never a token. */
  refreshNow(
    connectionId: string,
  ): Promise<{ accessTokenExpiresAt: EpochMs; refreshTokenExpiresAt: EpochMs | null }>;
}

type RefreshReason = 'forced' | 'expiring' | 'rotation';

const DAY_MS = 24 * 3600 * 1000;

export function createTokenManager(options: TokenManagerOptions): TokenManager {
  const { storage, vault, provider } = options;
  const credentials = parseClientCredentials(options.credentials, { prefix: provider.id.toUpperCase() });
  const policy = provider.tokenPolicy;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const ttlMs = options.lock?.ttlMs ?? 30_000;
  const waitMs = options.lock?.waitMs ?? 20_000;
  const pollMs = options.lock?.pollMs ?? 100;
  const refreshTimeoutMs = options.refreshTimeoutMs ?? 10_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  if (refreshTimeoutMs >= ttlMs) {
    throw new ConfigurationError('lock.ttlMs', 'lock.ttlMs must be longer than refreshTimeoutMs', {
      action: 'Raise lock.ttlMs or lower refreshTimeoutMs so a refresh always ends inside its lease',
    });
  }

  // One in-flight refresh per connection in this process; everyone else joins it.
  const flights = new Map<string, Promise<TokenSet>>();

  function reasonToRefresh(tokens: TokenSet, rejected: string | null): RefreshReason | null {
    const now = clock.now();
    if (rejected !== null && tokens.accessToken === rejected) return 'forced';
    if (tokens.accessTokenExpiresAt - policy.refreshAheadSec * 1000 <= now) return 'expiring';
    const rotateAfter = policy.rotateRefreshTokenAfterDays;
    if (
      rotateAfter !== null &&
      tokens.refreshToken !== null &&
      tokens.refreshTokenIssuedAt !== null &&
      now - tokens.refreshTokenIssuedAt >= rotateAfter * DAY_MS
    ) {
      return 'rotation';
    }
    return null;
  }

  async function loadActive(connectionId: string): Promise<{ record: ConnectionRecord; tokens: TokenSet }> {
    const record = await storage.connections.getConnection(connectionId);
    if (!record) {
      throw new ValidationError(`Connection ${connectionId} does not exist`, [
        { path: 'connectionId', message: 'not found' },
      ]);
    }
    if (record.status !== 'active' || record.tokens === null) {
      throw new AuthError(
        'needs_reconnect',
        `Connection ${connectionId} is ${record.status}; it has no usable tokens`,
        {
          details: { connectionId, status: record.status },
          action: `Ask the owner to connect ${provider.id} again`,
        },
      );
    }
    return { record, tokens: openTokens(vault, connectionId, record.tokens) };
  }

  async function markNeedsReconnect(record: ConnectionRecord, lease: Lease, reason: string): Promise<never> {
    try {
      await storage.connections.updateConnection(
        record.id,
        { status: 'needs_reconnect' },
        { expectedVersion: record.version, fence: { key: lease.key, fence: lease.fence } },
      );
      await storage.connections.setConnectionHealth(record.id, {
        ...record.health,
        status: 'needs_reconnect',
        lastErrorAt: clock.now(),
        lastError: { category: 'needs_reconnect', message: `Refresh refused by ${provider.id} (${reason})` },
        consecutiveFailures: record.health.consecutiveFailures + 1,
      });
    } catch (error) {
      logger.log('error', 'could not mark connection needs_reconnect', {
        connectionId: record.id,
        ...safeErrorFields(error),
      });
    }
    options.events?.emit({
      type: 'connection.needs_reconnect',
      ownerId: record.ownerId,
      connectionId: record.id,
      provider: record.provider,
      at: clock.now(),
      reason,
    });
    throw new AuthError('needs_reconnect', `The ${provider.id} connection must be reconnected (${reason})`, {
      details: { connectionId: record.id, reason },
      action: `Ask the owner to connect ${provider.id} again`,
    });
  }

  /** Takes the lease, polling with jitter; returns early with tokens another worker stored meanwhile. */
  async function acquireOrObserve(
    connectionId: string,
    rejected: string | null,
  ): Promise<{ lease: Lease } | { tokens: TokenSet }> {
    const key = `refresh:${connectionId}`;
    let waited = 0;
    for (let attempt = 0; ; attempt++) {
      const lease = await storage.locks.acquireLease(key, { ttlMs });
      if (lease) return { lease };
      const { tokens } = await loadActive(connectionId);
      if (reasonToRefresh(tokens, rejected) === null) return { tokens };
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

  /**
   * Stores a refreshed set, fenced by our lease. If the lease was taken over while the refresh was in flight, the
   * provider has already rotated: the new set is the only valid one, so it is still stored as long as nobody wrote
   * since we read (the version check alone keeps newer data safe). A worker that took over and refreshes with the
   * old token gets invalid_grant and then finds this set (see the invalid_grant branch).
   */
  async function storeRefreshed(
    connectionId: string,
    sealed: ReturnType<typeof sealTokens>,
    expectedVersion: number,
    lease: Lease,
  ): Promise<void> {
    try {
      await storage.connections.updateConnection(
        connectionId,
        { tokens: sealed },
        { expectedVersion, fence: { key: lease.key, fence: lease.fence } },
      );
    } catch (error) {
      if (!(BlueClerkError.isInstance(error) && error.code === 'lease_lost')) throw error;
      logger.log(
        'warn',
        'refresh lease was taken over during the refresh; storing the rotated tokens by version',
        {
          connectionId,
        },
      );
      await storage.connections.updateConnection(connectionId, { tokens: sealed }, { expectedVersion });
    }
  }

  async function refreshUnderLease(connectionId: string, rejected: string | null): Promise<TokenSet> {
    try {
      return await refreshUnderLeaseUnlogged(connectionId, rejected);
    } catch (error) {
      logger.log('warn', 'token refresh failed', {
        connectionId,
        provider: provider.id,
        ...safeErrorFields(error),
      });
      throw error;
    }
  }

  async function refreshUnderLeaseUnlogged(connectionId: string, rejected: string | null): Promise<TokenSet> {
    const acquired = await acquireOrObserve(connectionId, rejected);
    if ('tokens' in acquired) return acquired.tokens;
    let lease = acquired.lease;
    try {
      // Re-read under the lease: another worker may have refreshed between our first read and the grant.
      const { record, tokens } = await loadActive(connectionId);
      const reason = reasonToRefresh(tokens, rejected);
      if (reason === null) return tokens;
      if (tokens.refreshToken === null) return await markNeedsReconnect(record, lease, 'no_refresh_token');

      // Renew the lease right before the one call that burns the refresh token, so a worker that stalled between
      // the grant and here (GC pause, overloaded host) never sends it after another worker may have taken over.
      const renewed = await storage.locks.extendLease(lease, ttlMs);
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
      lease = renewed;

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
            reasonToRefresh(latest.tokens, rejected) === null
          ) {
            return latest.tokens;
          }
          return await markNeedsReconnect(record, lease, 'invalid_grant');
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
      const sealed = sealTokens(vault, connectionId, fresh);
      try {
        await storeRefreshed(connectionId, sealed, record.version, lease);
      } catch (error) {
        // The provider has already rotated; losing this write loses the new refresh token. Say so loudly.
        logger.log('error', 'refreshed tokens could not be stored; the previous refresh token may be dead', {
          connectionId,
          ...safeErrorFields(error),
        });
        throw error;
      }
      logger.log('info', 'access token refreshed', { connectionId, provider: provider.id, reason });
      options.events?.emit({
        type: 'token.refreshed',
        ownerId: record.ownerId,
        connectionId,
        provider: record.provider,
        at: clock.now(),
      });
      return fresh;
    } finally {
      await storage.locks.releaseLease(lease).catch((error: unknown) => {
        logger.log('warn', 'refresh lease release failed; it will expire', {
          connectionId,
          ...safeErrorFields(error),
        });
      });
    }
  }

  /** Starts a refresh or joins the one in flight. The check-and-set below has no await in between on purpose. */
  function joinOrStartFlight(connectionId: string, rejected: string | null): Promise<TokenSet> {
    const existing = flights.get(connectionId);
    if (existing) return existing;
    const flight = refreshUnderLease(connectionId, rejected).finally(() => {
      flights.delete(connectionId);
    });
    flights.set(connectionId, flight);
    return flight;
  }

  async function resolveToken(connectionId: string, options: GetAccessTokenOptions): Promise<TokenSet> {
    const running = flights.get(connectionId);
    if (running) {
      const joined = await running;
      if (!options.forceRefresh || joined.accessToken !== (options.rejectedAccessToken ?? null))
        return joined;
    }
    const { tokens } = await loadActive(connectionId);
    const rejected = options.forceRefresh ? (options.rejectedAccessToken ?? tokens.accessToken) : null;
    if (reasonToRefresh(tokens, rejected) === null) return tokens;
    return joinOrStartFlight(connectionId, rejected);
  }

  return {
    async getAccessToken(connectionId, getOptions = {}) {
      try {
        return (await resolveToken(connectionId, getOptions)).accessToken;
      } catch (error) {
        throw BlueClerkError.isInstance(error) ? redactError(error) : wrapUnexpected(error);
      }
    },
    async refreshNow(connectionId) {
      try {
        const { tokens } = await loadActive(connectionId);
        const fresh = await joinOrStartFlight(connectionId, tokens.accessToken);
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

/** Code and message of an error, redacted, for log fields (never the error object with its cause chain). */
export function safeErrorFields(error: unknown): { errorCode: string; errorMessage: string } {
  const safe = redactError(error);
  return {
    errorCode: BlueClerkError.isInstance(safe) ? safe.code : 'internal',
    errorMessage: safe instanceof Error ? safe.message : 'non-error thrown',
  };
}

function wrapUnexpected(error: unknown): BlueClerkError {
  return new BlueClerkError('internal', 'Getting an access token failed unexpectedly', {
    cause: redactError(error),
  });
}
