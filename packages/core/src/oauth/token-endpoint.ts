import { z } from 'zod';
import { NetworkError, ProviderError, RateLimitError, ValidationError } from '../errors/index';
import { redactError } from '../redact/index';
import type { Clock } from '../runtime/clock';
import type { TokenPolicy } from '../tokens/policy';
import type { TokenSet } from '../vault/types';
import { buildClientAuthenticatedRequest } from './client-auth';
import type { ClientCredentials, ProviderOAuthConfig } from './types';

/**
 * One call to a provider's token endpoint. No retries here, on purpose: a refresh token must never be sent twice
 * (single-use at FreshBooks), and an authorization code is single-use everywhere. Callers decide what to do.
 */
export type TokenGrant =
  | { grantType: 'authorization_code'; code: string; codeVerifier: string | null }
  | { grantType: 'refresh_token'; refreshToken: string };

export type TokenEndpointResult =
  | { ok: true; tokens: TokenSet }
  /** The endpoint refused the grant with an OAuth error (`invalid_grant`, `invalid_client` ...). Nothing secret. */
  | { ok: false; status: number; oauthError: string };

export interface TokenRequestOptions {
  oauth: ProviderOAuthConfig;
  credentials: ClientCredentials;
  tokenPolicy: TokenPolicy;
  grant: TokenGrant;
  fetch: typeof fetch;
  clock: Clock;
  timeoutMs: number;
  /** The token set being refreshed: its refresh token is kept when the response carries none. */
  previous?: TokenSet | null;
  signal?: AbortSignal;
}

const seconds = /* @__PURE__ */ (() =>
  z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().positive()))();

/** The token response fields the SDK reads (RFC 6749 §5.1 plus QuickBooks' `x_refresh_token_expires_in`). */
export const tokenResponseSchema = /* @__PURE__ */ (() =>
  z.looseObject({
    access_token: z.string().min(1),
    token_type: z
      .string()
      .refine((value) => value.toLowerCase() === 'bearer', { message: 'token_type must be bearer' })
      .optional(),
    refresh_token: z.string().min(1).nullish(),
    expires_in: seconds.nullish(),
    x_refresh_token_expires_in: seconds.nullish(),
    refresh_token_expires_in: seconds.nullish(),
    scope: z.union([z.string(), z.array(z.string()).transform((list) => list.join(' '))]).nullish(),
  }))();

const oauthErrorSchema = /* @__PURE__ */ (() => z.looseObject({ error: z.string().min(1).max(100) }))();

const DAY_MS = 24 * 3600 * 1000;

export function tokenSetFromResponse(
  body: z.infer<typeof tokenResponseSchema>,
  now: number,
  policy: TokenPolicy,
  previous: TokenSet | null,
): TokenSet {
  const accessTtlSec = body.expires_in ?? policy.accessTokenTtlSec;
  const refreshTtlSec = body.x_refresh_token_expires_in ?? body.refresh_token_expires_in ?? null;
  const rotated = typeof body.refresh_token === 'string';
  const refreshToken = rotated ? (body.refresh_token as string) : (previous?.refreshToken ?? null);
  let refreshTokenExpiresAt: number | null = null;
  if (refreshTtlSec !== null) refreshTokenExpiresAt = now + refreshTtlSec * 1000;
  else if (rotated && policy.refreshTokenTtlDays !== null)
    refreshTokenExpiresAt = now + policy.refreshTokenTtlDays * DAY_MS;
  else if (!rotated) refreshTokenExpiresAt = previous?.refreshTokenExpiresAt ?? null;
  return {
    accessToken: body.access_token,
    refreshToken,
    accessTokenExpiresAt: now + accessTtlSec * 1000,
    refreshTokenExpiresAt: refreshToken === null ? null : refreshTokenExpiresAt,
    refreshTokenIssuedAt: rotated ? now : (previous?.refreshTokenIssuedAt ?? null),
    scope: body.scope ?? previous?.scope ?? null,
    accessTokenIssuedAt: now,
  };
}

function grantFields(grant: TokenGrant, redirectUri: string): Record<string, string> {
  if (grant.grantType === 'refresh_token') {
    return { grant_type: 'refresh_token', refresh_token: grant.refreshToken };
  }
  const fields: Record<string, string> = {
    grant_type: 'authorization_code',
    code: grant.code,
    redirect_uri: redirectUri,
  };
  if (grant.codeVerifier) fields.code_verifier = grant.codeVerifier;
  return fields;
}

/** Sends the grant. Throws `NetworkError`, `RateLimitError`, `ProviderError` (5xx) or `ValidationError` (bad body). */
export async function requestTokenSet(options: TokenRequestOptions): Promise<TokenEndpointResult> {
  const { oauth, credentials } = options;
  const { headers, body } = buildClientAuthenticatedRequest(
    oauth.clientAuthentication,
    credentials,
    grantFields(options.grant, credentials.redirectUri),
  );
  const response = await postWithTimeout(options.fetch, oauth.endpoints.tokenUrl, {
    headers,
    body,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    what: 'token endpoint',
  });
  const text = await readText(response);
  if (response.ok) {
    const parsed = tokenResponseSchema.safeParse(parseJson(text));
    if (!parsed.success) {
      // Issues carry paths and rule names only (zod does not echo values), so no token leaks through them.
      throw new ValidationError(
        'The token endpoint answered with a malformed token response',
        parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      );
    }
    return {
      ok: true,
      tokens: tokenSetFromResponse(
        parsed.data,
        options.clock.now(),
        options.tokenPolicy,
        options.previous ?? null,
      ),
    };
  }
  if (response.status === 429) {
    throw new RateLimitError('The token endpoint is rate limiting this app', undefined, {
      details: { status: 429 },
    });
  }
  const oauthError = oauthErrorSchema.safeParse(parseJson(text));
  if (response.status >= 400 && response.status < 500 && oauthError.success) {
    return { ok: false, status: response.status, oauthError: sanitizeErrorCode(oauthError.data.error) };
  }
  throw new ProviderError('provider_error', `The token endpoint answered HTTP ${response.status}`, {
    status: response.status,
    retryable: response.status >= 500,
  });
}

/** OAuth error codes are short ASCII words; anything else is replaced so a provider cannot echo a secret into it. */
function sanitizeErrorCode(code: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? code : 'unknown_error';
}

export async function postWithTimeout(
  fetchFn: typeof fetch,
  url: string,
  init: {
    headers: Record<string, string>;
    body: string;
    timeoutMs: number;
    signal?: AbortSignal;
    what: string;
  },
): Promise<Response> {
  const timeout = AbortSignal.timeout(init.timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  try {
    return await fetchFn(url, {
      method: 'POST',
      headers: init.headers,
      body: init.body,
      signal,
      redirect: 'manual',
    });
  } catch (error) {
    if (timeout.aborted) {
      throw new NetworkError('timeout', `The ${init.what} did not answer within ${init.timeoutMs} ms`, {
        cause: redactError(error),
      });
    }
    throw new NetworkError('network', `The ${init.what} could not be reached`, { cause: redactError(error) });
  }
}

async function readText(response: Response): Promise<string> {
  try {
    return await response.text();
  } catch {
    return '';
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
