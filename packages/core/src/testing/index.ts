/**
 * @blueclerk/core/testing - conformance suites and test helpers for storage adapters and providers.
 * Import it from test files only; it depends on vitest.
 */

export * from './fake-host';
export * from './fake-provider';
export * from './fake-sync-setup';
export * from './provider-conformance';
export * from './storage-conformance';
