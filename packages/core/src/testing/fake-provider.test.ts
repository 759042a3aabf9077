import { ProviderError } from '../errors/index';
import { createFakeProvider, type FakeProviderOptions, FakeWireError } from './fake-provider';
import { runProviderConformance } from './provider-conformance';

const quickBooksLike: FakeProviderOptions = { requireIncomeAccount: true };

runProviderConformance({
  name: 'fake provider',
  createProvider: () => createFakeProvider(quickBooksLike).provider,
  setup: async () => {
    const fake = createFakeProvider(quickBooksLike);
    return {
      provider: fake.provider,
      context: fake.context(),
      incomeAccount: { id: 'acc-1', code: null, name: null },
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
      wireErrors: [
        { error: new FakeWireError(401, 'AuthenticationFailed', 'token expired'), code: 'unauthorized' },
        { error: new FakeWireError(429, 'throttled', 'too many'), code: 'rate_limited' },
        { error: new FakeWireError(400, '6240', 'Duplicate Name Exists Error'), code: 'duplicate' },
        { error: new FakeWireError(400, '5010', 'Stale Object Error'), code: 'conflict' },
        { error: new FakeWireError(503, 'unavailable', 'down'), code: 'provider_error' },
        { error: new TypeError('fetch failed'), code: 'network' },
        { error: new ProviderError('not_found', 'gone'), code: 'not_found' },
      ],
    };
  },
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
  name: 'fake provider posing as Wave (manual payments, no versions, no webhooks)',
  createProvider: () => createFakeProvider(waveLike).provider,
  setup: async () => {
    const fake = createFakeProvider(waveLike);
    return { provider: fake.provider, context: fake.context() };
  },
});
