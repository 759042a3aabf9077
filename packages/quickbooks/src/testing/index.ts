/**
 * @blueclerk/quickbooks/testing - a stateful QuickBooks Online simulator (msw handlers) and webhook helpers for
 * tests, demos and benches. Requires `msw` (peer dependency).
 */
export {
  DEFAULT_RATE_LIMITS,
  type FaultInjection,
  type FaultKind,
  type FaultMatch,
  type Latency,
  type QuickBooksFaultControls,
  type RateLimits,
} from './controls';
export type { SimulatorStats } from './core';
export type { QboErrorItem, QboFaultBody } from './faults';
export type { SimClient, TokenResponse } from './oauth-server';
export { type SimEntityChange, type SimRealmApi, SimulatorWriteError } from './realm-api';
export {
  createQuickBooksSimulator,
  QUICKBOOKS_URLS,
  type QuickBooksSimulator,
  type QuickBooksSimulatorOptions,
} from './simulator';
export { SIM_ENTITIES, type SimEntityName, type WireObject } from './state';
export {
  type BuildWebhookInput,
  buildQuickBooksWebhookBody,
  type SendWebhookInput,
  sendQuickBooksWebhook,
  signQuickBooksWebhook,
  type WebhookChange,
  type WebhookFormat,
} from './webhook-sender';
