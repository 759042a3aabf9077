import { ConfigurationError, ValidationError } from '../errors/index';
import { registerSecret } from '../redact/index';
import type { SealedTokens } from '../storage/connections';
import type { TokenSet, TokenVault } from './types';

/** Field names the token envelopes are bound to (the AAD), as stored in `SealedTokens`. */
export const TOKEN_FIELDS = { accessToken: 'accessToken', refreshToken: 'refreshToken' } as const;

/**
 * Seals a token set for storage on `connectionId`. Expiry times and scope are not secret and stay in clear, so
 * schedulers can read them without decrypting. The tokens are registered for redaction.
 */
export function sealTokenSet(vault: TokenVault, connectionId: string, tokenSet: TokenSet): SealedTokens {
  assertVault(vault);
  if (typeof tokenSet !== 'object' || tokenSet === null || typeof tokenSet.accessToken !== 'string') {
    throw new ValidationError('sealTokenSet needs a token set with an accessToken', [
      { path: 'tokenSet', message: 'expected a token set' },
    ]);
  }
  registerSecret(tokenSet.accessToken);
  registerSecret(tokenSet.refreshToken);
  return {
    accessToken: vault.seal(tokenSet.accessToken, { connectionId, field: TOKEN_FIELDS.accessToken }),
    refreshToken:
      tokenSet.refreshToken === null
        ? null
        : vault.seal(tokenSet.refreshToken, { connectionId, field: TOKEN_FIELDS.refreshToken }),
    accessTokenExpiresAt: tokenSet.accessTokenExpiresAt,
    refreshTokenExpiresAt: tokenSet.refreshTokenExpiresAt,
    refreshTokenIssuedAt: tokenSet.refreshTokenIssuedAt,
    scope: tokenSet.scope,
    ...(typeof tokenSet.accessTokenIssuedAt === 'number'
      ? { accessTokenIssuedAt: tokenSet.accessTokenIssuedAt }
      : {}),
  };
}

/**
 * Opens the sealed tokens of `connectionId`. Throws `VaultError('vault_decrypt_failed')` if either envelope does not
 * open for this connection. The opened tokens are registered for redaction. Check them with `assertUsableTokenSet`
 * (credentials/) before use.
 */
export function openTokenSet(vault: TokenVault, connectionId: string, sealed: SealedTokens): TokenSet {
  assertVault(vault);
  if (typeof sealed !== 'object' || sealed === null) {
    throw new ValidationError('openTokenSet needs the sealed tokens of a connection', [
      { path: 'sealed', message: 'expected sealed tokens' },
    ]);
  }
  const accessToken = vault.open(sealed.accessToken, { connectionId, field: TOKEN_FIELDS.accessToken });
  const refreshToken =
    sealed.refreshToken === null
      ? null
      : vault.open(sealed.refreshToken, { connectionId, field: TOKEN_FIELDS.refreshToken });
  registerSecret(accessToken);
  registerSecret(refreshToken);
  return {
    accessToken,
    refreshToken,
    accessTokenExpiresAt: sealed.accessTokenExpiresAt,
    refreshTokenExpiresAt: sealed.refreshTokenExpiresAt,
    refreshTokenIssuedAt: sealed.refreshTokenIssuedAt,
    scope: sealed.scope,
    // Sets sealed before the issue time was recorded have none: their lifetime is unknown.
    ...(typeof sealed.accessTokenIssuedAt === 'number'
      ? { accessTokenIssuedAt: sealed.accessTokenIssuedAt }
      : {}),
  };
}

function assertVault(vault: TokenVault): void {
  if (typeof vault !== 'object' || vault === null || typeof vault.seal !== 'function') {
    throw new ConfigurationError('vault', 'Expected a token vault (createTokenVault(keyRing))');
  }
}
