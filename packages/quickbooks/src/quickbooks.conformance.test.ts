import { createLimiterRegistry, type ProviderHttp } from '@blueclerk/core';
import { runProviderConformance } from '@blueclerk/core/testing';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll } from 'vitest';
import { classifyQuickBooksFault } from './errors';
import { createQuickBooksProvider } from './provider';
import {
  buildQuickBooksWebhookBody,
  createQuickBooksSimulator,
  signQuickBooksWebhook,
} from './testing/index';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

const settings = { environment: 'sandbox' as const };
const fault = (code: string) => ({
  type: 'ValidationFault',
  errors: [{ code, message: code, detail: null, element: null }],
});

runProviderConformance<ProviderHttp>({
  name: 'quickbooks (simulator)',
  createProvider: () => createQuickBooksProvider(settings),
  setup: async () => {
    const sim = createQuickBooksSimulator();
    server.use(...sim.handlers);
    const tokens = sim.oauth.issueTokens();
    const provider = createQuickBooksProvider(settings);
    const http = provider.createHttp({
      connectionId: 'conformance',
      getAccessToken: async () => tokens.access_token,
      limiter: createLimiterRegistry(),
      sleep: async () => {},
    });
    const verifier = 'conformance-verifier-token';
    return {
      provider,
      context: { connectionId: 'conformance', tenantId: sim.defaultRealmId, http, settings: {} },
      currency: 'USD',
      incomeAccount: { id: '79', code: null, name: 'Sales of Product Income' },
      webhook: {
        secret: verifier,
        sampleDelivery: async () => {
          const rawBody = buildQuickBooksWebhookBody({
            format: 'legacy',
            notifications: [
              { realmId: sim.defaultRealmId, changes: [{ name: 'Payment', id: '142', operation: 'Create' }] },
            ],
          });
          return { rawBody, headers: { 'intuit-signature': await signQuickBooksWebhook(rawBody, verifier) } };
        },
      },
      wireErrors: [
        { error: new TypeError('fetch failed'), code: 'network' },
        {
          error: classifyQuickBooksFault(fault('6240'), { status: 400, where: 'POST customer' }),
          code: 'duplicate',
        },
        {
          error: classifyQuickBooksFault(fault('5010'), { status: 400, where: 'POST customer' }),
          code: 'conflict',
        },
        {
          error: classifyQuickBooksFault(fault('3001'), { status: 429, where: 'GET query' }),
          code: 'rate_limited',
        },
      ],
      teardown: async () => server.resetHandlers(),
    };
  },
});
