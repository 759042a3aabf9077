import { type Clock, systemClock } from '@blueclerk/core';
import {
  createFaultInjector,
  createRateLimiter,
  type OAuthServerStats,
} from '@blueclerk/core/testing/simulator';
import { type HttpHandler, http } from 'msw';
import {
  DEFAULT_RATE_LIMITS,
  type Latency,
  type QuickBooksFaultControls,
  quickBooksFaultControls,
  quickBooksRateWindows,
  type RateLimits,
} from './controls';
import {
  emptyStats,
  faultResponse,
  resetStats,
  type SimCore,
  type SimulatorStats,
  snapshotStats,
} from './core';
import { faults } from './faults';
import { handleApiRequest } from './http-api';
import { handleAuthorize, handleRevoke, handleToken } from './http-oauth';
import {
  createQuickBooksOAuthServer,
  quickBooksTokenResponse,
  type SimClient,
  type TokenResponse,
} from './oauth-server';
import { createRealmApi, type SimRealmApi } from './realm-api';
import { createRealmState, seedDefaults } from './state';

/** Intuit's public hosts; the simulator answers on all of them by default. */
export const QUICKBOOKS_URLS = {
  production: 'https://quickbooks.api.intuit.com',
  sandbox: 'https://sandbox-quickbooks.api.intuit.com',
  authorize: 'https://appcenter.intuit.com/connect/oauth2',
  token: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
  revoke: 'https://developer.api.intuit.com/v2/oauth2/tokens/revoke',
} as const;

/** Older Intuit documentation: sandbox companies allow 100 requests per minute per app. */
const SANDBOX_REQUESTS_PER_MINUTE = 100;

export interface QuickBooksSimulatorOptions {
  /** Clock for token expiry, rate windows, CDC look-back and MetaData times. Default: system clock. */
  clock?: Clock;
  /** Registered apps. Default: one client `sim-client-id` / `sim-client-secret` accepting any redirect URI. */
  clients?: SimClient[];
  /** Companies that exist from the start (default: one, `9130350000000001`). The first is the default realm. */
  realms?: string[];
  /** Home currency per realm, reported by `GET /preferences` (`CurrencyPrefs.HomeCurrency`). Default USD. */
  homeCurrencies?: Readonly<Record<string, string>>;
  /** Seed the chart of accounts (income account 79, Undeposited Funds 4 ...) and tax codes. Default true. */
  seedDefaults?: boolean;
  /** How long a superseded refresh token keeps working (default 86400 s, Intuit's 24 h). */
  refreshTokenGraceSec?: number;
  /** Any reuse of a superseded refresh token is `invalid_grant` (grace 0). Default false. */
  strictRefreshTokenRotation?: boolean;
  accessTokenTtlSec?: number;
  refreshTokenTtlSec?: number;
  authorizationCodeTtlSec?: number;
  rateLimits?: Partial<RateLimits>;
  /** Added to every API response. Default 0. */
  latency?: Latency;
  /** Added to a batch response per item it carries (server-side work). Default 0. */
  batchItemLatencyMs?: number;
  /** Reject duplicate invoice DocNumbers with Fault 6140. Default true. */
  uniqueDocNumbers?: boolean;
  /**
   * The companies' time zone for MetaData times and TxnDate defaults: an IANA zone, so offsets follow daylight saving
   * as in QuickBooks (`-08:00` in winter, `-07:00` in summer). Default `America/Los_Angeles`.
   */
  companyTimeZone?: string;
  /** A fixed UTC offset in minutes instead of `companyTimeZone` (e.g. -480, Pacific without daylight saving). */
  companyUtcOffsetMinutes?: number;
  /** Upper bound of a `hang` fault when the client never aborts. Default 130000 ms (Intuit's 120 s, plus margin). */
  maxHangMs?: number;
  /**
   * How long a company remembers a `requestid` (and replays its first answer), in ms. Intuit documents no expiry, so
   * the simulator does not pretend to know one: default 24 h, configurable (`Infinity` never forgets).
   */
  requestIdReplayWindowMs?: number;
  /**
   * `production` (default): 500 requests/min and 10 concurrent per realm, 40 batches/min. `sandbox` adds the older
   * documentation's sandbox limit, 100 requests/min per app across all its companies [intuit/QuickBooks-V3-PHP-SDK#54].
   */
  rateLimitProfile?: 'production' | 'sandbox';
  /** Body of a 401: the gateway's lower-case JSON envelope (default) or XML with `Fault type="AuthenticationFault"`. */
  unauthorizedFormat?: 'gateway' | 'xml';
  /**
   * What the revoke endpoint accepts. `json` (default): only Intuit's documented `Content-Type: application/json`
   * body `{"token": ...}` with HTTP Basic. `json-or-form`: also the RFC 7009 form body.
   */
  revokeRequests?: 'json' | 'json-or-form';
  /**
   * Refuse a where clause on a property Intuit does not list as filterable (400, Fault 4001 "property is not
   * queryable"); where Intuit's docs are silent the property counts as not filterable. Default true.
   */
  strictQueryFilters?: boolean;
  /** Companies take online payments (QuickBooks Payments), so invoices allowing it carry an `InvoiceLink`. Default true. */
  onlinePayments?: boolean;
  /** API hosts to answer on. Default: production and sandbox. */
  baseUrls?: string[];
}

export interface QuickBooksSimulator {
  /** msw handlers: `setupServer(...sim.handlers)`. */
  handlers: HttpHandler[];
  urls: typeof QUICKBOOKS_URLS;
  defaultRealmId: string;
  /** The default client's credentials. */
  client: SimClient;
  /** State of one company (default realm when omitted). Throws for an unknown realm. */
  realm(realmId?: string): SimRealmApi;
  /** Creates a company (seeded like the others) and returns its state API. */
  addRealm(realmId: string): SimRealmApi;
  oauth: {
    /** A fresh token pair for a realm, as if the user had just connected. */
    issueTokens(realmId?: string, clientId?: string): TokenResponse;
    /** Which realm the authorize endpoint grants next. */
    setAuthorizeRealm(realmId: string): void;
    /** Makes every issued access token expired (the next API call gets 401). */
    expireAccessTokens(): void;
    revoke(token: string): boolean;
    isRefreshTokenLive(token: string): boolean;
    /** Switches strict rotation on (grace 0) or off (back to the configured grace). */
    setStrictRefreshTokenRotation(strict: boolean): void;
    /** Expires the access token (and with `refreshToken: true` the refresh token) of one connection's grant. */
    expireTokenSet(token: string, options?: { refreshToken?: boolean }): boolean;
    /** The OAuth server's counters: successful refreshes, reused refresh tokens, exchanges, revokes. */
    stats(): OAuthServerStats;
  };
  /** Latency and switchable faults. */
  faults: QuickBooksFaultControls;
  stats(): SimulatorStats;
  resetStats(): void;
}

/**
 * A stateful QuickBooks Online for tests, demos and benches: msw handlers for the OAuth and Accounting APIs plus a
 * state API to seed companies and read back what a client did.
 *
 * @example
 * const sim = createQuickBooksSimulator();
 * const server = setupServer(...sim.handlers);
 * server.listen();
 * const tokens = sim.oauth.issueTokens();
 * sim.realm().create('Customer', { DisplayName: 'Acme' });
 */
export function createQuickBooksSimulator(options: QuickBooksSimulatorOptions = {}): QuickBooksSimulator {
  const clock = options.clock ?? systemClock;
  const clients = options.clients ?? [{ clientId: 'sim-client-id', clientSecret: 'sim-client-secret' }];
  const graceSec = options.refreshTokenGraceSec ?? 24 * 3600;
  const realmIds = options.realms?.length ? options.realms : ['9130350000000001'];
  const defaultRealmId = realmIds[0] as string;
  const limits = { ...DEFAULT_RATE_LIMITS, ...options.rateLimits };
  const replayWindowMs = options.requestIdReplayWindowMs ?? 24 * 3600 * 1000;
  const timeZone = options.companyUtcOffsetMinutes ?? options.companyTimeZone ?? 'America/Los_Angeles';
  const injector = createFaultInjector({
    latency: options.latency ?? 0,
    maxHangMs: options.maxHangMs ?? 130_000,
    renderServerError: (status) => faultResponse(core, faults.serverError(status)),
  });
  const core: SimCore = {
    clock,
    realms: new Map(),
    oauth: createQuickBooksOAuthServer({
      clients,
      clock,
      accessTokenTtlSec: options.accessTokenTtlSec ?? 3600,
      refreshTokenTtlSec: options.refreshTokenTtlSec ?? 8_726_400,
      authorizationCodeTtlSec: options.authorizationCodeTtlSec ?? 300,
      refreshTokenGraceSec: graceSec,
      strictRefreshTokenRotation: options.strictRefreshTokenRotation ?? false,
      authorizeRealmId: () => core.authorizeRealmId,
      renderUnauthorized: () => faultResponse(core, faults.authentication(options.unauthorizedFormat)),
    }),
    faults: injector,
    limiter: createRateLimiter({
      clock,
      windows: quickBooksRateWindows(limits),
      concurrency: limits.concurrent,
      renderLimited: () => faultResponse(core, faults.throttled()),
      faults: injector,
    }),
    stats: emptyStats(),
    uniqueDocNumbers: options.uniqueDocNumbers ?? true,
    timeZone,
    revokeRequests: options.revokeRequests ?? 'json',
    strictQueryFilters: options.strictQueryFilters ?? true,
    onlinePayments: options.onlinePayments ?? true,
    appLimiter:
      options.rateLimitProfile === 'sandbox'
        ? createRateLimiter({
            clock,
            windows: [{ name: 'sandboxPerMinute', limit: SANDBOX_REQUESTS_PER_MINUTE, windowMs: 60_000 }],
            renderLimited: () => faultResponse(core, faults.throttled()),
          })
        : null,
    batchItemLatencyMs: options.batchItemLatencyMs ?? 0,
    defaultRealmId,
    authorizeRealmId: defaultRealmId,
  };
  const addRealm = (realmId: string): SimRealmApi => {
    if (!core.realms.has(realmId)) {
      const state = createRealmState(
        realmId,
        { clock, windowMs: replayWindowMs },
        options.homeCurrencies?.[realmId] ?? 'USD',
        timeZone,
      );
      if (options.seedDefaults !== false) seedDefaults(state, clock.now());
      core.realms.set(realmId, state);
    }
    return realm(realmId);
  };
  const realm = (realmId = defaultRealmId): SimRealmApi => {
    const state = core.realms.get(realmId);
    if (!state) throw new Error(`QuickBooks simulator has no realm ${realmId}; call addRealm first`);
    return createRealmApi(core, state);
  };
  for (const id of realmIds) addRealm(id);

  const handlers: HttpHandler[] = [
    http.get(QUICKBOOKS_URLS.authorize, ({ request }) => handleAuthorize(core, request)),
    http.post(QUICKBOOKS_URLS.token, ({ request }) => handleToken(core, request)),
    http.post(QUICKBOOKS_URLS.revoke, ({ request }) => handleRevoke(core, request)),
  ];
  for (const base of options.baseUrls ?? [QUICKBOOKS_URLS.production, QUICKBOOKS_URLS.sandbox]) {
    handlers.push(
      http.all(`${base.replace(/\/$/, '')}/v3/company/:realmId/*`, ({ request, params }) =>
        handleApiRequest(core, request, String(params.realmId)),
      ),
    );
  }

  return {
    handlers,
    urls: QUICKBOOKS_URLS,
    defaultRealmId,
    client: clients[0] as SimClient,
    realm,
    addRealm,
    oauth: {
      issueTokens: (realmId = defaultRealmId, clientId = (clients[0] as SimClient).clientId) => {
        if (!core.realms.has(realmId)) throw new Error(`QuickBooks simulator has no realm ${realmId}`);
        return quickBooksTokenResponse(core.oauth.issueTokens({ grant: { realmId }, clientId }));
      },
      setAuthorizeRealm: (realmId) => {
        addRealm(realmId);
        core.authorizeRealmId = realmId;
      },
      expireAccessTokens: () => core.oauth.expireAccessTokens(),
      revoke: (token) => core.oauth.revoke(token),
      isRefreshTokenLive: (token) => core.oauth.isRefreshTokenLive(token),
      setStrictRefreshTokenRotation: (strict) => core.oauth.setStrictRefreshTokenRotation(strict),
      expireTokenSet: (token, expireOptions) => core.oauth.expireTokenSet(token, expireOptions),
      stats: () => core.oauth.stats(),
    },
    faults: quickBooksFaultControls(injector),
    stats: () => snapshotStats(core),
    resetStats: () => resetStats(core),
  };
}
