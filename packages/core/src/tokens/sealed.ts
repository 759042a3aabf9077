import { assertUsableTokenSet } from '../credentials/index';
import { registerSecret } from '../redact/index';
import type { SealedTokens } from '../storage/connections';
import { openTokenSet, sealTokenSet, TOKEN_FIELDS } from '../vault/index';
import type { TokenSet, TokenVault } from '../vault/types';

/**
 * The one place tokens cross between clear and sealed form. Every token opened or obtained is registered with the
 * redactor first, so if it shows up later in a provider's error text or a log line it is replaced.
 */
export function protectTokenSet(tokens: TokenSet): TokenSet {
  registerSecret(tokens.accessToken);
  registerSecret(tokens.refreshToken);
  return tokens;
}

export function sealTokens(vault: TokenVault, connectionId: string, tokens: TokenSet): SealedTokens {
  protectTokenSet(tokens);
  return sealTokenSet(vault, connectionId, tokens);
}

/** Opens and validates; throws `VaultError` / the credentials module's typed errors, never a token. */
export function openTokens(vault: TokenVault, connectionId: string, sealed: SealedTokens): TokenSet {
  const tokens = openTokenSet(vault, connectionId, sealed);
  protectTokenSet(tokens);
  assertUsableTokenSet(tokens);
  return tokens;
}

/**
 * What deciding "is a refresh due?" needs, with only the access token opened: the refresh token stays sealed on
 * the request path (it is opened only under the refresh lease).
 */
export interface AccessTokenView {
  accessToken: string;
  accessTokenExpiresAt: number;
  accessTokenIssuedAt?: number;
  refreshTokenIssuedAt: number | null;
  hasRefreshToken: boolean;
}

export function openAccessToken(
  vault: TokenVault,
  connectionId: string,
  sealed: SealedTokens,
): AccessTokenView {
  const accessToken = vault.open(sealed.accessToken, { connectionId, field: TOKEN_FIELDS.accessToken });
  registerSecret(accessToken);
  // The same validity rules as a full open, for the one field opened here.
  assertUsableTokenSet({ ...sealedTimes(sealed), accessToken, refreshToken: null });
  return {
    accessToken,
    accessTokenExpiresAt: sealed.accessTokenExpiresAt,
    ...(typeof sealed.accessTokenIssuedAt === 'number'
      ? { accessTokenIssuedAt: sealed.accessTokenIssuedAt }
      : {}),
    refreshTokenIssuedAt: sealed.refreshTokenIssuedAt,
    hasRefreshToken: sealed.refreshToken !== null,
  };
}

function sealedTimes(sealed: SealedTokens) {
  return {
    accessTokenExpiresAt: sealed.accessTokenExpiresAt,
    refreshTokenExpiresAt: sealed.refreshTokenExpiresAt,
    refreshTokenIssuedAt: sealed.refreshTokenIssuedAt,
    scope: sealed.scope,
  };
}
