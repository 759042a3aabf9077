import { createLimiterRegistry, createManualClock, type ProviderHttp } from '@blueclerk/core';
import {
  type ConformanceFaultOperation,
  runProviderConformance,
  type WireResponseSample,
} from '@blueclerk/core/testing';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll } from 'vitest';
import { createQuickBooksProvider } from './provider';
import { faults, type SimFault } from './testing/faults';
import {
  buildQuickBooksWebhookBody,
  createQuickBooksSimulator,
  type FaultMatch,
  signQuickBooksWebhook,
} from './testing/index';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

const settings = { environment: 'sandbox' as const };

/** The request each conformance fault hits in the simulator. */
const FAULT_MATCH: Record<ConformanceFaultOperation, FaultMatch> = {
  'payments.create': { method: 'POST', path: /\/payment(\?|$)/ },
};

/** A simulator Fault as QuickBooks sends it: `{ Fault, time }` with the status it comes with. */
function wire(name: string, sim: SimFault, code: WireResponseSample['code']): WireResponseSample {
  return { name, status: sim.status, body: { Fault: sim.fault, time: new Date().toISOString() }, code };
}

runProviderConformance<ProviderHttp>({
  name: 'quickbooks (simulator)',
  createProvider: () => createQuickBooksProvider(settings),
  setup: async () => {
    // A manual clock, so records made "in QuickBooks" for the pull clause land one second apart like real edits.
    const clock = createManualClock(Date.UTC(2026, 2, 1, 12));
    const sim = createQuickBooksSimulator({ clock });
    server.use(...sim.handlers);
    const tokens = sim.oauth.issueTokens();
    const provider = createQuickBooksProvider({ ...settings, clock });
    const http = provider.createHttp({
      connectionId: 'conformance',
      getAccessToken: async () => tokens.access_token,
      limiter: createLimiterRegistry(),
      sleep: async () => {},
    });
    const realm = sim.realm();
    const verifier = 'conformance-verifier-token';
    const customer = realm.create('Customer', { DisplayName: 'Wire Sample Co' });
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
      wireResponses: [
        {
          name: 'customer read',
          status: 200,
          method: 'GET',
          path: `/v3/company/${sim.defaultRealmId}/customer/${customer.Id}`,
          body: { Customer: customer, time: new Date().toISOString() },
          code: null,
        },
        wire(
          'duplicate customer name (6240)',
          faults.duplicateName('Wire Sample Co', 'Customer'),
          'duplicate',
        ),
        wire('duplicate invoice number (6140)', faults.duplicateDocNumber('1001', '130'), 'duplicate'),
        wire('stale SyncToken (5010)', faults.stale(), 'conflict'),
        wire('object not found (610)', faults.notFound('Customer', '999'), 'not_found'),
        wire('required parameter (2020)', faults.requiredParam('IncomeAccountRef'), 'missing_field'),
        wire(
          'business validation (6000)',
          faults.business('Transaction date is invalid'),
          'validation_failed',
        ),
        wire('string too long (2050)', faults.stringLength('PaymentRefNum', 21), 'validation_failed'),
        wire('authorization failed (403 / 3100)', faults.authorization(), 'needs_reconnect'),
        {
          ...wire('system failure (500 / 10000)', faults.serverError(500), 'provider_error'),
          retryable: true,
        },
        wire('service unavailable (503 / 10000)', faults.serverError(503), 'provider_error'),
        {
          name: 'gateway page (502, HTML)',
          status: 502,
          body: '<html><body>Bad Gateway</body></html>',
          code: 'provider_error',
        },
      ],
      faults: {
        loseNextResponse: (operation) =>
          sim.faults.inject({ kind: 'lose_response', match: FAULT_MATCH[operation] }),
      },
      pulls: {
        // CDC answers at most 1,000 objects per call; the suite makes 1,001 changes before its first pull.
        pageSize: 1000,
        createExternally: async (entityType, count) => {
          if (entityType !== 'customer') throw new Error(`no external ${entityType} creation in this setup`);
          const ids: string[] = [];
          for (let i = 0; i < count; i++) {
            clock.advance(1000);
            ids.push(String(realm.create('Customer', { DisplayName: `Pulled Customer ${i}` }).Id));
          }
          return ids;
        },
      },
      connectionSettings: {
        valid: {
          incomeAccountId: '79',
          depositAccountId: '4',
          homeCurrency: 'CAD',
          paymentMethodIds: { check: '2' },
        },
        invalid: [
          { settings: { homeCurrency: 'dollars' }, field: 'homeCurrency' },
          { settings: { incomeAccountId: '' }, field: 'incomeAccountId' },
          { settings: { depositAccountId: 4 }, field: 'depositAccountId' },
        ],
        strict: true,
      },
      teardown: async () => server.resetHandlers(),
    };
  },
});
