import {
  type AccessTokenRejection,
  emptyOAuthServerStats,
  type IssuedTokenSet,
  type OAuthGrant,
  type OAuthServerStats,
  type ResolvedOAuthServerOptions,
} from './oauth-server';

/**
 * The authorization server's state: codes, token families (one per consent, followed through every rotation),
 * refresh and access tokens. Pure bookkeeping against the clock; `oauth-endpoints.ts` speaks HTTP over it.
 */

interface CodeRecord {
  clientId: string;
  redirectUri: string;
  grant: OAuthGrant;
  scope: string | null;
  codeChallenge: string | null;
  expiresAt: number;
  used: boolean;
}

interface Family {
  clientId: string;
  grant: OAuthGrant;
  scope: string | null;
  revoked: boolean;
  currentRefreshToken: string;
}

interface RefreshRecord {
  family: Family;
  expiresAt: number | null;
  supersededAt: number | null;
}

interface AccessRecord {
  family: Family;
  expiresAt: number;
}

export type RefreshOutcome =
  | { ok: true; tokens: IssuedTokenSet }
  | { ok: false; error: 'invalid_grant'; description?: string };

export type AccessCheck =
  | { ok: true; token: { clientId: string; grant: OAuthGrant; scope: string | null; expiresAt: number } }
  | { ok: false; reason: AccessTokenRejection };

export type GrantStore = ReturnType<typeof createGrantStore>;

function randomToken(prefix: string, bytes: number): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  let out = prefix;
  for (const b of buf) out += b.toString(16).padStart(2, '0');
  return out;
}

export function createGrantStore(options: ResolvedOAuthServerOptions) {
  const codes = new Map<string, CodeRecord>();
  const refreshTokens = new Map<string, RefreshRecord>();
  const accessTokens = new Map<string, AccessRecord>();
  let stats: OAuthServerStats = emptyOAuthServerStats();
  const now = () => options.clock.now();

  const invalidGrant = (description?: string): RefreshOutcome => {
    stats.invalidGrants += 1;
    return description
      ? { ok: false, error: 'invalid_grant', description }
      : { ok: false, error: 'invalid_grant' };
  };

  const graceMs = () =>
    options.strictRefreshTokenRotation ? 0 : Math.max(0, options.refreshTokenReuseGraceSec) * 1000;

  const rotate = (family: Family): IssuedTokenSet => {
    const at = now();
    const previous = refreshTokens.get(family.currentRefreshToken);
    if (previous && previous.supersededAt === null) previous.supersededAt = at;
    const refreshToken = randomToken(options.tokenPrefixes.refreshToken, 24);
    const accessToken = randomToken(options.tokenPrefixes.accessToken, 32);
    const refreshTtl = options.refreshTokenTtlSec;
    refreshTokens.set(refreshToken, {
      family,
      expiresAt: refreshTtl === null ? null : at + refreshTtl * 1000,
      supersededAt: null,
    });
    family.currentRefreshToken = refreshToken;
    accessTokens.set(accessToken, { family, expiresAt: at + options.accessTokenTtlSec * 1000 });
    return {
      accessToken,
      refreshToken,
      accessTokenExpiresInSec: options.accessTokenTtlSec,
      refreshTokenExpiresInSec: refreshTtl,
      scope: family.scope,
      clientId: family.clientId,
      grant: family.grant,
    };
  };

  const familyOf = (token: string): Family | undefined =>
    refreshTokens.get(token)?.family ?? accessTokens.get(token)?.family;

  const refreshUsable = (record: RefreshRecord, at: number): boolean =>
    !record.family.revoked &&
    (record.expiresAt === null || record.expiresAt > at) &&
    (record.supersededAt === null || at < record.supersededAt + graceMs());

  const issue = (clientId: string, grant: OAuthGrant, scope: string | null): IssuedTokenSet =>
    rotate({ clientId, grant, scope, revoked: false, currentRefreshToken: '' });

  const revoke = (token: string): boolean => {
    const family = familyOf(token);
    if (!family) return false;
    if (!family.revoked) stats.revokes += 1;
    family.revoked = true;
    return true;
  };

  return {
    stats: (): OAuthServerStats => stats,
    countTokenRequest(grantType: string): void {
      stats.tokenRequests[grantType] = (stats.tokenRequests[grantType] ?? 0) + 1;
    },
    issue,
    revoke,

    createCode(input: Omit<CodeRecord, 'expiresAt' | 'used'>): string {
      const code = randomToken(options.tokenPrefixes.code, 16);
      codes.set(code, { ...input, expiresAt: now() + options.authorizationCodeTtlSec * 1000, used: false });
      stats.codesIssued += 1;
      return code;
    },

    /** Looks a code up for an exchange; single use, bound to its client and redirect URI. */
    takeCode(
      clientId: string,
      code: string | null,
      redirectUri: string | null,
    ): { ok: true; code: CodeRecord } | { ok: false; description?: string } {
      const record = code ? codes.get(code) : undefined;
      if (!record || record.used || record.expiresAt <= now() || record.clientId !== clientId) {
        stats.invalidGrants += 1;
        return { ok: false };
      }
      if (record.redirectUri !== redirectUri) {
        stats.invalidGrants += 1;
        return { ok: false, description: 'redirect_uri does not match the authorization request' };
      }
      record.used = true;
      return { ok: true, code: record };
    },

    /** Counts an exchange that passed every check (PKCE included) and issues its first token pair. */
    completeExchange(record: CodeRecord): IssuedTokenSet {
      stats.exchanges += 1;
      return issue(record.clientId, record.grant, record.scope);
    },

    invalidGrant,

    refresh(clientId: string, token: string | null): RefreshOutcome {
      const record = token ? refreshTokens.get(token) : undefined;
      if (!record || record.family.clientId !== clientId) return invalidGrant();
      // Counted before the verdict: within the grace period a reuse succeeds, yet it is still a double send.
      if (record.supersededAt !== null) stats.reusedRefreshTokens += 1;
      if (!refreshUsable(record, now())) return invalidGrant();
      stats.successfulRefreshes += 1;
      return { ok: true, tokens: rotate(record.family) };
    },

    /** Revocation on behalf of a client: only its own tokens (RFC 7009 §2.1). */
    revokeFor(clientId: string, token: string): void {
      if (familyOf(token)?.clientId === clientId) revoke(token);
    },

    checkAccessToken(token: string | null): AccessCheck {
      if (!token) return { ok: false, reason: 'missing' };
      const record = accessTokens.get(token);
      if (!record) return { ok: false, reason: 'unknown' };
      if (record.family.revoked) return { ok: false, reason: 'revoked' };
      if (record.expiresAt <= now()) return { ok: false, reason: 'expired' };
      const { clientId, grant, scope } = record.family;
      return { ok: true, token: { clientId, grant, scope, expiresAt: record.expiresAt } };
    },

    isRefreshTokenLive(token: string): boolean {
      const record = refreshTokens.get(token);
      return record !== undefined && refreshUsable(record, now());
    },

    expireFamilyOf(token: string, refreshToo: boolean): boolean {
      const family = familyOf(token);
      if (!family) return false;
      const at = now();
      for (const record of accessTokens.values()) if (record.family === family) record.expiresAt = at;
      if (refreshToo) {
        for (const record of refreshTokens.values()) if (record.family === family) record.expiresAt = at;
      }
      return true;
    },

    expireAllAccessTokens(): void {
      const at = now();
      for (const record of accessTokens.values()) record.expiresAt = Math.min(record.expiresAt, at);
    },

    resetStats(): void {
      stats = emptyOAuthServerStats();
    },
  };
}
