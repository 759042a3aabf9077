export { type AuthorizeUrlInput, buildAuthorizeUrl } from './authorize-url';
export {
  type BindingCookieOptions,
  BROWSER_BINDING_COOKIE,
  bindingCookieName,
  bindingFromRequest,
  clearBindingCookie,
  type HeaderTarget,
  readBindingCookie,
  serializeBindingCookie,
  setBindingCookie,
} from './browser-binding';
export { buildClientAuthenticatedRequest } from './client-auth';
export { createOAuthClients, type OAuthClient } from './clients';
export {
  type CallbackInput,
  type CallbackResult,
  type ConnectableProvider,
  type ConnectFlow,
  type ConnectFlowOptions,
  createConnectFlow,
  type DisconnectResult,
  type HandleCallbackOptions,
  type StartConnectInput,
  type StartConnectResult,
} from './connect-flow';
export { computeCodeChallenge, createCodeVerifier, createPkcePair, type PkcePair } from './pkce';
export { checkReturnTo } from './return-to';
export { revokeToken } from './revoke';
export { assertStateSecret, createStateCodec, type OAuthStatePayload, type StateCodec } from './state';
export {
  requestTokenSet,
  type TokenEndpointResult,
  type TokenGrant,
  type TokenRequestOptions,
  tokenResponseSchema,
  tokenSetFromResponse,
} from './token-endpoint';
export type {
  ClientCredentials,
  OAuthEndpoints,
  OAuthProviderDefinition,
  ProviderOAuthConfig,
} from './types';
