import { createFakeProvider, type FakeProviderOptions, fakeWireResponse } from './fake-provider';
import { runProviderConformance, type WireResponseSample } from './provider-conformance';

/** Raw fake responses; `versioned` adds the stale-version one. */
function fakeWireSamples(versioned: boolean): WireResponseSample[] {
  return [
    { name: 'a customer read', status: 200, body: { data: { id: 'cus-1' } }, code: null },
    {
      name: 'duplicate name',
      ...fakeWireResponse(400, '6240', 'Duplicate Name Exists Error'),
      code: 'duplicate',
    },
    {
      name: 'duplicate number',
      ...fakeWireResponse(400, '6140', 'Duplicate Document Number'),
      code: 'duplicate',
    },
    { name: 'refused field', ...fakeWireResponse(400, '2050', 'String too long'), code: 'validation_failed' },
    {
      name: 'a 200 reporting a refused mutation',
      ...fakeWireResponse(200, 'INPUT_INVALID', 'didSucceed: false'),
      code: 'validation_failed',
    },
    {
      name: 'access revoked',
      ...fakeWireResponse(403, 'AuthorizationFailed', 'no access'),
      code: 'needs_reconnect',
    },
    { name: 'missing record', status: 404, body: '', code: 'not_found' },
    {
      name: 'outage with an error body',
      ...fakeWireResponse(503, 'unavailable', 'down'),
      code: 'provider_error',
    },
    { name: 'gateway page', status: 502, body: '<html>Bad gateway</html>', code: 'provider_error' },
    ...(versioned
      ? [
          {
            name: 'stale version',
            ...fakeWireResponse(400, '5010', 'Stale Object Error'),
            code: 'conflict' as const,
          },
        ]
      : []),
  ];
}

/** A conformance setup over one fresh fake. */
function fakeSetup(options: FakeProviderOptions) {
  return async () => {
    const fake = createFakeProvider(options);
    return {
      provider: fake.provider,
      context: fake.context(),
      incomeAccount: options.requireIncomeAccount ? { id: 'acc-1', code: null, name: null } : undefined,
      webhook: {
        secret: 'conformance-secret',
        sampleDelivery: () =>
          fake.webhook(
            [
              {
                id: 'evt-1',
                entity: 'invoice',
                entityId: 'inv-1',
                operation: 'update',
                tenant: 'tenant-1',
                at: 1_700_000_000_000,
              },
            ],
            'conformance-secret',
          ),
      },
      wireResponses: fakeWireSamples(options.versionedUpdates ?? true),
      faults: { loseNextResponse: fake.loseNextResponse },
      pulls: { pageSize: options.pageSize ?? 2 },
      connectionSettings: {
        valid: { incomeAccountId: 'acc-1', homeCurrency: 'CAD' },
        invalid: [
          { settings: { homeCurrency: 'dollars' }, field: 'homeCurrency' },
          { settings: { incomeAccountId: '' }, field: 'incomeAccountId' },
        ],
        strict: true,
      },
    };
  };
}

const quickBooksLike: FakeProviderOptions = { requireIncomeAccount: true, batchSize: 30 };

runProviderConformance({
  name: 'fake provider',
  createProvider: () => createFakeProvider(quickBooksLike).provider,
  setup: fakeSetup(quickBooksLike),
});

/** FreshBooks-like: payments through the API but no idempotency key, so only the reference recovers a lost post. */
const freshBooksLike: FakeProviderOptions = {
  id: 'freshbooks',
  versionedUpdates: false,
  idempotencyKey: null,
  voidInvoices: false,
};

runProviderConformance({
  name: 'fake provider posing as FreshBooks (api payments, no idempotency key, no versions, no batch)',
  createProvider: () => createFakeProvider(freshBooksLike).provider,
  setup: fakeSetup(freshBooksLike),
});

const waveLike: FakeProviderOptions = {
  id: 'wave',
  payments: 'manual',
  versionedUpdates: false,
  webhooks: false,
  idempotencyKey: null,
  voidInvoices: false,
};

runProviderConformance({
  name: 'fake provider posing as Wave (manual payments, no key, no versions, no webhooks, no batch)',
  createProvider: () => createFakeProvider(waveLike).provider,
  setup: fakeSetup(waveLike),
});
