export {
  createTokenManager,
  type GetAccessTokenOptions,
  type TokenManager,
  type TokenManagerOptions,
} from './manager';
export { TOKEN_POLICIES, type TokenPolicy } from './policy';
