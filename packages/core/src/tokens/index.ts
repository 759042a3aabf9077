export {
  createTokenManager,
  type GetAccessTokenOptions,
  type TokenManager,
  type TokenManagerOptions,
} from './manager';
export { type TokenPolicy, tokenPolicyProblem } from './policy';
