import { randomBytes } from 'node:crypto';
import {
  BlueClerkError,
  createTokenManager,
  createTokenVault,
  keyRingFromEnv,
  openTokenSet,
  sealTokenSet,
} from '@blueclerk/core';
import {
  type MockTokenServer,
  mockTokenServerProvider,
  startMockTokenServer,
} from '@blueclerk/core/testing/node';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestSchema, TEST_DATABASE_URL, type TestSchema } from '../test/pg';
import { createPrismaStorage, type PrismaStorage } from './storage';

// What someone with read access to the database (a backup, a replica, a support engineer) sees: every row of every
// BlueClerk table, read with plain `SELECT *` outside the adapter. No token, secret or key may be among it.
let db: TestSchema | undefined;
let storage: PrismaStorage | undefined;
let tokenServer: MockTokenServer | undefined;

afterEach(async () => {
  await tokenServer?.close();
  await storage?.close();
  await db?.drop();
  tokenServer = storage = db = undefined;
});

async function selectEverything(schema: string): Promise<string> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [schema],
    );
    expect(tables.rows.length).toBe(8);
    const dump: Record<string, unknown[]> = {};
    for (const { table_name } of tables.rows) {
      dump[table_name] = (await client.query(`SELECT * FROM "${schema}"."${table_name}"`)).rows;
    }
    return JSON.stringify(dump);
  } finally {
    await client.end();
  }
}

/** The error, its message, details and every `cause` below it, as one searchable string. */
function everythingIn(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    parts.push(String(current));
    if (current instanceof Error) parts.push(current.message, current.stack ?? '');
    if (BlueClerkError.isInstance(current)) parts.push(JSON.stringify(current.details));
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

describe('nothing secret in clear in PostgreSQL', () => {
  it('a connection connected and refreshed through the vault and token manager leaves only envelopes', async () => {
    db = await createTestSchema();
    storage = createPrismaStorage({ connectionString: db.url });
    const clientSecret = `cs_${randomBytes(12).toString('hex')}`;
    tokenServer = await startMockTokenServer({ clientId: 'client-123', clientSecret });
    const encryptionKey = randomBytes(32).toString('base64url');
    const vault = createTokenVault(keyRingFromEnv({ BLUECLERK_ENCRYPTION_KEYS: `k1:${encryptionKey}` }));

    const connectionId = 'conn_secret_test';
    const firstRefreshToken = tokenServer.seedRefreshToken();
    const firstAccessToken = `at_${randomBytes(12).toString('hex')}`;
    const now = Date.now();
    await storage.connections.createConnection({
      id: connectionId,
      provider: 'quickbooks',
      ownerId: 'owner-1',
      tenantId: 'realm-1',
      status: 'active',
      tokens: sealTokenSet(vault, connectionId, {
        accessToken: firstAccessToken,
        refreshToken: firstRefreshToken,
        accessTokenExpiresAt: now - 60_000,
        refreshTokenExpiresAt: null,
        refreshTokenIssuedAt: now - 3_600_000,
        scope: 'com.intuit.quickbooks.accounting',
      }),
    });

    const manager = createTokenManager({
      storage,
      vault,
      providers: { quickbooks: mockTokenServerProvider(tokenServer.tokenUrl) },
      credentials: {
        quickbooks: {
          clientId: 'client-123',
          clientSecret,
          redirectUri: 'https://app.example.test/callback',
        },
      },
    });
    const refreshedAccessToken = await manager.getAccessToken(connectionId);
    expect(refreshedAccessToken).not.toBe(firstAccessToken);
    expect(tokenServer.stats.successfulRefreshes).toBe(1);

    // Leave a trace in every other table too, as a sync would.
    await storage.links.upsertLink({
      connectionId,
      entityType: 'invoice',
      localId: 'inv-1',
      providerId: '130',
      providerVersion: '0',
      contentHash: 'h1',
      lastSyncedAt: now,
    });
    await storage.syncState.setCursor(connectionId, 'invoice', 'cursor-1');
    await storage.syncState.rememberDelivery('quickbooks', 'delivery-1', 60_000);
    await storage.ledger.claim({
      key: 'payment:1',
      connectionId,
      operation: 'payment.create',
      requestId: 'req-1',
      reference: 'REF1',
      ttlMs: 60_000,
    });
    await storage.notifications.appendNotification({
      ownerId: 'owner-1',
      connectionId,
      type: 'token.refreshed',
      severity: 'info',
      category: null,
      entityType: null,
      localId: null,
      message: 'Connection refreshed',
      action: null,
      data: {},
    });

    const stored = await storage.connections.getConnection(connectionId);
    const current = openTokenSet(vault, connectionId, stored!.tokens!);
    expect(current.accessToken).toBe(refreshedAccessToken);
    const secrets = {
      firstAccessToken,
      firstRefreshToken,
      refreshedAccessToken,
      refreshedRefreshToken: current.refreshToken!,
      clientSecret,
      encryptionKey,
    };

    const raw = await selectEverything(db.schema);
    // The dump is real: it holds the connection and its sealed envelopes...
    expect(raw).toContain(connectionId);
    expect(raw).toContain(stored!.tokens!.accessToken);
    expect(raw).toContain(stored!.tokens!.refreshToken!);
    // ...and none of the secrets.
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret.length, name).toBeGreaterThan(8);
      expect(raw.includes(secret), `${name} found in clear in the database`).toBe(false);
    }
  });

  it('a database failure names the operation but never the password in the connection string', async () => {
    const password = `pw_${randomBytes(10).toString('hex')}`;
    // Nothing listens on port 1: the connection fails before any query.
    const broken = createPrismaStorage({
      connectionString: `postgresql://blueclerk:${password}@127.0.0.1:1/test?schema=bc_none`,
      pool: { connectionTimeoutMillis: 2_000 },
    });
    try {
      const error = await broken.connections.getConnection('c1').then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(BlueClerkError.isInstance(error)).toBe(true);
      expect((error as BlueClerkError).message).toContain('getConnection');
      expect(everythingIn(error)).not.toContain(password);
    } finally {
      await broken.close();
    }
  });
});
