/**
 * How a provider's tokens live and rotate. Providers declare one; the token manager follows it.
 * Refresh tokens rotate at every provider: each refresh returns a new one and the old one dies (after a grace period).
 */
export interface TokenPolicy {
  /** Used when a token response has no `expires_in`. */
  accessTokenTtlSec: number;
  /**
   * Refresh this many seconds before the access token expires. Default 300. Capped at half the token's real lifetime
   * (its `expires_in`), so a provider issuing tokens that live no longer than this window does not make every call
   * refresh.
   */
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

/**
 * Checks a provider's token policy at set-up: every duration non-negative and finite, rotation before expiry.
 * Returns the problem in words, or null when the policy is sound.
 */
export function tokenPolicyProblem(policy: TokenPolicy): string | null {
  const finite = (value: number | null) => value === null || (Number.isFinite(value) && value >= 0);
  if (!(policy.accessTokenTtlSec > 0) || !Number.isFinite(policy.accessTokenTtlSec))
    return 'accessTokenTtlSec must be a positive number of seconds';
  if (!finite(policy.refreshAheadSec)) return 'refreshAheadSec must be zero or more seconds';
  if (!finite(policy.refreshTokenTtlDays)) return 'refreshTokenTtlDays must be null or zero or more days';
  if (!finite(policy.rotateRefreshTokenAfterDays))
    return 'rotateRefreshTokenAfterDays must be null or zero or more days';
  if (!finite(policy.refreshTokenReuseGraceSec))
    return 'refreshTokenReuseGraceSec must be zero or more seconds';
  if (
    policy.rotateRefreshTokenAfterDays !== null &&
    policy.refreshTokenTtlDays !== null &&
    policy.rotateRefreshTokenAfterDays >= policy.refreshTokenTtlDays
  ) {
    return 'rotateRefreshTokenAfterDays must be shorter than refreshTokenTtlDays, or an idle connection expires first';
  }
  return null;
}
