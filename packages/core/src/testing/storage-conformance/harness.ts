import { expect } from 'vitest';
import { BlueClerkError } from '../../errors/index';
import { randomId } from '../../runtime/index';
import type { BlueClerkStorage, NewConnection, SealedTokens } from '../../storage/index';
import type { StorageConformanceTestName } from './names';

/** Real waits, because Redis and PostgreSQL adapters expire things on the server's clock, not an injected one. */
export const SHORT_TTL_MS = 300;
export const PAST_SHORT_TTL_MS = 700;
export const LONG_TTL_MS = 60_000;
export const CONCURRENCY = 20;

/** What each group of tests gets from the runner. */
export interface SuiteContext {
  /** Registers a test, or skips it when the adapter opted out of it. */
  test(name: StorageConformanceTestName, fn: () => Promise<void>): void;
  /** The instance for the current test. */
  storage(): BlueClerkStorage;
  /** `count` more independent instances on the same backend (closed after the test). */
  instances(count: number): Promise<BlueClerkStorage[]>;
  /** Raw dump of the backing store, when the adapter provides one. */
  rawSnapshot: (() => Promise<string>) | undefined;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A unique name per test run, so tests stay independent even when the adapter gives no `reset`. */
export function unique(prefix: string): string {
  return `${prefix}-${randomId(6)}`;
}

/** Something shaped like a vault envelope; the store must keep it byte for byte. */
export function fakeEnvelope(field: string): string {
  return `bcv1.conformance-key.${field}.${randomId(12)}`;
}

export function sealedTokens(overrides: Partial<SealedTokens> = {}): SealedTokens {
  const now = Date.now();
  return {
    accessToken: fakeEnvelope('accessToken'),
    refreshToken: fakeEnvelope('refreshToken'),
    accessTokenExpiresAt: now + 3_600_000,
    refreshTokenExpiresAt: now + 100 * 86_400_000,
    refreshTokenIssuedAt: now,
    scope: 'com.intuit.quickbooks.accounting',
    ...overrides,
  };
}

export function newConnection(overrides: Partial<NewConnection> = {}): NewConnection {
  return {
    provider: 'quickbooks',
    ownerId: unique('owner'),
    tenantId: unique('realm'),
    status: 'active',
    tokens: sealedTokens(),
    metadata: { companyName: 'Conformance Plumbing LLC' },
    ...overrides,
  };
}

/** Spreads `count` calls round-robin over the instances and starts them all before awaiting any. */
export function raceAcross<T>(
  instances: readonly BlueClerkStorage[],
  count: number,
  call: (storage: BlueClerkStorage, index: number) => Promise<T>,
): Promise<PromiseSettledResult<T>[]> {
  return Promise.allSettled(
    Array.from({ length: count }, (_, index) => call(instances[index % instances.length]!, index)),
  );
}

/** Asserts a typed SDK error with `code`, recognised by marker so two copies of core still match. */
export async function expectErrorCode(promise: Promise<unknown>, code: string): Promise<BlueClerkError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a BlueClerkError with code ${code}, but nothing was thrown`).toBeDefined();
  expect(BlueClerkError.isInstance(caught), `expected a BlueClerkError, got ${String(caught)}`).toBe(true);
  const error = caught as BlueClerkError;
  expect(error.code).toBe(code);
  return error;
}

/** Asserts a `ValidationError` whose issues name `path` (`provider`, `settings`, `grantId` ...). */
export async function expectValidationIssue(
  promise: Promise<unknown>,
  path: string,
): Promise<BlueClerkError> {
  const error = await expectErrorCode(promise, 'validation_failed');
  const issues = (error.details as { issues?: ReadonlyArray<{ path: string }> } | undefined)?.issues ?? [];
  expect(
    issues.map((issue) => issue.path),
    `expected a validation issue at ${path}`,
  ).toContain(path);
  return error;
}
