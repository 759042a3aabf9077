import { describe, expect, it } from 'vitest';
import {
  createKeyRing,
  createMemoryStorage,
  createTokenVault,
  openTokenSet,
  parseClientCredentials,
  redactText,
  registerSecret,
  sealTokenSet,
  toMinorUnits,
} from '../../src/index';
// The OAuth state codec is internal (the connect flow uses it); it must run on the edge as well.
import { createStateCodec } from '../../src/oauth/index';

// Runs in Vercel's edge-runtime VM (web globals only, no Node built-ins): the cheap proof that core's main entry
// works on Next.js edge routes and workers.
describe('core main entry on an edge runtime', () => {
  it('seals and opens a token set, validates credentials and redacts', async () => {
    const key = new Uint8Array(32);
    crypto.getRandomValues(key);
    const vault = createTokenVault(createKeyRing({ currentKeyId: 'k1', keys: { k1: key } }));
    const tokens = {
      accessToken: 'edge-access-token-0123456789',
      refreshToken: 'edge-refresh-token-0123456789',
      accessTokenExpiresAt: Date.now() + 3600_000,
      refreshTokenExpiresAt: null,
      refreshTokenIssuedAt: Date.now(),
      scope: 'com.intuit.quickbooks.accounting',
    };
    const sealed = sealTokenSet(vault, 'conn_edge', tokens);
    expect(sealed.accessToken).not.toContain(tokens.accessToken);
    expect(openTokenSet(vault, 'conn_edge', sealed)).toEqual(tokens);

    expect(() =>
      parseClientCredentials(
        { clientId: 'changeme', clientSecret: 'real-secret-value-123', redirectUri: 'https://app.test/cb' },
        { prefix: 'QUICKBOOKS' },
      ),
    ).toThrow(/QUICKBOOKS_CLIENT_ID/);

    registerSecret(tokens.refreshToken);
    expect(redactText(`refresh failed for ${tokens.refreshToken}`)).not.toContain(tokens.refreshToken);
    expect(toMinorUnits('10.05', 'USD')).toBe(1005);
  });

  it('issues and reads an encrypted OAuth state with Web Crypto', async () => {
    const codec = await createStateCodec({
      secret: 'edge-state-secret-0123456789-abcdefghijklmnop',
      clock: { now: () => Date.now() },
    });
    const state = await codec.seal({
      ownerId: 'acct_1',
      provider: 'quickbooks',
      connectionId: 'conn_edge',
      returnTo: '/settings/integrations',
      codeVerifier: null,
      nonce: 'nonce-0123456789abcdef',
      bindingHash: 'x'.repeat(43),
    });
    expect(state).not.toContain('acct_1');
    await expect(codec.open(state, 'quickbooks')).resolves.toMatchObject({ connectionId: 'conn_edge' });
    await expect(codec.open(state, 'xero')).rejects.toMatchObject({ code: 'oauth_state_invalid' });
    const storage = createMemoryStorage();
    expect(await storage.syncState.rememberDelivery('oauth-state', 'nonce-0123456789abcdef', 60_000)).toBe(
      true,
    );
  });
});
