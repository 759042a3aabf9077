/**
 * Shared fixtures for the oauth/, tokens/ and http/ tests (not exported from the package): a test provider, client
 * credentials, a vault, and a stateful msw token endpoint that rotates refresh tokens the way real providers do.
 */
import { HttpResponse, http } from 'msw';
import type { ConnectableProvider } from '../oauth/connect-flow';
import { computeCodeChallenge } from '../oauth/pkce';
import type { ClientCredentials, OAuthProviderDefinition } from '../oauth/types';
import { randomId } from '../runtime/ids';
import type { ConnectionRecord } from '../storage/connections';
import type { BlueClerkStorage } from '../storage/storage';
import { createKeyRing } from '../vault/key-ring';
import { sealTokenSet } from '../vault/token-set';
import { createTokenVault } from '../vault/token-vault';
import type { TokenSet, TokenVault } from '../vault/types';
import type { TokenPolicy } from './policy';

/** Xero's documented lifetimes (30 min access tokens, 60-day refresh tokens, 30 min reuse grace). */
export const XERO_LIKE_POLICY: TokenPolicy = {
  accessTokenTtlSec: 1800,
  refreshAheadSec: 300,
  refreshTokenTtlDays: 60,
  rotateRefreshTokenAfterDays: 30,
  refreshTokenReuseGraceSec: 30 * 60,
};

export const TOKEN_URL = 'https://identity.blueclerk.test/connect/token';
export const REVOKE_URL = 'https://identity.blueclerk.test/connect/revocation';
export const AUTHORIZE_URL = 'https://login.blueclerk.test/authorize';

export const TEST_CREDENTIALS: ClientCredentials = {
  clientId: 'client-7Hq2Lw9Zp4',
  clientSecret: 'cs-Xk29fLq81mZt0vBnR4yW',
  redirectUri: 'https://app.blueclerk.test/oauth/xero/callback',
};

export function testProvider(
  overrides: Partial<OAuthProviderDefinition['oauth']> = {},
): OAuthProviderDefinition {
  return {
    id: 'xero',
    oauth: {
      endpoints: { authorizeUrl: AUTHORIZE_URL, tokenUrl: TOKEN_URL, revokeUrl: REVOKE_URL },
      defaultScopes: ['offline_access', 'accounting.transactions'],
      pkce: 'S256',
      clientAuthentication: 'basic',
      revokeToken: 'refresh_token',
      ...overrides,
    },
    tokenPolicy: XERO_LIKE_POLICY,
  };
}

/** `testProvider` plus what the connect flow needs to call the provider (display name, capabilities, HTTP). */
export function testConnectable(provider: OAuthProviderDefinition = testProvider()): ConnectableProvider {
  return {
    ...provider,
    displayName: provider.id === 'xero' ? 'Xero' : provider.id,
    capabilities: {
      payments: 'api',
      webhooks: { supported: false },
      batch: null,
      idempotencyKey: null,
      incrementalPull: { strategy: 'modified-since', maxLookbackDays: null, entities: [] },
      versionedUpdates: false,
      voidInvoices: false,
      paymentReference: null,
      limits: { requestsPerMinute: 60, concurrency: 5, requestsPerDay: 5000 },
    },
    http: { baseUrl: 'https://api.blueclerk.test/api', timeoutMs: 10_000, classifyResponse: () => null },
  };
}

export function createTestVault(): TokenVault {
  const key = new Uint8Array(32);
  crypto.getRandomValues(key);
  return createTokenVault(createKeyRing({ currentKeyId: 'k1', keys: { k1: key } }));
}

export interface TokenEndpointStats {
  refreshCalls: number;
  codeExchanges: number;
  /** Refresh requests carrying a refresh token that had already been used (rotated away). */
  reusedRefreshTokens: number;
  invalidGrantAnswers: number;
  /** Every `code_verifier` received, in order. */
  codeVerifiers: string[];
  /** Authorization headers and bodies of every request, for leak and client-auth checks. */
  requests: Array<{ authorization: string | null; contentType: string | null; body: string }>;
}

/**
 * A token endpoint with rotating refresh tokens: each refresh returns a new pair and kills the old refresh token;
 * a reused one gets 400 invalid_grant and is counted.
 */
export function createRotatingTokenEndpoint(
  options: { url?: string; accessTtlSec?: number; latencyMs?: number } = {},
) {
  const url = options.url ?? TOKEN_URL;
  const live = new Set<string>();
  const used = new Set<string>();
  const codes = new Map<string, { challenge: string | null }>();
  const stats: TokenEndpointStats = {
    refreshCalls: 0,
    codeExchanges: 0,
    reusedRefreshTokens: 0,
    invalidGrantAnswers: 0,
    codeVerifiers: [],
    requests: [],
  };
  let latencyMs = options.latencyMs ?? 20;
  let nextAnswer: ((body: URLSearchParams) => Response | Promise<Response>) | null = null;

  function issuePair() {
    const refreshToken = `rt_${randomId(12)}`;
    live.add(refreshToken);
    return {
      access_token: `at_${randomId(12)}`,
      refresh_token: refreshToken,
      token_type: 'Bearer',
      expires_in: options.accessTtlSec ?? 1800,
      scope: 'offline_access accounting.transactions',
    };
  }

  function invalidGrant() {
    stats.invalidGrantAnswers++;
    return HttpResponse.json({ error: 'invalid_grant' }, { status: 400 });
  }

  const handler = http.post(url, async ({ request }) => {
    const text = await request.text();
    const contentType = request.headers.get('content-type');
    stats.requests.push({ authorization: request.headers.get('authorization'), contentType, body: text });
    const body = contentType?.includes('json')
      ? new URLSearchParams(JSON.parse(text) as Record<string, string>)
      : new URLSearchParams(text);
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (nextAnswer) {
      const answer = nextAnswer;
      nextAnswer = null;
      if (body.get('grant_type') === 'refresh_token') stats.refreshCalls++;
      return answer(body);
    }
    if (body.get('grant_type') === 'authorization_code') {
      stats.codeExchanges++;
      const code = codes.get(body.get('code') ?? '');
      if (!code) return invalidGrant();
      codes.delete(body.get('code') ?? '');
      const verifier = body.get('code_verifier');
      if (verifier) stats.codeVerifiers.push(verifier);
      if (
        code.challenge !== null &&
        (verifier === null || (await computeCodeChallenge(verifier)) !== code.challenge)
      ) {
        return invalidGrant();
      }
      return HttpResponse.json(issuePair());
    }
    stats.refreshCalls++;
    const token = body.get('refresh_token') ?? '';
    if (used.has(token)) {
      stats.reusedRefreshTokens++;
      return invalidGrant();
    }
    if (!live.has(token)) return invalidGrant();
    live.delete(token);
    used.add(token);
    return HttpResponse.json(issuePair());
  });

  return {
    handler,
    stats,
    /** Makes `token` a live refresh token (the one a seeded connection holds). */
    seedRefreshToken(token = `rt_${randomId(12)}`): string {
      live.add(token);
      return token;
    },
    /** Registers an authorization code, optionally bound to a PKCE challenge. */
    issueCode(challenge: string | null = null): string {
      const code = `code_${randomId(8)}`;
      codes.set(code, { challenge });
      return code;
    },
    setLatency(ms: number) {
      latencyMs = ms;
    },
    /** Answers the next request with this response instead of the normal behaviour. */
    answerNextWith(answer: (body: URLSearchParams) => Response | Promise<Response>) {
      nextAnswer = answer;
    },
  };
}

/** Stores a connection whose access token expired a minute ago (or as given), with a live refresh token. */
export async function seedConnection(
  storage: BlueClerkStorage,
  vault: TokenVault,
  tokens: Partial<TokenSet> & { refreshToken: string | null },
  now: number,
  id = `conn_${randomId(6)}`,
): Promise<ConnectionRecord> {
  const full: TokenSet = {
    accessToken: `at_seed_${randomId(8)}`,
    accessTokenExpiresAt: now - 60_000,
    refreshTokenExpiresAt: null,
    refreshTokenIssuedAt: now - 24 * 3600_000,
    scope: 'offline_access',
    ...tokens,
  };
  return storage.connections.createConnection({
    id,
    provider: 'xero',
    ownerId: 'owner-1',
    tenantId: 'tenant-1',
    status: 'active',
    tokens: sealTokenSet(vault, id, full),
  });
}

/** Every string a thrown value or log line exposes: message, stack, cause chain and enumerable fields. */
export function exposedText(value: unknown, seen = new Set<unknown>()): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return String(value);
  if (seen.has(value)) return '';
  seen.add(value);
  const parts: string[] = [];
  if (value instanceof Error) {
    parts.push(value.message, value.stack ?? '', exposedText((value as { cause?: unknown }).cause, seen));
  }
  for (const key of Object.keys(value))
    parts.push(key, exposedText((value as Record<string, unknown>)[key], seen));
  return parts.join('\n');
}
