export type { SealContext, TokenSet, TokenVault } from './types';
