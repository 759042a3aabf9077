import { describe, expect, it } from 'vitest';
import { SYNC_FAILURE_CATEGORIES } from '../errors/index';
import {
  missingFieldLabel,
  providerDisplayName,
  syncFailureAction,
  syncFailureSeverity,
  syncFailureTitle,
} from './messages';

describe('failure messages', () => {
  it('uses the display names the provider packages give, and capitalises an unknown id', () => {
    const names = { quickbooks: 'QuickBooks', freshbooks: 'FreshBooks' };
    expect(providerDisplayName('quickbooks', names)).toBe('QuickBooks');
    expect(providerDisplayName('freshbooks', names)).toBe('FreshBooks');
    expect(providerDisplayName('xero', names)).toBe('Xero');
    expect(providerDisplayName('sage')).toBe('Sage');
  });

  it('tells the user to reconnect for token failures', () => {
    expect(syncFailureAction('token_expired', { provider: 'quickbooks', providerName: 'QuickBooks' })).toBe(
      'Reconnect QuickBooks in Settings > Integrations.',
    );
    expect(syncFailureAction('needs_reconnect', { provider: 'freshbooks', providerName: 'FreshBooks' })).toBe(
      'Reconnect FreshBooks in Settings > Integrations.',
    );
    expect(syncFailureTitle('needs_reconnect', { provider: 'xero' })).toBe('Xero needs to be reconnected');
  });

  it('names the missing field, and sends mapping fields to the integration settings', () => {
    expect(
      syncFailureAction('missing_field', {
        provider: 'quickbooks',
        providerName: 'QuickBooks',
        field: 'customer.email',
      }),
    ).toBe('Add the customer email and sync again.');
    expect(
      syncFailureAction('missing_field', {
        provider: 'quickbooks',
        providerName: 'QuickBooks',
        field: 'item.incomeAccount',
      }),
    ).toBe('Set the item income account mapping for QuickBooks in Settings > Integrations, then sync again.');
    expect(syncFailureTitle('missing_field', { provider: 'xero', field: 'customer.email' })).toBe(
      'Missing customer email',
    );
    expect(missingFieldLabel('invoice.billingAddress')).toBe('invoice billing address');
    expect(syncFailureAction('missing_field', { provider: 'wave', entityType: 'invoice' })).toBe(
      'Fill in the missing required fields on this invoice and sync again.',
    );
  });

  it('tells the user to sync again after rate limits and network failures', () => {
    expect(syncFailureAction('rate_limited', { provider: 'xero' })).toMatch(/Xero .*Sync again in a minute/);
    expect(syncFailureAction('network', { provider: 'wave' })).toMatch(
      /Wave could not be reached\. Sync again/,
    );
    expect(syncFailureAction('timeout', { provider: 'quickbooks', providerName: 'QuickBooks' })).toMatch(
      /nothing is duplicated/,
    );
    expect(syncFailureAction('rate_limited', { provider: 'xero', retryAfterMs: 2500 })).toMatch(
      /in about 3 s/,
    );
    expect(
      syncFailureAction('duplicate', {
        provider: 'quickbooks',
        providerName: 'QuickBooks',
        entityType: 'customer',
      }),
    ).toBe(
      'A matching customer already exists in QuickBooks. Link to it or rename this customer, then sync again.',
    );
    expect(syncFailureAction('provider_error', { provider: 'xero' })).toMatch(/^Xero returned an error/);
  });

  it('has an action and a title for every category, none of them mentioning a raw provider id', () => {
    for (const category of SYNC_FAILURE_CATEGORIES) {
      const action = syncFailureAction(category, {
        provider: 'quickbooks',
        providerName: 'QuickBooks',
        entityType: 'invoice',
      });
      const title = syncFailureTitle(category, {
        provider: 'quickbooks',
        providerName: 'QuickBooks',
        entityType: 'invoice',
      });
      expect(action.length).toBeGreaterThan(20);
      expect(action).not.toMatch(/\bquickbooks\b/);
      expect(title).not.toMatch(/\bquickbooks\b/);
    }
    expect(syncFailureSeverity('rate_limited')).toBe('warning');
    expect(syncFailureSeverity('missing_field')).toBe('error');
  });
});
