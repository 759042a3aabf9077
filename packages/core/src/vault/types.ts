import type { EpochMs } from '../storage/types';

/** A token set in clear. Exists only in memory; it is stored as `SealedTokens` (see storage/connections.ts). */
export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  accessTokenExpiresAt: EpochMs;
  refreshTokenExpiresAt: EpochMs | null;
  refreshTokenIssuedAt: EpochMs | null;
  scope: string | null;
  /**
   * When the access token was issued; with `accessTokenExpiresAt` it gives the token's real lifetime (the provider's
   * `expires_in`), which caps the refresh-ahead window. Absent for sets stored before it was recorded.
   */
  accessTokenIssuedAt?: EpochMs;
}

/** What a ciphertext is bound to (additional authenticated data): a copy moved to another connection or field fails. */
export interface SealContext {
  connectionId: string;
  /** e.g. `accessToken`, `refreshToken`. */
  field: string;
}

/**
 * AES-256-GCM with a fresh 96-bit nonce per seal, AAD from `SealContext`, and a versioned envelope carrying the key id.
 * Synchronous: `@noble/ciphers` and `crypto.getRandomValues` work the same on Node and edge runtimes.
 */
export interface TokenVault {
  /** Encrypts with the current key. Returns the envelope string. */
  seal(plaintext: string, context: SealContext): string;
  /** Decrypts with whichever key of the ring the envelope names. Throws `VaultError('vault_decrypt_failed')`. */
  open(envelope: string, context: SealContext): string;
  /** True when the envelope was sealed with a key other than the current one (rotate it). */
  needsReseal(envelope: string): boolean;
  /** Id of the key new seals use. */
  readonly currentKeyId: string;
}
