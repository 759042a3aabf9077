import { z } from 'zod';
import { ConfigurationError } from '../errors/index';
import type { ClientCredentials } from '../oauth/types';
import { registerSecret } from '../redact/index';
import { describeType } from '../runtime/arguments';
import { settingString } from './setting-rules';

/** Environment variables, e.g. `process.env`. */
export type SettingsEnv = Readonly<Record<string, string | undefined>>;

export interface ClientCredentialsOptions {
  /** Prefix of the setting names used in messages, e.g. `QUICKBOOKS` -> `QUICKBOOKS_CLIENT_ID`. */
  prefix: string;
}

/** The setting names for a provider prefix: `<PREFIX>_CLIENT_ID`, `<PREFIX>_CLIENT_SECRET`, `<PREFIX>_REDIRECT_URI`. */
export function clientCredentialSettingNames(prefix: string): Record<keyof ClientCredentials, string> {
  assertPrefix('clientCredentialSettingNames', prefix);
  return {
    clientId: `${prefix}_CLIENT_ID`,
    clientSecret: `${prefix}_CLIENT_SECRET`,
    redirectUri: `${prefix}_REDIRECT_URI`,
  };
}

// `QUICKBOOKS`, `XERO`, `MY_APP_QUICKBOOKS`: the shape of an environment variable name, so the names it builds are too.
const PREFIX = /^[A-Za-z_][A-Za-z0-9_]*$/;

function assertPrefix(fn: string, prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new ConfigurationError(
      'prefix',
      `${fn}: prefix must be a setting-name prefix such as 'QUICKBOOKS' (letters, digits, _), got ${
        typeof prefix === 'string' ? 'a string of another shape' : describeType(prefix)
      }`,
    );
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
// RFC 2606 reserved documentation domains: a redirect URI there is a copied example.
const EXAMPLE_HOST = /(?:^|\.)example\.(?:com|org|net)$/i;

/** Why a redirect URI is unusable, or null. OAuth providers compare it byte for byte, so it must be exact. */
function redirectUriProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an absolute http(s) URL';
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    return 'must use https (plain http is allowed only for localhost and 127.0.0.1)';
  }
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password';
  // RFC 6749 section 3.1.2: "The endpoint URI MUST NOT include a fragment component."
  if (url.hash !== '' || value.includes('#')) return 'must not contain a #fragment';
  if (EXAMPLE_HOST.test(url.hostname)) return "points at an example domain; set your app's real callback URL";
  return null;
}

function clientCredentialsSchema(prefix: string) {
  const names = clientCredentialSettingNames(prefix);
  return z.object({
    clientId: settingString(names.clientId),
    clientSecret: settingString(names.clientSecret),
    redirectUri: settingString(names.redirectUri).superRefine((value, ctx) => {
      const problem = redirectUriProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: `${names.redirectUri} ${problem}` });
    }),
  });
}

/**
 * Validates an app's OAuth client credentials (at set-up, and again before each use if you keep them around).
 * Throws `ConfigurationError` naming the first bad setting (all problems are listed in the message, none with its
 * value). The client secret is registered with the redaction registry so it can never reach a log.
 *
 * @example
 * const credentials = parseClientCredentials(
 *   { clientId, clientSecret, redirectUri: 'https://app.example.net/oauth/quickbooks/callback' },
 *   { prefix: 'QUICKBOOKS' },
 * );
 */
export function parseClientCredentials(
  input: { clientId?: unknown; clientSecret?: unknown; redirectUri?: unknown } | null | undefined,
  options: ClientCredentialsOptions,
): ClientCredentials {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(
      'prefix',
      `parseClientCredentials: options must be { prefix } (e.g. { prefix: 'QUICKBOOKS' }), got ${describeType(options)}`,
    );
  }
  assertPrefix('parseClientCredentials', options.prefix);
  const names = clientCredentialSettingNames(options.prefix);
  const parsed = clientCredentialsSchema(options.prefix).safeParse(input ?? {});
  if (!parsed.success) {
    const messages = parsed.error.issues.map((issue) => issue.message);
    const firstField = parsed.error.issues[0]?.path[0];
    const setting =
      typeof firstField === 'string' && firstField in names
        ? names[firstField as keyof ClientCredentials]
        : `${options.prefix}_CLIENT_CREDENTIALS`;
    throw new ConfigurationError(setting, `Invalid OAuth client credentials: ${messages.join('; ')}`, {
      action: `Set ${Object.values(names).join(', ')} to the values from the provider's developer portal.`,
    });
  }
  registerSecret(parsed.data.clientSecret);
  return parsed.data;
}

/**
 * Reads and validates `<PREFIX>_CLIENT_ID`, `<PREFIX>_CLIENT_SECRET` and `<PREFIX>_REDIRECT_URI` from `env`.
 *
 * @example
 * const quickbooks = clientCredentialsFromEnv(process.env, 'QUICKBOOKS');
 */
export function clientCredentialsFromEnv(env: SettingsEnv, prefix: string): ClientCredentials {
  assertPrefix('clientCredentialsFromEnv', prefix);
  if (typeof env !== 'object' || env === null) {
    throw new ConfigurationError(
      'env',
      `clientCredentialsFromEnv: env must be an object of environment variables such as process.env, got ${describeType(env)}`,
    );
  }
  const names = clientCredentialSettingNames(prefix);
  return parseClientCredentials(
    {
      clientId: env[names.clientId],
      clientSecret: env[names.clientSecret],
      redirectUri: env[names.redirectUri],
    },
    { prefix },
  );
}
