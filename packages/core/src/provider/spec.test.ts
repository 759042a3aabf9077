import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors/index';
import { createFakeProvider } from '../testing/fake-provider';
import { assertProviderSpec, defineProvider } from './index';

describe('provider spec', () => {
  const base = createFakeProvider().provider;

  it('accepts a consistent provider', () => {
    expect(defineProvider(base)).toBe(base);
  });

  it('refuses capability/member mismatches with a ConfigurationError naming the setting', () => {
    const cases = [
      { ...base, specVersion: 'v0' as 'v1' },
      { ...base, payments: null },
      { ...base, capabilities: { ...base.capabilities, payments: 'manual' as const } },
      { ...base, webhooks: null },
      {
        ...base,
        capabilities: { ...base.capabilities, batch: { maxOperations: 30, requestsPerMinute: 40 } },
      },
      { ...base, invoices: { ...base.invoices, void: undefined } },
      { ...base, capabilities: { ...base.capabilities, paymentReference: { field: 'Ref', maxLength: 10 } } },
    ];
    const settings = cases.map((provider) => {
      try {
        assertProviderSpec(provider);
        return 'accepted';
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigurationError);
        return (error as ConfigurationError).setting;
      }
    });
    expect(settings).toEqual([
      'provider.specVersion',
      'provider.payments',
      'provider.payments',
      'provider.webhooks',
      'provider.batch',
      'provider.invoices.void',
      'provider.paymentReference',
    ]);
  });
});
