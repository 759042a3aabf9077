/**
 * How a provider's tokens live and rotate. Providers declare one; the token manager follows it.
 * Refresh tokens rotate at every provider: each refresh returns a new one and the old one dies (after a grace period).
 */
export interface TokenPolicy {
  /** Used when a token response has no `expires_in`. */
  accessTokenTtlSec: number;
  /** Refresh this many seconds before the access token expires. Default 300. */
  refreshAheadSec: number;
  /** Lifetime of an unused refresh token, when the provider does not say in the response. Null: no expiry known. */
  refreshTokenTtlDays: number | null;
  /**
   * Rotate the refresh token proactively once it is this old, even while the access token is valid, so an idle
   * connection never reaches the refresh token's expiry. Null: no proactive rotation.
   */
  rotateRefreshTokenAfterDays: number | null;
  /** How long the previous refresh token keeps working after a rotation (QuickBooks 24 h, Xero 30 min, FreshBooks 0). */
  refreshTokenReuseGraceSec: number;
}

/** Defaults from each provider's documented lifetimes (../shared/providers.md). */
export const TOKEN_POLICIES = {
  quickbooks: {
    accessTokenTtlSec: 3600,
    refreshAheadSec: 300,
    refreshTokenTtlDays: 100,
    rotateRefreshTokenAfterDays: 60,
    refreshTokenReuseGraceSec: 24 * 3600,
  },
  xero: {
    accessTokenTtlSec: 1800,
    refreshAheadSec: 300,
    refreshTokenTtlDays: 60,
    rotateRefreshTokenAfterDays: 30,
    refreshTokenReuseGraceSec: 30 * 60,
  },
  freshbooks: {
    accessTokenTtlSec: 12 * 3600,
    refreshAheadSec: 600,
    refreshTokenTtlDays: 30,
    rotateRefreshTokenAfterDays: 14,
    refreshTokenReuseGraceSec: 0,
  },
  wave: {
    accessTokenTtlSec: 2 * 3600,
    refreshAheadSec: 300,
    refreshTokenTtlDays: null,
    rotateRefreshTokenAfterDays: null,
    refreshTokenReuseGraceSec: 0,
  },
} as const satisfies Record<string, TokenPolicy>;
