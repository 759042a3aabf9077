/**
 * @blueclerk/core/testing - conformance suites and test helpers for storage adapters and providers.
 * Import it from test files only; it depends on vitest.
 */

export * from './fake-host';
export * from './fake-provider';
export * from './fake-sync-setup';
export * from './provider-conformance';
// Simulator kit: the generic parts of every provider simulator (OAuth server, faults, rate windows, replays, msw).
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
} from './simulator/fault-injector';
export { startMswServer } from './simulator/msw-server';
export { readOAuthParams } from './simulator/oauth-endpoints';
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
} from './simulator/oauth-server';
export {
  createRateLimiter,
  type RateAdmission,
  type RateLimited,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimiterStats,
  type RateUsage,
  type RateWindow,
} from './simulator/rate-limiter';
export {
  createReplayCache,
  type ReplayCache,
  type ReplayCacheOptions,
  type ReplayOutcome,
  replayResponse,
  type StoredResponse,
  storeResponse,
} from './simulator/replay-cache';
export { describeRequest, type SimulatedRequest } from './simulator/simulated-request';
export { useMswServer } from './simulator/use-msw-server';
export * from './storage-conformance';
