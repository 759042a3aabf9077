import {
  type Clock,
  createLimiterRegistry,
  type ProviderCallContext,
  type ProviderHttp,
} from '@blueclerk/core';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createQuickBooksProvider } from './provider';
import type { QuickBooksSettings } from './settings';
import { createQuickBooksSimulator, type QuickBooksSimulatorOptions } from './testing/index';

/**
 * Test-only: the provider wired the way an app wires it (core's createProviderHttp with the QuickBooks profile and
 * classifier) against a fresh simulator. Backoff sleeps are skipped so retries run instantly.
 */
export function useProviderHarness() {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  return function start(
    options: { sim?: QuickBooksSimulatorOptions; settings?: QuickBooksSettings; clock?: Clock } = {},
  ) {
    const sim = createQuickBooksSimulator({
      ...options.sim,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    server.use(...sim.handlers);
    const tokens = sim.oauth.issueTokens();
    const provider = createQuickBooksProvider({
      environment: 'sandbox',
      defaultIncomeAccountId: '79',
      ...options.settings,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    const http = provider.createHttp({
      connectionId: 'conn-1',
      getAccessToken: async () => tokens.access_token,
      limiter: createLimiterRegistry(),
      sleep: async () => {},
      random: () => 0,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    const ctx: ProviderCallContext<ProviderHttp> = {
      connectionId: 'conn-1',
      tenantId: sim.defaultRealmId,
      http,
      settings: {},
    };
    return { sim, provider, ctx, tokens, server };
  };
}
