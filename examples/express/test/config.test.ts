import { readFileSync } from 'node:fs';
import { ConfigurationError } from '@blueclerk/core';
import { describe, expect, it } from 'vitest';
import { type Env, loadConfig } from '../src/config';

const KEY = 'Vt0bq9Xx3LmN7pR2sW8yZa4cD6eF1gH5jK0lM9nP2qA=';
const GOOD: Env = {
  QUICKBOOKS_CLIENT_ID: 'ABntYqjGx7a9Wm4dFzL1oQ8cR3vK5sT2bH6n',
  QUICKBOOKS_CLIENT_SECRET: 'Zq8vT1kLmN3pR7sW9xYb2cD4eF6gH0jA',
  QUICKBOOKS_REDIRECT_URI: 'https://books.blueclerk.dev/oauth/quickbooks/callback',
  QUICKBOOKS_WEBHOOK_VERIFIER: 'f3b9c1d7-verifier-8a2e4c6b0d9f',
  BLUECLERK_ENCRYPTION_KEYS: `k1:${KEY}`,
  OAUTH_STATE_SECRET: 'q7Lm2Xv9Rt4Np8Kc3Wz6Hs1Fd5Gb0Jy7Ue2Ao',
};

function configError(env: Env): ConfigurationError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to refuse the configuration');
}

/** Reads `.env.example` the way `process.loadEnvFile` would (KEY=value lines, comments skipped). */
function readEnvExample(): Record<string, string> {
  const text = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) env[match[1] as string] = match[2] as string;
  }
  return env;
}

describe('loadConfig', () => {
  it('accepts a complete real-mode configuration', () => {
    const config = loadConfig({ ...GOOD, PORT: '8080', QUICKBOOKS_ENVIRONMENT: 'production' });
    expect(config.simulator).toBe(false);
    expect(config.port).toBe(8080);
    expect(config.quickbooks.environment).toBe('production');
    expect(config.quickbooks.credentials.redirectUri).toBe(GOOD.QUICKBOOKS_REDIRECT_URI);
    expect(config.keyRing.currentKeyId).toBe('k1');
    expect(config.storageEnv).toEqual({ BLUECLERK_PGLITE_DIR: '.blueclerk/pglite' });
  });

  it('refuses the placeholders of .env.example, naming each variable and never its value', () => {
    const example = readEnvExample();
    const error = configError(example);
    for (const name of [
      'QUICKBOOKS_CLIENT_ID',
      'QUICKBOOKS_CLIENT_SECRET',
      'QUICKBOOKS_REDIRECT_URI',
      'QUICKBOOKS_WEBHOOK_VERIFIER',
      'BLUECLERK_ENCRYPTION_KEYS',
      'OAUTH_STATE_SECRET',
    ]) {
      expect(error.message).toContain(name);
      expect(error.details.settings).toContain(name);
      const value = example[name] as string;
      expect(error.message).not.toContain(value);
      expect(JSON.stringify(error)).not.toContain(value);
    }
    expect(error.setting).toBe('QUICKBOOKS_CLIENT_ID');
  });

  it('still refuses a placeholder that is set in simulator mode', () => {
    const error = configError({ BLUECLERK_SANDBOX_SIMULATOR: 'true', OAUTH_STATE_SECRET: 'changeme' });
    expect(error.setting).toBe('OAUTH_STATE_SECRET');
    expect(error.message).toMatch(/OAUTH_STATE_SECRET is a placeholder/);
    expect(error.message).not.toContain('changeme');
  });

  it('makes up unset settings in simulator mode and keeps the store in memory', () => {
    const a = loadConfig({ BLUECLERK_SANDBOX_SIMULATOR: 'true' });
    const b = loadConfig({ BLUECLERK_SANDBOX_SIMULATOR: 'true', PORT: '4100' });
    expect(a.simulator).toBe(true);
    expect(a.quickbooks.environment).toBe('sandbox');
    expect(a.quickbooks.defaultIncomeAccountId).toBe('79');
    expect(a.storageEnv.BLUECLERK_PGLITE_DIR).toBe('memory://');
    expect(b.quickbooks.credentials.redirectUri).toBe('http://localhost:4100/oauth/quickbooks/callback');
    // Throwaway values differ per start: nothing predictable is baked into the code.
    expect(a.quickbooks.credentials.clientSecret).not.toBe(b.quickbooks.credentials.clientSecret);
    expect(a.stateSecret).not.toBe(b.stateSecret);
    expect(a.quickbooks.webhookVerifier).not.toBe(b.quickbooks.webhookVerifier);
  });

  it('requires every secret in real mode, listing all that are missing', () => {
    const error = configError({});
    expect(error.details.settings).toEqual([
      'QUICKBOOKS_CLIENT_ID',
      'QUICKBOOKS_CLIENT_SECRET',
      'QUICKBOOKS_REDIRECT_URI',
      'QUICKBOOKS_WEBHOOK_VERIFIER',
      'BLUECLERK_ENCRYPTION_KEYS',
      'OAUTH_STATE_SECRET',
    ]);
    expect(error.message).toContain('QUICKBOOKS_CLIENT_ID is not set');
    expect(error.message).toContain('QUICKBOOKS_REDIRECT_URI is not set');
  });

  it.each([
    ['BLUECLERK_SANDBOX_SIMULATOR', 'yes', 'must be "true" or "false"'],
    ['PORT', '80a', 'must be a port number'],
    ['PORT', '70000', 'must be a port number'],
    ['HOST', 'http://0.0.0.0', 'must be an IP address or a host name'],
    ['HOST', '127.0.0.1:3000', 'must be an IP address or a host name'],
    ['QUICKBOOKS_ENVIRONMENT', 'staging', 'must be "sandbox" or "production"'],
    ['LOG_LEVEL', 'verbose', 'must be one of debug, info, warn, error'],
    ['QUICKBOOKS_INCOME_ACCOUNT_ID', 'TODO', 'is a placeholder'],
  ])('refuses %s=%s', (name, value, rule) => {
    const error = configError({ ...GOOD, [name]: value });
    expect(error.setting).toBe(name);
    expect(error.message).toContain(`${name} ${rule}`);
  });

  it('listens on 127.0.0.1 unless HOST says otherwise', () => {
    expect(loadConfig(GOOD).host).toBe('127.0.0.1');
    expect(loadConfig({ BLUECLERK_SANDBOX_SIMULATOR: 'true' }).host).toBe('127.0.0.1');
    expect(loadConfig({ ...GOOD, HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ ...GOOD, HOST: '::1' }).host).toBe('::1');
    expect(loadConfig({ ...GOOD, HOST: 'app.internal' }).host).toBe('app.internal');
  });

  it('takes the public origin from QUICKBOOKS_REDIRECT_URI, the one URL Intuit also holds', () => {
    expect(loadConfig(GOOD).publicOrigin).toBe('https://books.blueclerk.dev');
    const local = loadConfig({
      ...GOOD,
      QUICKBOOKS_REDIRECT_URI: 'http://localhost:3000/oauth/quickbooks/callback',
    });
    expect(local.publicOrigin).toBe('http://localhost:3000');
    expect(loadConfig({ BLUECLERK_SANDBOX_SIMULATOR: 'true', PORT: '4100' }).publicOrigin).toBe(
      'http://localhost:4100',
    );
  });

  it('refuses a weak state secret and a bad key without echoing them', () => {
    const weak = configError({ ...GOOD, OAUTH_STATE_SECRET: 'short-but-not-a-placeholder' });
    expect(weak.message).toContain('OAUTH_STATE_SECRET must be a random string of at least 32 characters');
    expect(weak.message).not.toContain('short-but-not-a-placeholder');
    const badKey = configError({ ...GOOD, BLUECLERK_ENCRYPTION_KEYS: 'k1:dG9vLXNob3J0' });
    expect(badKey.setting).toBe('BLUECLERK_ENCRYPTION_KEYS');
    expect(badKey.message).not.toContain('dG9vLXNob3J0');
  });

  it('takes DATABASE_URL for PostgreSQL and never echoes it', () => {
    const url = 'postgresql://app:s3cr3t-pw@db.internal:5432/books';
    expect(loadConfig({ ...GOOD, DATABASE_URL: url, BLUECLERK_DB_SCHEMA: 'billing' }).storageEnv).toEqual({
      DATABASE_URL: url,
      BLUECLERK_DB_SCHEMA: 'billing',
      BLUECLERK_PGLITE_DIR: '.blueclerk/pglite',
    });
    const wrong = configError({ ...GOOD, DATABASE_URL: 'mysql://app:s3cr3t-pw@db.internal/books' });
    expect(wrong.setting).toBe('DATABASE_URL');
    expect(wrong.message).toContain('must be a postgres:// or postgresql:// URL');
    expect(wrong.message).not.toContain('s3cr3t-pw');
  });
});
