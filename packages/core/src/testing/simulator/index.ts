/**
 * @blueclerk/core/testing/simulator - the kit every provider simulator is built on: an OAuth server with rotating
 * refresh tokens, fault injection, rate windows, an idempotency replay cache and msw helpers. Needs `msw` (peer),
 * not vitest, so a simulator can run in a dev server or a demo as well as in tests.
 */
export {
  abortableDelay,
  createFaultInjector,
  type FaultInjection,
  type FaultInjector,
  type FaultInjectorOptions,
  type FaultInjectorStats,
  type FaultKind,
  type FaultMatch,
  type FaultRunOptions,
  type HandlerOutcome,
  type Latency,
  matchesFault,
} from './fault-injector';
export { startMswServer } from './msw-server';
export { readOAuthParams } from './oauth-endpoints';
export {
  type AccessTokenCheck,
  type AccessTokenInfo,
  type AccessTokenRejection,
  type AuthorizeDecision,
  type AuthorizeRequestInfo,
  createOAuthServer,
  type IssuedTokenSet,
  type OAuthClientAuthentication,
  type OAuthGrant,
  type OAuthServer,
  type OAuthServerOptions,
  type OAuthServerStats,
  type SimulatedOAuthClient,
} from './oauth-server';
export {
  createRateLimiter,
  type RateAdmission,
  type RateLimited,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimiterStats,
  type RateUsage,
  type RateWindow,
} from './rate-limiter';
export {
  createReplayCache,
  type ReplayCache,
  type ReplayCacheOptions,
  type ReplayOutcome,
  replayResponse,
  type StoredResponse,
  storeResponse,
} from './replay-cache';
export { describeRequest, type SimulatedRequest } from './simulated-request';
