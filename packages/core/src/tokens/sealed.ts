import { assertUsableTokenSet } from '../credentials/index';
import { registerSecret } from '../redact/index';
import type { SealedTokens } from '../storage/connections';
import { openTokenSet, sealTokenSet } from '../vault/index';
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
