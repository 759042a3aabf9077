import {
  AuthError,
  BlueClerkError,
  ConcurrencyError,
  ConfigurationError,
  ProviderError,
  ValidationError,
} from '../errors/index';
import type { EventBus } from '../events/types';
import { createProviderHttp } from '../http/provider-http';
import type { ProviderHttp } from '../http/types';
import type { ProviderCapabilities } from '../provider/capabilities';
import { mergeConnectionSettings } from '../provider/connection-settings';
import type { ProviderHttpDescription } from '../provider/http-description';
import { providerHttpProfile } from '../provider/http-profile';
import type { ConnectionSettingsSpec } from '../provider/settings';
import { redactError } from '../redact/index';
import { assertOptionsObject } from '../runtime/arguments';
import { type Clock, systemClock } from '../runtime/clock';
import { randomId } from '../runtime/ids';
import { type Logger, silentLogger } from '../runtime/logger';
import type { ConnectionRecord } from '../storage/connections';
import type { BlueClerkStorage } from '../storage/storage';
import type { ProviderId } from '../storage/types';
import { openTokens, protectTokenSet, sealTokens } from '../tokens/sealed';
import type { TokenVault } from '../vault/types';
import { buildAuthorizeUrl } from './authorize-url';
import { createBrowserBinding, hashBrowserBinding, sameBinding } from './browser-binding';
import { createOAuthClients } from './clients';
import { createPkcePair } from './pkce';
import { checkReturnTo } from './return-to';
import { revokeToken } from './revoke';
import { assertStateSecret, createStateCodec, type StateCodec } from './state';
import { requestTokenSet } from './token-endpoint';
import type { ClientCredentials, OAuthProviderDefinition } from './types';

/**
 * A provider as the connect flow sees it: OAuth data and token policy, plus what it needs to call the provider with
 * the new token (tenant look-up, settings discovery). Every `AccountingProvider` qualifies.
 */
export interface ConnectableProvider extends OAuthProviderDefinition {
  readonly displayName: string;
  readonly capabilities: ProviderCapabilities;
  readonly http: ProviderHttpDescription;
  readonly connectionSettings?: ConnectionSettingsSpec<ProviderHttp, unknown>;
}

export interface ConnectFlowOptions {
  /** Every provider the app offers, by id. */
  providers: Readonly<Record<ProviderId, ConnectableProvider>>;
  /** The app's OAuth client per provider id (validated here). */
  credentials: Readonly<Record<ProviderId, ClientCredentials>>;
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
  /** Which provider to connect (one of the configured ids). */
  provider: ProviderId;
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
  provider: ProviderId;
  /**
   * Set this as an HttpOnly, SameSite=Lax, Secure cookie on the response that redirects to `url`
   * (`setBindingCookie(res, started)`), and hand it back to `handleCallback` from the callback request's cookie
   * (`bindingFromRequest(req, provider)`): it ties the attempt to this browser.
   */
  browserBinding: string;
}

/** Raw callback input: the full redirect URL, its query string, or already-parsed parameters. */
export type CallbackInput = string | URL | URLSearchParams | Record<string, string | undefined>;

export interface HandleCallbackOptions {
  /**
   * The binding cookie of the browser making this request (`bindingFromRequest(req, provider)`). Required: a
   * callback without it, or with another browser's, is refused before the code is exchanged (login CSRF).
   */
  browserBinding: string | null | undefined;
  /**
   * The owner the app's own session says is signed in. When given, a state started for another owner is refused
   * before the code is exchanged.
   */
  expectedOwnerId?: string;
  /** Refuse a state issued for another provider (an app with one callback route per provider passes its id). */
  provider?: ProviderId;
}

export interface CallbackResult extends ConnectionRecord {
  returnTo: string | null;
  /**
   * Every connection this grant produced, this one first: one grant can cover several tenants (several Xero
   * organisations); each gets its own connection, and all share the first one's token set.
   */
  connections: ConnectionRecord[];
}

export interface DisconnectResult {
  connection: ConnectionRecord;
  /** True when the provider confirmed revocation; false when it failed, was not needed, or is not offered. */
  revoked: boolean;
  /** Why revocation did not happen (redacted). Tokens are wiped locally either way. */
  revokeError: { code: string; message: string } | null;
  /**
   * Other connections of the same grant that are still active: the grant is then neither revoked nor wiped, and
   * only this connection stops syncing.
   */
  stillUsedBy: string[];
}

export interface ConnectFlow {
  start(input: StartConnectInput): Promise<StartConnectResult>;
  /**
   * Verifies state, exchanges the code, resolves the tenant(s), stores sealed tokens and discovers per-connection
   * settings. Returns the active connection, every connection of the grant, and the app's `returnTo`.
   */
  handleCallback(input: CallbackInput, options: HandleCallbackOptions): Promise<CallbackResult>;
  disconnect(connectionId: string): Promise<DisconnectResult>;
}

const CAS_ATTEMPTS = 3;

export function createConnectFlow(options: ConnectFlowOptions): ConnectFlow {
  assertOptionsObject('createConnectFlow', options);
  const { storage, vault } = options;
  const clients = createOAuthClients(options.providers, options.credentials);
  const clock = options.clock ?? systemClock;
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const logger = options.logger ?? silentLogger;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const stateTtlMs = options.stateTtlMs ?? 10 * 60_000;
  assertStateSecret(options.stateSecret);
  // Validates the secret now, so a bad configuration fails at start-up rather than at the first callback.
  const codecPromise: Promise<StateCodec> = createStateCodec({
    secret: options.stateSecret,
    clock,
    ttlMs: stateTtlMs,
  });
  codecPromise.catch(() => {});

  const providerOf = (id: string) => options.providers[id] as ConnectableProvider;
  for (const provider of Object.values(options.providers)) {
    if (provider.oauth.tenantFromCallback && !provider.oauth.verifyTenant) {
      throw new ConfigurationError(
        `providers.${provider.id}.oauth.verifyTenant`,
        `${provider.id} reads the tenant from the callback URL but declares no verifyTenant; a tenant taken from the URL must be verified`,
      );
    }
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

  /** Core's HTTP client on a token that is not stored yet (tenant look-up, settings discovery). */
  function httpWithToken(provider: ConnectableProvider, key: string, accessToken: string): ProviderHttp {
    return createProviderHttp({
      provider: { ...providerHttpProfile(provider), timeoutMs: Math.min(provider.http.timeoutMs, timeoutMs) },
      classifyError: provider.http.classifyResponse,
      connectionId: key,
      // No refresh is possible before the connection exists: a 401 here ends the attempt.
      getAccessToken: async () => accessToken,
      clock,
      logger,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  async function exchangeCode(providerId: string, code: string, codeVerifier: string | null) {
    const { provider, credentials } = clients.get(providerId);
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

  type Tenant = { tenantId: string | null; tenantName?: string | undefined };

  async function resolveTenants(
    provider: ConnectableProvider,
    params: URLSearchParams,
    http: ProviderHttp,
  ): Promise<Tenant[]> {
    const fromCallback = provider.oauth.tenantFromCallback?.(params) ?? null;
    if (fromCallback) return [await verifyTenant(provider, http, fromCallback)];
    if (!provider.oauth.resolveTenants) {
      if (provider.oauth.tenantFromCallback) {
        throw new AuthError('oauth_exchange_failed', `The ${provider.id} callback did not name the company`, {
          action: 'Start the connection again and pick a company at the provider',
        });
      }
      return [{ tenantId: null }];
    }
    let tenants: ReadonlyArray<{ tenantId: string; tenantName?: string }>;
    try {
      tenants = await provider.oauth.resolveTenants({ http, params });
    } catch (error) {
      if (BlueClerkError.isInstance(error)) throw redactError(error);
      throw new AuthError('oauth_exchange_failed', `Looking up the connected ${provider.id} company failed`, {
        cause: redactError(error),
        retryable: true,
      });
    }
    const unique = new Map<string, Tenant>();
    for (const tenant of tenants) {
      if (typeof tenant?.tenantId === 'string' && tenant.tenantId !== '') unique.set(tenant.tenantId, tenant);
    }
    if (unique.size === 0) {
      throw new AuthError('oauth_exchange_failed', `The ${provider.id} grant covers no company`, {
        action: 'Start the connection again and allow access to at least one company',
      });
    }
    return [...unique.values()];
  }

  /**
   * The tenant named in the callback URL is a claim: anyone can change `realmId`. It counts only once the new token
   * has read that tenant; otherwise the connection would claim a company its token cannot reach (or another owner's).
   */
  async function verifyTenant(
    provider: ConnectableProvider,
    http: ProviderHttp,
    tenantId: string,
  ): Promise<Tenant> {
    const verify = provider.oauth.verifyTenant as NonNullable<ConnectableProvider['oauth']['verifyTenant']>;
    let verified: false | { tenantName?: string };
    try {
      verified = await verify({ http, tenantId });
    } catch (error) {
      const refused =
        AuthError.isInstance(error) ||
        (ProviderError.isInstance(error) && [401, 403, 404].includes(Number(error.details.status)));
      if (!refused) throw redactError(error);
      verified = false;
    }
    if (verified === false) {
      throw new AuthError(
        'tenant_unverified',
        `The ${provider.id} company named in the callback could not be read with the new authorization; nothing was connected`,
        { details: { tenantId }, action: 'Start the connection again and pick the company at the provider' },
      );
    }
    return { tenantId, tenantName: verified.tenantName };
  }

  /** After a refused callback: the exchanged grant is stored nowhere, so it is revoked at the provider. */
  async function revokeUnused(
    providerId: string,
    tokens: { accessToken: string; refreshToken: string | null },
  ) {
    const { provider, credentials } = clients.get(providerId);
    if (provider.oauth.endpoints.revokeUrl === null) return;
    const token = provider.oauth.revokeToken === 'refresh_token' ? tokens.refreshToken : tokens.accessToken;
    if (!token) return;
    await revokeToken({ oauth: provider.oauth, credentials, token, fetch: fetchFn, timeoutMs }).catch(
      (error: unknown) => {
        logger.log('warn', 'revoking a refused grant failed', {
          provider: providerId,
          errorCode: BlueClerkError.isInstance(error) ? error.code : 'internal',
        });
      },
    );
  }

  /** Stores what the provider reports about the company (home currency ...) under the settings the app set. */
  async function discoverSettings(
    provider: ConnectableProvider,
    record: ConnectionRecord,
    http: ProviderHttp,
  ): Promise<ConnectionRecord> {
    const discover = provider.connectionSettings?.discover;
    if (!discover || !record.tenantId) return record;
    try {
      const found = await discover.call(provider.connectionSettings, {
        connectionId: record.id,
        tenantId: record.tenantId,
        http,
        settings: record.settings,
        logger,
      });
      const patch: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(found ?? {})) {
        if (value !== undefined && record.settings[key] === undefined) patch[key] = value;
      }
      if (Object.keys(patch).length === 0) return record;
      const settings = mergeConnectionSettings(provider, record.settings, patch);
      return await storage.connections.updateConnection(
        record.id,
        { settings },
        { expectedVersion: record.version },
      );
    } catch (error) {
      logger.log('warn', 'reading connection settings from the provider failed; keeping them as they were', {
        connectionId: record.id,
        provider: provider.id,
        errorCode: BlueClerkError.isInstance(error) ? error.code : 'internal',
      });
      return record;
    }
  }

  /** Create-or-update under compare-and-set, retried on a concurrent write. */
  async function upsertConnection(
    id: string,
    build: (existing: ConnectionRecord | null) => Promise<ConnectionRecord>,
    /** The record the caller has just read, used for the first attempt instead of reading it again. */
    read?: ConnectionRecord | null,
  ): Promise<ConnectionRecord> {
    for (let attempt = 1; ; attempt++) {
      const existing =
        attempt === 1 && read !== undefined ? read : await storage.connections.getConnection(id);
      try {
        return await build(existing);
      } catch (error) {
        const retryable =
          ConcurrencyError.isInstance(error) && error.code === 'conflict' && attempt < CAS_ATTEMPTS;
        if (!retryable) throw redactError(error);
      }
    }
  }

  async function markHealthy(record: ConnectionRecord): Promise<void> {
    if (record.health.status === 'healthy') return;
    await storage.connections.setConnectionHealth(record.id, {
      ...record.health,
      status: 'healthy',
      consecutiveFailures: 0,
    });
  }

  return {
    async start(input) {
      if (typeof input !== 'object' || input === null) {
        throw new ValidationError('start needs { provider, ownerId }', [
          { path: 'input', message: 'expected an object' },
        ]);
      }
      const provider = clients.get(input.provider).provider;
      if (typeof input.ownerId !== 'string' || input.ownerId.length === 0) {
        throw new ValidationError('ownerId is required to start a connection', [
          { path: 'ownerId', message: 'required' },
        ]);
      }
      const returnTo = checkReturnTo(input.returnTo, options.returnToOrigins ?? []);
      let connectionId = input.connectionId;
      if (connectionId !== undefined) {
        const existing = await storage.connections.getConnection(connectionId);
        if (existing && (existing.ownerId !== input.ownerId || existing.provider !== provider.id)) {
          throw new ValidationError('connectionId belongs to another owner or provider', [
            { path: 'connectionId', message: 'owner or provider mismatch' },
          ]);
        }
        if (existing?.grantId) {
          // The grant's tokens live on its first connection: reconnecting renews them for every tenant.
          connectionId = existing.grantId;
        }
      } else {
        connectionId = `conn_${randomId(12)}`;
      }
      const pkce = provider.oauth.pkce === 'S256' ? await createPkcePair() : null;
      const codec = await codecPromise;
      const browserBinding = createBrowserBinding();
      const state = await codec.seal({
        ownerId: input.ownerId,
        provider: provider.id,
        connectionId,
        returnTo,
        codeVerifier: pkce?.codeVerifier ?? null,
        nonce: randomId(16),
        bindingHash: await hashBrowserBinding(browserBinding),
      });
      const url = buildAuthorizeUrl({
        oauth: provider.oauth,
        credentials: clients.get(provider.id).credentials,
        state,
        scopes: input.scopes,
        codeChallenge: pkce?.codeChallenge ?? null,
      });
      return { url, state, connectionId, provider: provider.id, browserBinding };
    },

    async handleCallback(input, callbackOptions) {
      const params = toSearchParams(input);
      if (typeof callbackOptions !== 'object' || callbackOptions === null) {
        throw new ValidationError(
          'handleCallback needs { browserBinding } from the callback request’s cookie',
          [{ path: 'options.browserBinding', message: 'required' }],
        );
      }
      const codec = await codecPromise;
      const context = await codec.open(params.get('state') ?? '', callbackOptions.provider);
      if (!clients.ids.includes(context.provider)) {
        throw new AuthError('oauth_state_invalid', `This app no longer offers ${context.provider}`);
      }
      const provider = providerOf(context.provider);
      // Checked before the state is used up and before any code exchange: a forged completion writes nothing,
      // exchanges nothing and leaves the real browser's attempt intact.
      const binding = callbackOptions.browserBinding;
      if (
        typeof binding !== 'string' ||
        binding.length === 0 ||
        !sameBinding(await hashBrowserBinding(binding), context.bindingHash)
      ) {
        throw new AuthError(
          'oauth_state_invalid',
          'This connection was started in another browser (or its cookie is missing); nothing was connected',
          { action: 'Start the connection again from this browser' },
        );
      }
      if (
        callbackOptions.expectedOwnerId !== undefined &&
        callbackOptions.expectedOwnerId !== context.ownerId
      ) {
        throw new AuthError(
          'oauth_state_invalid',
          'This connection was started by another account than the one signed in; nothing was connected',
          { action: 'Sign in with the account that started the connection, or start it again' },
        );
      }
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

      const tokens = await exchangeCode(provider.id, code, context.codeVerifier);
      const http = httpWithToken(provider, `connect:${context.connectionId}`, tokens.accessToken);
      let tenants: Tenant[];
      try {
        tenants = await resolveTenants(provider, params, http);
      } catch (error) {
        await revokeUnused(provider.id, tokens);
        throw error;
      }
      const sealed = sealTokens(vault, context.connectionId, tokens);

      const previous = await storage.connections.getConnection(context.connectionId);
      // A reconnect keeps its company: pick it from the grant, or refuse a different one.
      const primaryTenant =
        previous?.tenantId != null
          ? tenants.find((tenant) => tenant.tenantId === previous.tenantId)
          : (tenants[0] as Tenant);
      if (!primaryTenant) {
        await revokeUnused(provider.id, tokens);
        throw new AuthError('oauth_exchange_failed', 'The user reconnected to a different company', {
          details: {
            expectedTenantId: previous?.tenantId,
            tenantIds: tenants.map((tenant) => tenant.tenantId),
          },
          action: 'Disconnect and create a new connection for the other company',
        });
      }
      const metadataOf = (tenant: Tenant) => (tenant.tenantName ? { tenantName: tenant.tenantName } : {});

      let record = await upsertConnection(
        context.connectionId,
        async (existing) => {
          if (!existing) {
            return storage.connections.createConnection({
              id: context.connectionId,
              provider: provider.id,
              ownerId: context.ownerId,
              tenantId: primaryTenant.tenantId,
              status: 'active',
              tokens: sealed,
              metadata: metadataOf(primaryTenant),
            });
          }
          if (existing.ownerId !== context.ownerId || existing.provider !== provider.id) {
            throw new AuthError(
              'oauth_state_invalid',
              'The connection in this OAuth state belongs to someone else',
            );
          }
          if (existing.tenantId && primaryTenant.tenantId && existing.tenantId !== primaryTenant.tenantId) {
            // Reconnecting into another company would sync one business's books into another's.
            throw new AuthError('oauth_exchange_failed', 'The user reconnected to a different company', {
              details: { expectedTenantId: existing.tenantId, tenantId: primaryTenant.tenantId },
              action: 'Disconnect and create a new connection for the other company',
            });
          }
          return storage.connections.updateConnection(
            existing.id,
            {
              status: 'active',
              tokens: sealed,
              tenantId: primaryTenant.tenantId ?? existing.tenantId,
              metadata: { ...existing.metadata, ...metadataOf(primaryTenant) },
            },
            { expectedVersion: existing.version },
          );
        },
        previous,
      );
      await markHealthy(record);
      record = await discoverSettings(provider, record, http);

      // The grant's other tenants: one connection each, pointing at this one's token set.
      const connections: ConnectionRecord[] = [record];
      const members = await storage.connections.listConnections({ grantId: record.id });
      for (const tenant of tenants) {
        if (tenant === primaryTenant || tenant.tenantId === null) continue;
        const known = members.find((member) => member.tenantId === tenant.tenantId);
        let member: ConnectionRecord;
        if (known) {
          member = await upsertConnection(known.id, async (existing) => {
            if (!existing) throw new ConcurrencyError('conflict', `Connection ${known.id} disappeared`);
            if (existing.status === 'active') return existing;
            return storage.connections.updateConnection(
              existing.id,
              { status: 'active', metadata: { ...existing.metadata, ...metadataOf(tenant) } },
              { expectedVersion: existing.version },
            );
          });
        } else {
          member = await storage.connections.createConnection({
            id: `conn_${randomId(12)}`,
            provider: provider.id,
            ownerId: context.ownerId,
            tenantId: tenant.tenantId,
            status: 'active',
            tokens: null,
            grantId: record.id,
            metadata: metadataOf(tenant),
          });
        }
        await markHealthy(member);
        member = await discoverSettings(provider, member, http);
        connections.push(member);
      }
      for (const connection of connections) {
        emit('connection.connected', connection);
        logger.log('info', 'connection connected', { connectionId: connection.id, provider: provider.id });
      }
      return { ...record, returnTo: context.returnTo, connections };
    },

    async disconnect(connectionId) {
      let current = await storage.connections.getConnection(connectionId);
      if (!current)
        throw new ValidationError(`Connection ${connectionId} does not exist`, [
          { path: 'connectionId', message: 'not found' },
        ]);
      const { provider, credentials } = clients.get(current.provider);
      const holderId = current.grantId ?? current.id;
      const holder = holderId === current.id ? current : await storage.connections.getConnection(holderId);
      const grant = [
        ...(holder ? [holder] : []),
        ...(await storage.connections.listConnections({ grantId: holderId })),
      ];
      const stillUsedBy = grant
        .filter((member) => member.id !== connectionId && member.status === 'active')
        .map((member) => member.id);

      let revoked = false;
      let revokeError: DisconnectResult['revokeError'] = null;
      const lastOfGrant = stillUsedBy.length === 0;
      if (lastOfGrant && holder?.tokens && provider.oauth.endpoints.revokeUrl !== null) {
        try {
          const tokens = openTokens(vault, holder.id, holder.tokens);
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
      } else if (lastOfGrant && provider.oauth.endpoints.revokeUrl === null) {
        revokeError = { code: 'unsupported', message: `${provider.id} has no revocation endpoint` };
      }

      const patchFor = (record: ConnectionRecord) =>
        record.id === connectionId
          ? // The holder keeps the grant's tokens while other tenants still use them.
            { status: 'disconnected' as const, ...(lastOfGrant || record.grantId ? { tokens: null } : {}) }
          : { tokens: null };
      const targets = [current];
      if (lastOfGrant && holder && holder.id !== connectionId && holder.tokens) targets.push(holder);
      for (const target of targets) {
        const updated = await upsertConnection(target.id, async (existing) => {
          if (!existing) throw new ValidationError(`Connection ${target.id} was deleted while disconnecting`);
          return storage.connections.updateConnection(existing.id, patchFor(existing), {
            expectedVersion: existing.version,
          });
        });
        if (target.id === connectionId) current = updated;
      }
      emit('connection.disconnected', current);
      return { connection: current, revoked, revokeError, stillUsedBy };
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
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError(
      'The callback input must be the redirect URL, its query string or its parameters',
      [{ path: 'input', message: 'expected a URL, a string or an object of query parameters' }],
    );
  }
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(input)) if (typeof value === 'string') params.set(key, value);
  return params;
}
