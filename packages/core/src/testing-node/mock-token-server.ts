import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OAuthProviderDefinition } from '../oauth/types';
import type { ProviderId } from '../storage/types';

/**
 * A real HTTP OAuth token endpoint for tests that cross process boundaries (msw only intercepts inside one process).
 *
 * Refresh tokens rotate like QuickBooks/Xero/FreshBooks: each successful refresh returns a new access + refresh token
 * pair and kills the refresh token it was given. Reusing a killed or unknown refresh token gets
 * `400 {"error":"invalid_grant"}` - exactly what a provider answers when two workers race a refresh. There is no
 * grace period, so any double send shows up in `stats.reusedRefreshTokens`.
 *
 * @example
 * const server = await startMockTokenServer({ accessTokenTtlSec: 3600 });
 * const refreshToken = server.seedRefreshToken();
 * // ... point a token manager at server.tokenUrl ...
 * expect(server.stats.refreshCalls).toBe(1);
 * expect(server.stats.reusedRefreshTokens).toBe(0);
 * await server.close();
 */
export interface MockTokenServerOptions {
  /** When set together with `clientSecret`, requests must authenticate (Basic, form body or JSON body). */
  clientId?: string;
  clientSecret?: string;
  /** `expires_in` of issued access tokens. Default 3600. */
  accessTokenTtlSec?: number;
  /** Delay before every answer, in ms. Default 0. */
  latencyMs?: number;
  /** Default 0 (any free port). Binds 127.0.0.1 only. */
  port?: number;
}

export interface MockTokenServerStats {
  /** Refresh-grant requests received, including refused and hung ones. */
  refreshCalls: number;
  /** Refreshes answered with a new token pair. */
  successfulRefreshes: number;
  /** `invalid_grant` answers (reused, unknown or revoked refresh tokens). */
  invalidGrantAnswers: number;
  /** Requests that carried a refresh token already rotated away: a double send by the client. */
  reusedRefreshTokens: number;
  /** Requests held open by hang mode (never answered). */
  hungRequests: number;
}

export interface MockTokenServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `<url>/token` - use as `endpoints.tokenUrl`. */
  readonly tokenUrl: string;
  /** `<url>/revoke` - RFC 7009 revocation (kills the token, always 200). */
  readonly revokeUrl: string;
  /** Live counters; read them after the run. */
  readonly stats: Readonly<MockTokenServerStats>;
  /** Makes `token` (or a new random one) a live refresh token and returns it: what a seeded connection holds. */
  seedRefreshToken(token?: string): string;
  /** Whether `token` is the newest access token issued for its chain (i.e. not superseded). */
  isCurrentAccessToken(token: string): boolean;
  setLatency(ms: number): void;
  /**
   * Hang mode: the next `count` refresh requests are held open and never answered, and their refresh token is NOT
   * consumed (the request never reached the provider's token store). Lets a test SIGKILL the worker mid-refresh.
   */
  hangNextRefreshes(count: number): void;
  /** Resets counters (not tokens). */
  resetStats(): void;
  close(): Promise<void>;
}

function token(prefix: string): string {
  return `${prefix}_${randomBytes(18).toString('base64url')}`;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

export async function startMockTokenServer(options: MockTokenServerOptions = {}): Promise<MockTokenServer> {
  const ttl = options.accessTokenTtlSec ?? 3600;
  let latencyMs = options.latencyMs ?? 0;
  let hangBudget = 0;
  const live = new Set<string>();
  const used = new Set<string>();
  const currentAccessTokens = new Set<string>();
  const accessByRefresh = new Map<string, string>();
  const hung = new Set<ServerResponse>();
  const stats: MockTokenServerStats = {
    refreshCalls: 0,
    successfulRefreshes: 0,
    invalidGrantAnswers: 0,
    reusedRefreshTokens: 0,
    hungRequests: 0,
  };

  function authenticated(request: IncomingMessage, fields: URLSearchParams): boolean {
    if (options.clientId === undefined || options.clientSecret === undefined) return true;
    const header = request.headers.authorization;
    if (header?.startsWith('Basic ')) {
      const [id, secret] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
      return id === options.clientId && secret === options.clientSecret;
    }
    return (
      fields.get('client_id') === options.clientId && fields.get('client_secret') === options.clientSecret
    );
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const text = await readBody(request);
    const fields = (request.headers['content-type'] ?? '').includes('json')
      ? new URLSearchParams(JSON.parse(text || '{}') as Record<string, string>)
      : new URLSearchParams(text);
    if (request.method !== 'POST' || (path !== '/token' && path !== '/revoke')) {
      send(response, 404, { error: 'not_found' });
      return;
    }
    if (!authenticated(request, fields)) {
      send(response, 401, { error: 'invalid_client' });
      return;
    }
    if (path === '/revoke') {
      const value = fields.get('token') ?? '';
      if (live.delete(value)) used.add(value);
      currentAccessTokens.delete(value);
      send(response, 200, {});
      return;
    }
    if (fields.get('grant_type') !== 'refresh_token') {
      send(response, 400, { error: 'unsupported_grant_type' });
      return;
    }
    stats.refreshCalls++;
    if (hangBudget > 0) {
      hangBudget--;
      stats.hungRequests++;
      hung.add(response);
      response.on('close', () => hung.delete(response));
      return;
    }
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    const presented = fields.get('refresh_token') ?? '';
    if (!live.has(presented)) {
      if (used.has(presented)) stats.reusedRefreshTokens++;
      stats.invalidGrantAnswers++;
      send(response, 400, { error: 'invalid_grant' });
      return;
    }
    live.delete(presented);
    used.add(presented);
    const previousAccess = accessByRefresh.get(presented);
    if (previousAccess) currentAccessTokens.delete(previousAccess);
    const pair = { access: token('at'), refresh: token('rt') };
    live.add(pair.refresh);
    currentAccessTokens.add(pair.access);
    accessByRefresh.set(pair.refresh, pair.access);
    stats.successfulRefreshes++;
    send(response, 200, {
      token_type: 'bearer',
      access_token: pair.access,
      refresh_token: pair.refresh,
      expires_in: ttl,
    });
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) send(response, 500, { error: 'server_error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    tokenUrl: `${url}/token`,
    revokeUrl: `${url}/revoke`,
    stats,
    seedRefreshToken(value = token('rt')) {
      live.add(value);
      return value;
    },
    isCurrentAccessToken: (value) => currentAccessTokens.has(value),
    setLatency(ms) {
      latencyMs = ms;
    },
    hangNextRefreshes(count) {
      hangBudget = count;
    },
    resetStats() {
      for (const key of Object.keys(stats) as Array<keyof MockTokenServerStats>) stats[key] = 0;
    },
    async close() {
      for (const response of hung) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The OAuth side of a provider whose token endpoint is a mock token server: what a token manager in a test or a
 * worker process needs (basic client auth, no PKCE, a rotating refresh token with no grace, refresh 60 s ahead).
 */
export function mockTokenServerProvider(
  tokenUrl: string,
  id: ProviderId = 'quickbooks',
): OAuthProviderDefinition {
  return {
    id,
    oauth: {
      endpoints: { authorizeUrl: 'https://login.blueclerk.test/authorize', tokenUrl, revokeUrl: null },
      defaultScopes: [],
      pkce: 'none',
      clientAuthentication: 'basic',
      revokeToken: 'refresh_token',
    },
    tokenPolicy: {
      accessTokenTtlSec: 3600,
      refreshAheadSec: 60,
      refreshTokenTtlDays: null,
      rotateRefreshTokenAfterDays: null,
      refreshTokenReuseGraceSec: 0,
    },
  };
}
