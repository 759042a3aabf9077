import {
  AuthError,
  createBlueClerk,
  createKeyRing,
  createMemoryStorage,
  createTokenVault,
} from '@blueclerk/core';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAppDatabase } from '../demo/app-database';
import { DEMO_APP } from '../demo/context';
import { createQuickBooksProvider } from './index';
import { createQuickBooksSimulator } from './testing/index';

/** Attacks on connecting QuickBooks, through createBlueClerk and the simulator. */

const OWN_REALM = '9130350000000101';
const OTHER_REALM = '9130350000000202';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function createApp() {
  const sim = createQuickBooksSimulator({
    realms: [OWN_REALM, OTHER_REALM],
    clients: [{ ...DEMO_APP, redirectUris: [DEMO_APP.redirectUri] }],
  });
  server.use(...sim.handlers);
  const storage = createMemoryStorage();
  const blueclerk = createBlueClerk({
    providers: { quickbooks: createQuickBooksProvider({ environment: 'sandbox' }) },
    credentials: { quickbooks: DEMO_APP },
    storage,
    vault: createTokenVault(
      createKeyRing({ currentKeyId: 'ca', keys: { ca: crypto.getRandomValues(new Uint8Array(32)) } }),
    ),
    stateSecret: 'connect-attacks-state-secret-3e9f1a7c',
    host: createAppDatabase(),
  });
  return { sim, storage, blueclerk };
}

describe('connecting QuickBooks, as an attacker would try it', () => {
  it('tenant taken from the URL: editing realmId to another company is refused and the grant revoked', async () => {
    const { sim, storage, blueclerk } = createApp();
    const started = await blueclerk.connect.start({ provider: 'quickbooks', ownerId: 'owner-1' });
    const consent = await fetch(started.url, { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location') ?? '');
    expect(callback.searchParams.get('realmId')).toBe(OWN_REALM);
    callback.searchParams.set('realmId', OTHER_REALM);

    const error = await blueclerk.connect
      .handleCallback(callback, { provider: 'quickbooks', browserBinding: started.browserBinding })
      .catch((e: unknown) => e);
    expect(AuthError.isInstance(error) && error.code).toBe('tenant_unverified');
    expect(await storage.connections.listConnections({ ownerId: 'owner-1' })).toEqual([]);
    expect(sim.oauth.stats().revokes).toBe(1);
    expect(JSON.stringify(error)).not.toContain('RT1-');
  });

  it('the unedited callback connects the company the token was granted, named from CompanyInfo', async () => {
    const { blueclerk } = createApp();
    const started = await blueclerk.connect.start({ provider: 'quickbooks', ownerId: 'owner-1' });
    const consent = await fetch(started.url, { redirect: 'manual' });
    const connection = await blueclerk.connect.handleCallback(consent.headers.get('location') ?? '', {
      provider: 'quickbooks',
      browserBinding: started.browserBinding,
    });
    expect(connection).toMatchObject({ tenantId: OWN_REALM, status: 'active' });
    expect(connection.metadata).toEqual({ tenantName: `Sandbox Company ${OWN_REALM}` });
  });
});
