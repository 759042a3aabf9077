import { isIP } from 'node:net';
import {
  assertSetting,
  assertStateSecret,
  BlueClerkError,
  type ClientCredentials,
  ConfigurationError,
  checkSettingValue,
  clientCredentialSettingNames,
  createKeyRing,
  type KeyRing,
  keyRingFromEnv,
  type LogLevel,
  parseClientCredentials,
  randomId,
  registerSecret,
} from '@blueclerk/core';

/**
 * The app's configuration, read once from environment variables at start-up. Every secret-ish value goes through
 * core's setting rules (unset, blank, padded or placeholder values are refused), and a refusal names the variable,
 * never its value: start-up errors end up in deploy logs and screenshots.
 *
 * Simulator mode (`BLUECLERK_SANDBOX_SIMULATOR=true`) runs offline against an in-process QuickBooks. Settings left
 * unset there get throwaway values made up at start-up (the simulator forgets everything on restart anyway, and so
 * does the embedded store, which then lives in memory); settings you do set are validated exactly as in real mode.
 */
export interface AppConfig {
  /** HTTP port; 0 picks a free one. */
  port: number;
  /** Interface to listen on (`HOST`, default `127.0.0.1`: this machine only; `0.0.0.0` or `::` for every one). */
  host: string;
  /**
   * The app's own origin as browsers see it, e.g. `https://books.example.com`: the origin of
   * `QUICKBOOKS_REDIRECT_URI`, which Intuit already holds byte for byte. Redirects are built on it (never on the
   * request's Host header, which the client chooses), and state-changing requests must come from it.
   */
  publicOrigin: string;
  /** Lowest level the console logger prints. */
  logLevel: LogLevel;
  /** Talk to the in-process QuickBooks simulator instead of Intuit. */
  simulator: boolean;
  quickbooks: {
    environment: 'sandbox' | 'production';
    credentials: ClientCredentials;
    /** The app's webhook verifier token (Intuit developer portal > Webhooks). */
    webhookVerifier: string;
    /** Income account for items the app pushes without one (QuickBooks refuses sales items without it). */
    defaultIncomeAccountId: string | null;
  };
  /** Keys of the token vault (`BLUECLERK_ENCRYPTION_KEYS`). */
  keyRing: KeyRing;
  /** Protects the OAuth `state` (`OAUTH_STATE_SECRET`). */
  stateSecret: string;
  /** Environment handed to `createDefaultStorage`: PostgreSQL when DATABASE_URL is set, else PGlite. */
  storageEnv: {
    DATABASE_URL?: string;
    BLUECLERK_DB_SCHEMA?: string;
    BLUECLERK_PGLITE_DIR: string;
  };
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Every variable the app reads (also the order `.env.example` documents them in). */
export const SETTINGS = {
  simulator: 'BLUECLERK_SANDBOX_SIMULATOR',
  port: 'PORT',
  host: 'HOST',
  logLevel: 'LOG_LEVEL',
  environment: 'QUICKBOOKS_ENVIRONMENT',
  webhookVerifier: 'QUICKBOOKS_WEBHOOK_VERIFIER',
  incomeAccount: 'QUICKBOOKS_INCOME_ACCOUNT_ID',
  encryptionKeys: 'BLUECLERK_ENCRYPTION_KEYS',
  stateSecret: 'OAUTH_STATE_SECRET',
  databaseUrl: 'DATABASE_URL',
  dbSchema: 'BLUECLERK_DB_SCHEMA',
  pgliteDir: 'BLUECLERK_PGLITE_DIR',
} as const;

const CREDENTIAL_NAMES = clientCredentialSettingNames('QUICKBOOKS');
const DEFAULT_PORT = 3000;
// Loopback unless told otherwise: the demo account is unauthenticated, so the network must not reach it by default.
const DEFAULT_HOST = '127.0.0.1';

interface Problem {
  /** The variables the message is about (one, except for the OAuth client credentials). */
  settings: string[];
  message: string;
}

/** Runs one check; a thrown configuration error becomes a problem (its message already names the setting). */
function collect<T>(problems: Problem[], setting: string, read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (!BlueClerkError.isInstance(error)) throw error;
    const named = ConfigurationError.isInstance(error) ? error.setting : setting;
    problems.push({ settings: [named], message: error.message });
    return undefined;
  }
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function parseSimulatorFlag(env: Env, problems: Problem[]): boolean {
  const value = optional(env, SETTINGS.simulator);
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  problems.push({
    settings: [SETTINGS.simulator],
    message: `${SETTINGS.simulator} must be "true" or "false"`,
  });
  return false;
}

function parsePort(env: Env, problems: Problem[]): number {
  const value = optional(env, SETTINGS.port);
  if (value === undefined) return DEFAULT_PORT;
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port > 65_535) {
    problems.push({ settings: [SETTINGS.port], message: `${SETTINGS.port} must be a port number (0-65535)` });
    return DEFAULT_PORT;
  }
  return port;
}

/** An IP address or a host name to bind to; nothing else (no scheme, port or path). */
function parseHost(env: Env, problems: Problem[]): string {
  const value = optional(env, SETTINGS.host);
  if (value === undefined) return DEFAULT_HOST;
  const hostname =
    /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
  if (isIP(value) !== 0 || hostname.test(value)) return value;
  problems.push({
    settings: [SETTINGS.host],
    message: `${SETTINGS.host} must be an IP address or a host name (e.g. 127.0.0.1, ::1, 0.0.0.0)`,
  });
  return DEFAULT_HOST;
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

function parseLogLevel(env: Env, problems: Problem[]): LogLevel {
  const value = optional(env, SETTINGS.logLevel) ?? 'info';
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  problems.push({
    settings: [SETTINGS.logLevel],
    message: `${SETTINGS.logLevel} must be one of ${LOG_LEVELS.join(', ')}`,
  });
  return 'info';
}

function parseEnvironment(env: Env, problems: Problem[]): 'sandbox' | 'production' {
  const value = optional(env, SETTINGS.environment) ?? 'sandbox';
  if (value === 'sandbox' || value === 'production') return value;
  problems.push({
    settings: [SETTINGS.environment],
    message: `${SETTINGS.environment} must be "sandbox" or "production"`,
  });
  return 'sandbox';
}

/** A PostgreSQL URL carries a password, so problems describe the rule only. */
function parseDatabaseUrl(env: Env, problems: Problem[]): string | undefined {
  const value = env[SETTINGS.databaseUrl];
  if (value === undefined || value.trim() === '') return undefined;
  const check = checkSettingValue(value);
  if (check) {
    problems.push({ settings: [SETTINGS.databaseUrl], message: `${SETTINGS.databaseUrl} ${check.rule}` });
    return undefined;
  }
  let protocol = '';
  try {
    protocol = new URL(value).protocol;
  } catch {
    protocol = '';
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    problems.push({
      settings: [SETTINGS.databaseUrl],
      message: `${SETTINGS.databaseUrl} must be a postgres:// or postgresql:// URL`,
    });
    return undefined;
  }
  return value;
}

/** 32 random bytes as base64url: a throwaway vault key for simulator runs. */
function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

/**
 * Reads and validates the configuration. Throws one `ConfigurationError` listing every problem (its `setting` is
 * the first bad variable, `details.settings` all of them); no value ever appears in it.
 */
export function loadConfig(env: Env): AppConfig {
  const problems: Problem[] = [];
  const simulator = parseSimulatorFlag(env, problems);
  const port = parsePort(env, problems);
  const host = parseHost(env, problems);
  const logLevel = parseLogLevel(env, problems);
  const environment = parseEnvironment(env, problems);
  // In simulator mode an unset setting is made up; a set one is checked like any other.
  const orThrowaway = (name: string, make: () => string): string | undefined =>
    env[name] === undefined && simulator ? make() : env[name];

  let credentials: ClientCredentials | undefined;
  try {
    credentials = parseClientCredentials(
      {
        clientId: orThrowaway(CREDENTIAL_NAMES.clientId, () => `sim-app-${randomId(8)}`),
        clientSecret: orThrowaway(CREDENTIAL_NAMES.clientSecret, () => `sim-secret-${randomId(16)}`),
        redirectUri: orThrowaway(
          CREDENTIAL_NAMES.redirectUri,
          () => `http://localhost:${port}/oauth/quickbooks/callback`,
        ),
      },
      { prefix: 'QUICKBOOKS' },
    );
  } catch (error) {
    if (!ConfigurationError.isInstance(error)) throw error;
    // One error covers the three settings; its message names each bad one, so each gets its own problem entry.
    const bad = Object.values(CREDENTIAL_NAMES).filter((name) => error.message.includes(`${name} `));
    const message = error.message.replace(/^Invalid OAuth client credentials: /, '');
    problems.push({ settings: bad.length > 0 ? bad : [error.setting], message });
  }

  const webhookVerifier = collect(problems, SETTINGS.webhookVerifier, () => {
    const value = assertSetting(
      SETTINGS.webhookVerifier,
      orThrowaway(SETTINGS.webhookVerifier, () => `sim-verifier-${randomId(16)}`),
    );
    registerSecret(value);
    return value;
  });

  const incomeAccount = optional(env, SETTINGS.incomeAccount);
  if (incomeAccount !== undefined)
    collect(problems, SETTINGS.incomeAccount, () => assertSetting(SETTINGS.incomeAccount, incomeAccount));

  const keyRing = collect(problems, SETTINGS.encryptionKeys, () =>
    env[SETTINGS.encryptionKeys] === undefined && simulator
      ? createKeyRing(
          { currentKeyId: 'sim', keys: { sim: randomKey() } },
          { setting: SETTINGS.encryptionKeys },
        )
      : keyRingFromEnv(env, SETTINGS.encryptionKeys),
  );

  const stateSecret = collect(problems, SETTINGS.stateSecret, () => {
    const value = orThrowaway(SETTINGS.stateSecret, () => randomId(32));
    assertStateSecret(value, SETTINGS.stateSecret);
    return value;
  });

  const databaseUrl = parseDatabaseUrl(env, problems);
  const dbSchema = optional(env, SETTINGS.dbSchema);
  // The simulator's companies live in memory, so tokens from an earlier run could never be used again.
  const pgliteDir = optional(env, SETTINGS.pgliteDir) ?? (simulator ? 'memory://' : '.blueclerk/pglite');

  if (problems.length > 0 || !credentials || !webhookVerifier || !keyRing || !stateSecret) {
    const settings = problems.flatMap((p) => p.settings);
    const first = settings[0] ?? 'configuration';
    throw new ConfigurationError(
      first,
      `Invalid configuration: ${problems.map((p) => p.message).join('; ')}`,
      {
        details: { settings },
        action: 'Fix the listed environment variables (see examples/express/.env.example) and start again.',
      },
    );
  }

  return {
    port,
    host,
    publicOrigin: new URL(credentials.redirectUri).origin,
    logLevel,
    simulator,
    quickbooks: {
      environment,
      credentials,
      webhookVerifier,
      defaultIncomeAccountId: incomeAccount ?? (simulator ? '79' : null),
    },
    keyRing,
    stateSecret,
    storageEnv: {
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...(dbSchema ? { BLUECLERK_DB_SCHEMA: dbSchema } : {}),
      BLUECLERK_PGLITE_DIR: pgliteDir,
    },
  };
}
