import { describe, expect, it } from 'vitest';
import { AuthError, ConfigurationError } from '../errors/index';
import { redactText } from '../redact/index';
import {
  clientCredentialSettingNames,
  clientCredentialsFromEnv,
  parseClientCredentials,
} from './client-credentials';
import { assertSetting, checkSettingValue, settingString } from './setting-rules';
import { assertUsableTokenSet } from './token-set';

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

function expectNoValue(error: Error, value: string): void {
  for (const text of [error.message, error.stack ?? '', JSON.stringify(error)])
    expect(text).not.toContain(value);
}

const REAL_SECRET = 'Zq8vT1kLmN3pR7sW9xYb2cD4eF6gH0jA';

describe('assertSetting', () => {
  it('returns usable values unchanged', () => {
    expect(assertSetting('QUICKBOOKS_CLIENT_SECRET', REAL_SECRET)).toBe(REAL_SECRET);
    expect(assertSetting('X', 'ABntYqjGx7a9Wm4dFzL1oQ8cR3vK5sT2')).toBe('ABntYqjGx7a9Wm4dFzL1oQ8cR3vK5sT2');
    // Words that merely contain a placeholder word are fine.
    expect(assertSetting('X', 'testing-app-secret-9f8e7d')).toBe('testing-app-secret-9f8e7d');
  });

  it('says an unset variable is not set', () => {
    const error = thrown(() => assertSetting('QUICKBOOKS_CLIENT_ID', undefined)) as ConfigurationError;
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.code).toBe('config_invalid');
    expect(error.setting).toBe('QUICKBOOKS_CLIENT_ID');
    expect(error.message).toBe('QUICKBOOKS_CLIENT_ID is not set');
  });

  it.each([
    ['', 'is empty'],
    ['   ', 'contains only whitespace'],
    ['\n\t', 'contains only whitespace'],
    [` ${REAL_SECRET}`, 'leading or trailing whitespace'],
    [`${REAL_SECRET}\n`, 'leading or trailing whitespace'],
  ])('refuses %j (%s) without echoing it', (value, rule) => {
    const error = thrown(() => assertSetting('XERO_CLIENT_SECRET', value)) as ConfigurationError;
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('XERO_CLIENT_SECRET');
    expect(error.message).toContain(rule);
    if (value.trim() !== '') expectNoValue(error, REAL_SECRET);
  });

  it.each([
    'changeme',
    'CHANGE-ME',
    'change_me',
    'your-client-id',
    'your_client_secret',
    'Your-Secret-Here',
    '<client secret>',
    '<YOUR_KEY>',
    '{{CLIENT_SECRET}}',
    '$' + '{CLIENT_SECRET}',
    'undefined',
    'null',
    'xxx',
    'XXXXXXXXXXXX',
    '********',
    'todo',
    'replace-me',
    'placeholder',
    'example',
    'secret',
    'Test',
    'client_secret',
    'enter-your-secret',
    '...',
  ])('refuses the placeholder %j', (value) => {
    expect(checkSettingValue(value)?.problem).toBe('placeholder');
    const error = thrown(() => assertSetting('FRESHBOOKS_CLIENT_SECRET', value));
    expect(error.message).toMatch(/^FRESHBOOKS_CLIENT_SECRET (is a placeholder|looks like a placeholder)/);
    // (`placeholder` itself is a word of the rule, so it is the one value the message may contain.)
    if (value.length > 3 && value !== 'placeholder') expect(error.message).not.toContain(value);
  });

  it('refuses non-strings', () => {
    expect(thrown(() => assertSetting('WAVE_CLIENT_ID', 42)).message).toBe('WAVE_CLIENT_ID must be a string');
    expect(thrown(() => assertSetting('WAVE_CLIENT_ID', null)).message).toBe(
      'WAVE_CLIENT_ID must be a string',
    );
  });
});

describe('settingString', () => {
  it('is a zod schema that yields the string or an issue naming the setting, without the input', () => {
    const schema = settingString('XERO_CLIENT_ID');
    expect(schema.parse(REAL_SECRET)).toBe(REAL_SECRET);
    const failed = schema.safeParse(` ${REAL_SECRET} `);
    expect(failed.success).toBe(false);
    expect(failed.error?.issues[0]?.message).toMatch(/^XERO_CLIENT_ID has leading or trailing whitespace/);
    expect(JSON.stringify(failed.error)).not.toContain(REAL_SECRET);
    expect(String(failed.error)).not.toContain(REAL_SECRET);
  });
});

describe('parseClientCredentials / clientCredentialsFromEnv', () => {
  const good = {
    clientId: 'ABntYqjGx7a9Wm4dFzL1oQ8cR3vK5sT2bH6n',
    clientSecret: REAL_SECRET,
    redirectUri: 'https://app.blueclerk.dev/oauth/quickbooks/callback',
  };

  it('returns validated credentials and registers the secret for redaction', () => {
    expect(parseClientCredentials(good, { prefix: 'QUICKBOOKS' })).toEqual(good);
    expect(redactText(`provider said: bad secret ${REAL_SECRET}`)).toBe(
      'provider said: bad secret [REDACTED]',
    );
  });

  it('reads <PREFIX>_CLIENT_ID, _CLIENT_SECRET and _REDIRECT_URI from the environment', () => {
    const env = {
      XERO_CLIENT_ID: good.clientId,
      XERO_CLIENT_SECRET: good.clientSecret,
      XERO_REDIRECT_URI: 'http://localhost:3000/callback',
    };
    expect(clientCredentialsFromEnv(env, 'XERO')).toEqual({
      ...good,
      redirectUri: 'http://localhost:3000/callback',
    });
  });

  it('names every unset variable, the first one as the setting', () => {
    const error = thrown(() => clientCredentialsFromEnv({ XERO_CLIENT_ID: good.clientId }, 'XERO'));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).setting).toBe('XERO_CLIENT_SECRET');
    expect(error.message).toBe(
      'Invalid OAuth client credentials: XERO_CLIENT_SECRET is not set; XERO_REDIRECT_URI is not set',
    );
  });

  it('refuses a placeholder secret without echoing any credential', () => {
    const error = thrown(() =>
      parseClientCredentials({ ...good, clientSecret: 'your_client_secret' }, { prefix: 'QUICKBOOKS' }),
    );
    expect(error.message).toContain('QUICKBOOKS_CLIENT_SECRET looks like a placeholder');
    expectNoValue(error, 'your_client_secret');
    expectNoValue(error, good.clientId);
  });

  it.each([
    ['not a url', 'must be an absolute http(s) URL'],
    ['/oauth/callback', 'must be an absolute http(s) URL'],
    ['ftp://app.blueclerk.dev/callback', 'must be an absolute http(s) URL'],
    ['http://app.blueclerk.dev/callback', 'must use https'],
    ['https://user:pw@app.blueclerk.dev/callback', 'must not contain a user name or password'],
    ['https://app.blueclerk.dev/callback#done', 'must not contain a #fragment'],
    ['https://example.com/callback', 'points at an example domain'],
  ])('refuses the redirect URI %j', (redirectUri, rule) => {
    const error = thrown(() => parseClientCredentials({ ...good, redirectUri }, { prefix: 'FRESHBOOKS' }));
    expect((error as ConfigurationError).setting).toBe('FRESHBOOKS_REDIRECT_URI');
    expect(
      error.message.startsWith(`Invalid OAuth client credentials: FRESHBOOKS_REDIRECT_URI ${rule}`),
    ).toBe(true);
    expect(error.message).not.toContain(redirectUri);
  });

  it('allows plain http only for loopback hosts', () => {
    for (const redirectUri of ['http://localhost/cb', 'http://127.0.0.1:8080/cb', 'http://[::1]:8080/cb']) {
      expect(parseClientCredentials({ ...good, redirectUri }, { prefix: 'WAVE' }).redirectUri).toBe(
        redirectUri,
      );
    }
  });
});

describe('assertUsableTokenSet', () => {
  const usable = {
    accessToken: 'eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..usable-access',
    refreshToken: 'AB11700000000usableRefreshToken',
    accessTokenExpiresAt: 1_700_000_000_000,
    refreshTokenExpiresAt: null,
    refreshTokenIssuedAt: null,
    scope: null,
  };

  it('accepts a usable token set', () => {
    expect(() => assertUsableTokenSet(usable)).not.toThrow();
    expect(() => assertUsableTokenSet({ ...usable, refreshToken: null })).not.toThrow();
  });

  it.each([
    [{ accessToken: '' }, 'access token is empty'],
    [{ accessToken: 'abc def-secret-part' }, 'access token contains whitespace'],
    [{ refreshToken: 'refresh-secret-part\n' }, 'refresh token contains whitespace'],
    [{ accessTokenExpiresAt: Number.NaN }, 'access token expiry is not a finite number'],
    [{ refreshTokenIssuedAt: '2026-01-01' }, 'refresh token issue time is not a finite number'],
    [{ refreshTokenExpiresAt: Number.POSITIVE_INFINITY }, 'refresh token expiry is not a finite number'],
    [{ accessToken: undefined }, 'access token is not a string'],
  ])('refuses %j as token_invalid without echoing tokens', (patch, rule) => {
    const error = thrown(() => assertUsableTokenSet({ ...usable, ...patch }));
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe('token_invalid');
    expect(error.message).toContain(rule);
    for (const value of ['secret-part', usable.accessToken, usable.refreshToken]) expectNoValue(error, value);
  });

  it('refuses a missing token set', () => {
    expect(thrown(() => assertUsableTokenSet(null)).message).toBe('Token set is missing');
  });
});

describe('credentials functions under wrong argument types', () => {
  const cases: Array<[string, () => unknown, string]> = [
    [
      'parseClientCredentials(input) without options',
      () => parseClientCredentials({}, undefined as never),
      'prefix',
    ],
    [
      'parseClientCredentials(input, { prefix: 5 })',
      () => parseClientCredentials({}, { prefix: 5 as never }),
      'prefix',
    ],
    [
      'clientCredentialsFromEnv(null, prefix)',
      () => clientCredentialsFromEnv(null as never, 'QUICKBOOKS'),
      'env',
    ],
    [
      'clientCredentialsFromEnv(env, undefined)',
      () => clientCredentialsFromEnv({}, undefined as never),
      'prefix',
    ],
    ['clientCredentialSettingNames(5)', () => clientCredentialSettingNames(5 as never), 'prefix'],
    [
      'clientCredentialSettingNames("QUICK BOOKS")',
      () => clientCredentialSettingNames('QUICK BOOKS'),
      'prefix',
    ],
    ['assertSetting(Symbol(), value)', () => assertSetting(Symbol('name') as never, 'value'), 'name'],
    ['assertSetting("", value)', () => assertSetting('', 'value'), 'name'],
    ['settingString(5)', () => settingString(5 as never), 'name'],
  ];
  it.each(cases)(
    '%s is a ConfigurationError naming the argument, not a TypeError',
    (_name, call, argument) => {
      const error = thrown(call);
      expect(ConfigurationError.isInstance(error)).toBe(true);
      expect((error as ConfigurationError).setting).toBe(argument);
    },
  );

  it('a secret passed in the name position does not reach the message', () => {
    const error = thrown(() => clientCredentialSettingNames(`${REAL_SECRET} `));
    expectNoValue(error, REAL_SECRET);
  });
});
