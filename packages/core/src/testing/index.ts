/**
 * @blueclerk/core/testing - conformance suites and test helpers for storage adapters and providers.
 * Import it from test files only; it depends on vitest.
 */

export * from './fake-host';
export * from './fake-provider';
export * from './fake-sync-setup';
export * from './provider-conformance';
// Simulator kit (also `@blueclerk/core/testing/simulator`, which needs no vitest): OAuth server, faults, rate
// windows, replays, msw.
export * from './simulator/index';
export { useMswServer } from './simulator/use-msw-server';
export * from './storage-conformance';
