import { expect, it } from 'vitest';
import { ValidationError } from '../../errors/index';
import { parseConnectionSettings } from '../../provider/connection-settings';
import { assertProviderSpec } from '../../provider/spec';
import { type ProviderSuite, required } from './harness';

/** The `ValidationError` `run` throws; anything else (or nothing) fails the clause. */
function refusalOf(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (ValidationError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('parseConnectionSettings accepted settings it should refuse');
}

/** What the provider declares: the v1 spec and, when it has them, per-connection settings. */
export function defineContractClauses<THttp>(suite: ProviderSuite<THttp>): void {
  const { probe } = suite;

  it('declares a consistent v1 spec', () => {
    expect(probe.specVersion).toBe('v1');
    expect(() => assertProviderSpec(probe)).not.toThrow();
    expect(probe.oauth.endpoints.authorizeUrl).toMatch(/^https:\/\//);
    expect(probe.oauth.endpoints.tokenUrl).toMatch(/^https:\/\//);
    expect(probe.tokenPolicy.accessTokenTtlSec).toBeGreaterThan(0);
  });

  if (!probe.connectionSettings) return;

  suite.test(
    'connection settings: {} and valid settings parse; invalid ones are refused naming the field',
    async (p, s) => {
      const fixture = required(s.connectionSettings, 'connectionSettings fixtures (valid, invalid, strict)');
      // A fresh connection has no settings yet.
      expect(() => parseConnectionSettings(p, {})).not.toThrow();
      expect(parseConnectionSettings(p, fixture.valid)).toMatchObject(fixture.valid);
      expect(fixture.invalid.length, 'invalid samples').toBeGreaterThan(0);
      for (const sample of fixture.invalid) {
        const refusal = refusalOf(() => parseConnectionSettings(p, sample.settings));
        expect(refusal.code).toBe('validation_failed');
        expect(refusal.issues.map((i) => i.path)).toContain(`settings.${sample.field}`);
      }
      if (fixture.strict) {
        const unknownKey = 'conformanceUnknownSetting';
        const refusal = refusalOf(() => parseConnectionSettings(p, { ...fixture.valid, [unknownKey]: 'x' }));
        expect(JSON.stringify(refusal.issues), 'the refusal names the unknown key').toContain(unknownKey);
      }
    },
  );
}
