import { describe, expect, it } from 'vitest';
import { ConfigurationError, ValidationError } from '../errors/index';
import { createFakeProvider } from '../testing/fake-provider';
import { mergeConnectionSettings, parseConnectionSettings } from './connection-settings';
import { createAccountingProviderRegistry } from './registry';
import { assertProviderSpec } from './spec';

const quickbooksLike = () => createFakeProvider({ id: 'quickbooks' }).provider;
const waveLike = () => createFakeProvider({ id: 'wave', payments: 'manual', webhooks: false }).provider;

describe('provider registry', () => {
  it('finds providers by their own id and names the configured ones for an unknown id', () => {
    const registry = createAccountingProviderRegistry({ quickbooks: quickbooksLike(), wave: waveLike() });
    expect(registry.ids).toEqual(['quickbooks', 'wave']);
    expect(registry.get('wave').capabilities.payments).toBe('manual');
    let error: unknown;
    try {
      registry.get('xero');
    } catch (caught) {
      error = caught;
    }
    expect(ConfigurationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      'Unknown provider "xero"; this app is configured with: quickbooks, wave',
    );
  });

  it('refuses a provider registered under another id, and an empty map', () => {
    expect(() => createAccountingProviderRegistry({ xero: quickbooksLike() })).toThrow(
      /holds the "quickbooks" provider/,
    );
    expect(() => createAccountingProviderRegistry({})).toThrow(/at least one provider/);
  });

  it('checks every provider against the contract at set-up', () => {
    const broken = { ...quickbooksLike(), id: 'Quick Books' };
    expect(() => assertProviderSpec(broken)).toThrow(/provider id/);
    const badPolicy = {
      ...quickbooksLike(),
      tokenPolicy: { ...quickbooksLike().tokenPolicy, rotateRefreshTokenAfterDays: 200 },
    };
    expect(() => assertProviderSpec(badPolicy)).toThrow(/rotateRefreshTokenAfterDays/);
    const badLimit = {
      ...quickbooksLike(),
      capabilities: {
        ...quickbooksLike().capabilities,
        limits: { requestsPerMinute: 0, concurrency: 1, requestsPerDay: null },
      },
    };
    expect(() => assertProviderSpec(badLimit)).toThrow(/limits.requestsPerMinute/);
  });
});

describe('per-connection settings', () => {
  const provider = quickbooksLike();

  it('fills defaults, and names the bad field as settings.<field>', () => {
    expect(parseConnectionSettings(provider, {})).toEqual({ homeCurrency: 'USD' });
    expect(parseConnectionSettings(provider, { incomeAccountId: '79' })).toEqual({
      incomeAccountId: '79',
      homeCurrency: 'USD',
    });
    let error: unknown;
    try {
      parseConnectionSettings(provider, { homeCurrency: 'usd$' });
    } catch (caught) {
      error = caught;
    }
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).issues).toEqual([
      { path: 'settings.homeCurrency', message: 'a three-letter ISO currency code' },
    ]);
    expect(() => parseConnectionSettings(provider, ['not', 'an', 'object'])).toThrow(ValidationError);
  });

  it('merges a patch (null removes a key) and validates the result before anything is stored', () => {
    const stored = { incomeAccountId: '79', homeCurrency: 'EUR' };
    expect(mergeConnectionSettings(provider, stored, { incomeAccountId: null })).toEqual({
      homeCurrency: 'EUR',
    });
    expect(() => mergeConnectionSettings(provider, stored, { unknownSetting: 1 })).toThrow(ValidationError);
    expect(stored).toEqual({ incomeAccountId: '79', homeCurrency: 'EUR' });
  });

  it('gives a provider without per-connection settings only the empty object', () => {
    const bare = { ...quickbooksLike(), connectionSettings: undefined };
    expect(parseConnectionSettings(bare, {})).toEqual({});
    expect(() => parseConnectionSettings(bare, { anything: 1 })).toThrow(
      /settings.anything|no per-connection settings/,
    );
  });
});
