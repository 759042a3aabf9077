/**
 * What an API request costs the token manager once a connection's access token is in memory (issue 13 goals):
 * vault opens per 100 requests in a burst (goal 0 after the first), refresh-token opens on the request path (goal 0),
 * and the time of `getAccessToken` from the cache (goal < 5 µs). Exits 1 when a goal is missed.
 *
 *     cd packages/core && pnpm exec tsx --conditions=source bench/token-cache.bench.ts
 */
import {
  createKeyRing,
  createMemoryStorage,
  createTokenManager,
  createTokenVault,
  sealTokenSet,
  type TokenVault,
} from '../src/index';

const key = new Uint8Array(32);
crypto.getRandomValues(key);
const inner = createTokenVault(createKeyRing({ currentKeyId: 'k1', keys: { k1: key } }));
const opens = { accessToken: 0, refreshToken: 0 };
const vault: TokenVault = {
  ...inner,
  open(envelope, context) {
    opens[context.field as 'accessToken' | 'refreshToken']++;
    return inner.open(envelope, context);
  },
};
const storage = createMemoryStorage();
const id = 'conn_bench';
await storage.connections.createConnection({
  id,
  provider: 'quickbooks',
  ownerId: 'owner',
  tenantId: 'realm',
  status: 'active',
  tokens: sealTokenSet(inner, id, {
    accessToken: `eyJ${'x'.repeat(1000)}`,
    refreshToken: `RT1-${'y'.repeat(46)}`,
    accessTokenExpiresAt: Date.now() + 3_600_000,
    refreshTokenExpiresAt: null,
    refreshTokenIssuedAt: Date.now(),
    scope: null,
  }),
});
const manager = createTokenManager({
  storage,
  vault,
  providers: {
    quickbooks: {
      id: 'quickbooks',
      oauth: {
        endpoints: {
          authorizeUrl: 'https://a.test/authorize',
          tokenUrl: 'https://a.test/token',
          revokeUrl: null,
        },
        defaultScopes: [],
        pkce: 'none',
        clientAuthentication: 'basic',
        revokeToken: 'refresh_token',
      },
      tokenPolicy: {
        accessTokenTtlSec: 3600,
        refreshAheadSec: 300,
        refreshTokenTtlDays: 100,
        rotateRefreshTokenAfterDays: 60,
        refreshTokenReuseGraceSec: 86_400,
      },
    },
  },
  credentials: {
    quickbooks: {
      clientId: 'bench-client-7Hq2',
      clientSecret: 'bench-secret-Xk29fLq8',
      redirectUri: 'https://a.test/cb',
    },
  },
});

await manager.getAccessToken(id); // the first request reads and opens
const before = { ...opens };
for (let i = 0; i < 100; i++) await manager.getAccessToken(id);
const opensPer100 = opens.accessToken - before.accessToken;

const calls = 200_000;
const started = performance.now();
for (let i = 0; i < calls; i++) await manager.getAccessToken(id);
const microsPerCall = ((performance.now() - started) * 1000) / calls;

console.log(`vault opens per 100 requests after the first: ${opensPer100} (goal 0)`);
console.log(`refresh-token opens on the request path: ${opens.refreshToken} (goal 0)`);
console.log(
  `getAccessToken from the cache: ${microsPerCall.toFixed(2)} µs per call over ${calls} calls (goal < 5)`,
);
const missed = opensPer100 !== 0 || opens.refreshToken !== 0 || microsPerCall >= 5;
if (missed) {
  console.log('GOAL MISSED');
  process.exit(1);
}
console.log('all goals met');
