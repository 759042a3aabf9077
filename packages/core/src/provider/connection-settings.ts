import { ValidationError } from '../errors/index';
import type { ProviderId } from '../storage/types';
import type { ConnectionSettingsSpec } from './settings';

/** The part of a provider the settings helpers read. */
export interface SettingsOwner {
  readonly id: ProviderId;
  readonly displayName: string;
  readonly connectionSettings?: ConnectionSettingsSpec<never, unknown>;
}

/**
 * Validates a connection's settings with its provider's schema and returns them with defaults filled in. Throws
 * `ValidationError` whose issues name each field as `settings.<field>`; nothing is written by the caller then.
 * A provider without per-connection settings accepts only `{}`.
 */
export function parseConnectionSettings(
  provider: SettingsOwner,
  raw: unknown,
): Readonly<Record<string, unknown>> {
  const input = raw ?? {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError(`${provider.displayName} connection settings must be an object`, [
      { path: 'settings', message: 'expected an object' },
    ]);
  }
  const spec = provider.connectionSettings;
  if (!spec) {
    const keys = Object.keys(input);
    if (keys.length === 0) return {};
    throw new ValidationError(`${provider.displayName} has no per-connection settings`, [
      { path: `settings.${keys[0]}`, message: 'unknown setting' },
    ]);
  }
  const parsed = spec.schema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      path: ['settings', ...issue.path.map(String)].join('.'),
      message: issue.message,
    }));
    const first = issues[0];
    throw new ValidationError(
      `Invalid ${provider.displayName} connection setting ${first?.path ?? 'settings'}: ${first?.message ?? 'invalid'}`,
      issues,
    );
  }
  return parsed.data as Readonly<Record<string, unknown>>;
}

/**
 * Merges a patch into stored settings (a key set to `undefined` or `null` removes it) and validates the result.
 * Returns the plain object to store.
 */
export function mergeConnectionSettings(
  provider: SettingsOwner,
  stored: Readonly<Record<string, unknown>>,
  patch: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new ValidationError('A settings patch must be an object', [
      { path: 'settings', message: 'expected an object' },
    ]);
  }
  const merged: Record<string, unknown> = { ...stored };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || value === null) delete merged[key];
    else merged[key] = value;
  }
  parseConnectionSettings(provider, merged);
  return merged;
}
