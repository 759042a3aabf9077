import { parseClientCredentials } from '../credentials/index';
import { AuthError, BlueClerkError, ConcurrencyError, ValidationError } from '../errors/index';
import type { EventBus } from '../events/types';
import { redactError } from '../redact/index';
import { type Clock, systemClock } from '../runtime/clock';
import { randomId } from '../runtime/ids';
import { type Logger, silentLogger } from '../runtime/logger';
import type { ConnectionRecord } from '../storage/connections';
import type { BlueClerkStorage } from '../storage/storage';
import { openTokens, protectTokenSet, sealTokens } from '../tokens/sealed';
import type { TokenVault } from '../vault/types';
import { buildAuthorizeUrl } from './authorize-url';
import { createPkcePair } from './pkce';
import { revokeToken } from './revoke';
import { createStateCodec, type StateCodec } from './state';
import { requestTokenSet } from './token-endpoint';
import type { ClientCredentials, OAuthProviderDefinition } from './types';

export interface ConnectFlowOptions {
  provider: OAuthProviderDefinition;
  credentials: ClientCredentials;
  storage: BlueClerkStorage;
  vault: TokenVault;
  /** At least 32 random characters; keys for the signed + encrypted `state` are derived from it. */
  stateSecret: string;
  clock?: Clock;
  events?: EventBus;
  fetch?: typeof fetch;
  logger?: Logger;
  /** Lifetime of a `state` (and so of a started connection attempt). Default 10 minutes. */
  stateTtlMs?: number;
  /** Timeout of token, revoke and tenant look-up calls. Default 15 s. */
  timeoutMs?: number;
  /**
   * Origins an absolute `returnTo` may point at (e.g. `['https://app.example.com']`). Relative paths (`/settings`)
   * are always allowed; anything else is refused so the callback cannot become an open redirect.
   */
  returnToOrigins?: readonly string[];
}

export interface StartConnectInput {
  ownerId: string;
  /** Pass an existing connection's id to reconnect it (same owner and provider); omitted: a new id. */
  connectionId?: string;
  returnTo?: string;
  /** Defaults to the provider's `defaultScopes`. */
  scopes?: readonly string[];
}

export interface StartConnectResult {
  /** Send the user's browser here. */
  url: string;
  state: string;
  connectionId: string;
}

/** Raw callback input: the full redirect URL, its query string, or already-parsed parameters. */
export type CallbackInput = string | URL | URLSearchParams | Record<string, string | undefined>;

export interface DisconnectResult {
  connection: ConnectionRecord;
  /** True when the provider confirmed revocation; false when it failed or the provider has no revoke endpoint. */
  revoked: boolean;
  /** Why revocation did not happen (redacted). Tokens are wiped locally either way. */
  revokeError: { code: string; message: string } | null;
}

export interface ConnectFlow {
  start(input: StartConnectInput): Promise<StartConnectResult>;
  /** Verifies state, exchanges the code, stores sealed tokens. Returns the active connection and the app's `returnTo`. */
  handleCallback(input: CallbackInput): Promise<ConnectionRecord & { returnTo: string | null }>;
  disconnect(connectionId: string): Promise<DisconnectResult>;
}

const CAS_ATTEMPTS = 3;

export function createConnectFlow(options: ConnectFlowOptions): ConnectFlow {
  const { provider, storage, vault } = options;
  const credentials = parseClientCredentials(options.credentials, { prefix: provider.id.toUpperCase() });
  const clock = options.clock ?? systemClock;
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const logger = options.logger ?? silentLogger;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const stateTtlMs = options.stateTtlMs ?? 10 * 60_000;
  // Validates the secret now, so a bad configuration fails at start-up rather than at the first callback.
  const codecPromise: Promise<StateCodec> = createStateCodec({
    secret: options.stateSecret,
    clock,
    ttlMs: stateTtlMs,
  });
  codecPromise.catch(() => {});

  function checkReturnTo(returnTo: string | undefined): string | null {
    if (returnTo === undefined) return null;
    if (returnTo.startsWith('/') && !returnTo.startsWith('//') && !returnTo.startsWith('/\\'))
      return returnTo;
    let origin: string | null = null;
    try {
      origin = new URL(returnTo).origin;
    } catch {
      origin = null;
    }
    if (origin !== null && (options.returnToOrigins ?? []).includes(origin)) return returnTo;
    throw new ValidationError('returnTo must be a relative path or an URL on an allowed origin', [
      { path: 'returnTo', message: 'not a relative path and not on returnToOrigins' },
    ]);
  }

  function emit(type: 'connection.connected' | 'connection.disconnected', record: ConnectionRecord): void {
    options.events?.emit({
      type,
      ownerId: record.ownerId,
      connectionId: record.id,
      provider: record.provider,
      at: clock.now(),
    });
  }

  async function exchangeCode(code: string, codeVerifier: string | null) {
    const result = await requestTokenSet({
      oauth: provider.oauth,
      credentials,
      tokenPolicy: provider.tokenPolicy,
      grant: { grantType: 'authorization_code', code, codeVerifier },
      fetch: fetchFn,
      clock,
      timeoutMs,
    }).catch((error: unknown) => {
      throw new AuthError(
        'oauth_exchange_failed',
        `Exchanging the authorization code with ${provider.id} failed`,
        {
          cause: redactError(error),
          retryable: false,
          action: 'Start the connection again',
        },
      );
    });
    if (!result.ok) {
      throw new AuthError(
        'oauth_exchange_failed',
        `${provider.id} refused the authorization code (${result.oauthError}, HTTP ${result.status})`,
        {
          details: { oauthError: result.oauthError, status: result.status },
          action:
            result.oauthError === 'invalid_client'
              ? 'Check the client id, client secret and redirect URI configured for this provider'
              : 'Start the connection again; authorization codes are single-use and expire within minutes',
        },
      );
    }
    return protectTokenSet(result.tokens);
  }

  async function resolveTenant(params: URLSearchParams, accessToken: string) {
    const fromCallback = provider.oauth.tenantFromCallback?.(params) ?? null;
    if (fromCallback) return { tenantId: fromCallback, tenantName: undefined as string | undefined };
    if (!provider.oauth.resolveTenant) {
      if (provider.oauth.tenantFromCallback) {
        throw new AuthError('oauth_exchange_failed', `The ${provider.id} callback did not name the company`, {
          action: 'Start the connection again and pick a company at the provider',
        });
      }
      return { tenantId: null, tenantName: undefined };
    }
    try {
      return await provider.oauth.resolveTenant({ accessToken, fetch: fetchFn });
    } catch (error) {
      if (BlueClerkError.isInstance(error)) throw redactError(error);
      throw new AuthError('oauth_exchange_failed', `Looking up the connected ${provider.id} company failed`, {
        cause: redactError(error),
        retryable: true,
      });
    }
  }

  return {
    async start(input) {
      if (typeof input.ownerId !== 'string' || input.ownerId.length === 0) {
        throw new ValidationError('ownerId is required to start a connection', [
          { path: 'ownerId', message: 'required' },
        ]);
      }
      const returnTo = checkReturnTo(input.returnTo);
      let connectionId = input.connectionId;
      if (connectionId !== undefined) {
        const existing = await storage.connections.getConnection(connectionId);
        if (existing && (existing.ownerId !== input.ownerId || existing.provider !== provider.id)) {
          throw new ValidationError('connectionId belongs to another owner or provider', [
            { path: 'connectionId', message: 'owner or provider mismatch' },
          ]);
        }
      } else {
        connectionId = `conn_${randomId(12)}`;
      }
      const pkce = provider.oauth.pkce === 'S256' ? await createPkcePair() : null;
      const codec = await codecPromise;
      const state = await codec.seal({
        ownerId: input.ownerId,
        provider: provider.id,
        connectionId,
        returnTo,
        codeVerifier: pkce?.codeVerifier ?? null,
        nonce: randomId(16),
      });
      const url = buildAuthorizeUrl({
        oauth: provider.oauth,
        credentials,
        state,
        scopes: input.scopes,
        codeChallenge: pkce?.codeChallenge ?? null,
      });
      return { url, state, connectionId };
    },

    async handleCallback(input) {
      const params = toSearchParams(input);
      const codec = await codecPromise;
      const context = await codec.open(params.get('state') ?? '', provider.id);
      // Single use: of N deliveries of the same state exactly one gets past this line.
      const first = await storage.syncState.rememberDelivery(
        'oauth-state',
        context.nonce,
        Math.max(context.expiresAt - clock.now(), 0) + 60_000,
      );
      if (!first) throw new AuthError('oauth_state_invalid', 'This OAuth state has already been used');

      const providerError = params.get('error');
      if (providerError !== null) {
        const code = /^[a-z_]{1,40}$/.test(providerError) ? providerError : 'unknown_error';
        throw new AuthError(
          'oauth_exchange_failed',
          code === 'access_denied'
            ? `The user declined access to ${provider.id}`
            : `${provider.id} returned an authorization error (${code})`,
          {
            details: { oauthError: code },
            action: code === 'access_denied' ? 'Ask the user to connect again and approve access' : undefined,
          },
        );
      }
      const code = params.get('code');
      if (!code) throw new AuthError('oauth_exchange_failed', 'The callback carries no authorization code');

      const tokens = await exchangeCode(code, context.codeVerifier);
      const tenant = await resolveTenant(params, tokens.accessToken);
      const sealed = sealTokens(vault, context.connectionId, tokens);
      const metadata = tenant.tenantName ? { tenantName: tenant.tenantName } : {};

      let record: ConnectionRecord | null = null;
      for (let attempt = 1; record === null; attempt++) {
        const existing = await storage.connections.getConnection(context.connectionId);
        try {
          if (!existing) {
            record = await storage.connections.createConnection({
              id: context.connectionId,
              provider: provider.id,
              ownerId: context.ownerId,
              tenantId: tenant.tenantId,
              status: 'active',
              tokens: sealed,
              metadata,
            });
            break;
          }
          if (existing.ownerId !== context.ownerId || existing.provider !== provider.id) {
            throw new AuthError(
              'oauth_state_invalid',
              'The connection in this OAuth state belongs to someone else',
            );
          }
          if (existing.tenantId && tenant.tenantId && existing.tenantId !== tenant.tenantId) {
            // Reconnecting into another company would sync one business's books into another's.
            throw new AuthError('oauth_exchange_failed', 'The user reconnected to a different company', {
              details: { expectedTenantId: existing.tenantId, tenantId: tenant.tenantId },
              action: 'Disconnect and create a new connection for the other company',
            });
          }
          record = await storage.connections.updateConnection(
            existing.id,
            {
              status: 'active',
              tokens: sealed,
              tenantId: tenant.tenantId ?? existing.tenantId,
              metadata: { ...existing.metadata, ...metadata },
            },
            { expectedVersion: existing.version },
          );
        } catch (error) {
          const retryable =
            error instanceof ConcurrencyError && error.code === 'conflict' && attempt < CAS_ATTEMPTS;
          if (!retryable) throw redactError(error);
        }
      }
      if (record.health.status !== 'healthy') {
        await storage.connections.setConnectionHealth(record.id, {
          ...record.health,
          status: 'healthy',
          consecutiveFailures: 0,
        });
      }
      emit('connection.connected', record);
      logger.log('info', 'connection connected', { connectionId: record.id, provider: provider.id });
      return { ...record, returnTo: context.returnTo };
    },

    async disconnect(connectionId) {
      let current = await storage.connections.getConnection(connectionId);
      if (!current)
        throw new ValidationError(`Connection ${connectionId} does not exist`, [
          { path: 'connectionId', message: 'not found' },
        ]);
      let revoked = false;
      let revokeError: DisconnectResult['revokeError'] = null;
      if (current.tokens && provider.oauth.endpoints.revokeUrl !== null) {
        try {
          const tokens = openTokens(vault, connectionId, current.tokens);
          const token =
            provider.oauth.revokeToken === 'refresh_token' ? tokens.refreshToken : tokens.accessToken;
          if (token) {
            await revokeToken({ oauth: provider.oauth, credentials, token, fetch: fetchFn, timeoutMs });
            revoked = true;
          }
        } catch (error) {
          const safe = redactError(error);
          revokeError = {
            code: BlueClerkError.isInstance(safe) ? safe.code : 'internal',
            message: safe instanceof Error ? safe.message : 'revocation failed',
          };
          logger.log('warn', 'token revocation failed; wiping tokens anyway', {
            connectionId,
            ...revokeError,
          });
        }
      } else if (provider.oauth.endpoints.revokeUrl === null) {
        revokeError = { code: 'unsupported', message: `${provider.id} has no revocation endpoint` };
      }
      for (let attempt = 1; ; attempt++) {
        try {
          current = await storage.connections.updateConnection(
            connectionId,
            { status: 'disconnected', tokens: null },
            { expectedVersion: current.version },
          );
          break;
        } catch (error) {
          if (!(error instanceof ConcurrencyError && error.code === 'conflict' && attempt < CAS_ATTEMPTS)) {
            throw redactError(error);
          }
          const reread = await storage.connections.getConnection(connectionId);
          if (!reread)
            throw new ValidationError(`Connection ${connectionId} was deleted while disconnecting`);
          current = reread;
        }
      }
      emit('connection.disconnected', current);
      return { connection: current, revoked, revokeError };
    },
  };
}

function toSearchParams(input: CallbackInput): URLSearchParams {
  if (input instanceof URLSearchParams) return input;
  if (input instanceof URL) return input.searchParams;
  if (typeof input === 'string') {
    const query = input.includes('?') ? input.slice(input.indexOf('?') + 1) : input;
    return new URLSearchParams(query.split('#')[0]);
  }
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(input)) if (typeof value === 'string') params.set(key, value);
  return params;
}
