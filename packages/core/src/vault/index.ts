export {
  createKeyRing,
  DEFAULT_KEYS_SETTING,
  KEY_ID_PATTERN,
  type KeyRing,
  type KeyRingInput,
  type KeyRingOptions,
  keyRingFromEnv,
} from './key-ring';
export {
  type ResealFailure,
  type ResealOptions,
  type ResealResult,
  resealConnections,
} from './reseal';
export { openTokenSet, sealTokenSet, TOKEN_FIELDS } from './token-set';
export { createTokenVault, ENVELOPE_VERSION, envelopeKeyId } from './token-vault';
export type { SealContext, TokenSet, TokenVault } from './types';
