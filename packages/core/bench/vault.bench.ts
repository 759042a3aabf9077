/**
 * Token vault throughput: seal, open, and a whole token set sealed and opened (what a token refresh costs).
 *
 *     cd packages/core && pnpm exec tsx bench/vault.bench.ts
 *
 * Prints operations per second; no pass/fail. Sized like QuickBooks: an access token of about 1 KB (a JWE) and a
 * 50-character refresh token.
 */
import { createKeyRing, createTokenVault, openTokenSet, sealTokenSet, type TokenSet } from '../src/index';

function randomText(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => alphabet[b & 63]).join('');
}

const key = new Uint8Array(32);
crypto.getRandomValues(key);
const vault = createTokenVault(createKeyRing({ currentKeyId: 'k1', keys: { k1: key } }));

const accessToken = `eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..${randomText(22)}.${randomText(940)}.${randomText(22)}`;
const tokenSet: TokenSet = {
  accessToken,
  refreshToken: `AB117${randomText(45)}`,
  accessTokenExpiresAt: Date.now() + 3_600_000,
  refreshTokenExpiresAt: Date.now() + 100 * 86_400_000,
  refreshTokenIssuedAt: Date.now(),
  scope: 'com.intuit.quickbooks.accounting',
};
const context = { connectionId: 'conn_bench', field: 'accessToken' };

// Several rounds per operation: on a shared machine the best round shows the code's cost, the median the noise.
function measure(name: string, iterations: number, run: () => void, rounds = 5): void {
  for (let i = 0; i < 500; i += 1) run(); // warm-up, so the JIT has compiled the hot path
  const perRound = Math.max(1, Math.floor(iterations / rounds));
  const rates: number[] = [];
  for (let r = 0; r < rounds; r += 1) {
    const start = performance.now();
    for (let i = 0; i < perRound; i += 1) run();
    rates.push((perRound / (performance.now() - start)) * 1000);
  }
  rates.sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)]!;
  const best = rates[rates.length - 1]!;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(8);
  console.log(
    `${name.padEnd(30)} ${String(perRound * rounds).padStart(6)} ops  median ${fmt(median)} ops/s  best ${fmt(best)} ops/s  (${(1e6 / best).toFixed(0)} us/op at best)`,
  );
}

const envelope = vault.seal(accessToken, context);
const sealedSet = sealTokenSet(vault, 'conn_bench', tokenSet);
const iterations = Number(process.env.BENCH_ITERATIONS ?? 2000);

console.log(
  `access token ${accessToken.length} chars, envelope ${envelope.length} chars, Node ${process.version}`,
);
measure('seal (1 KB access token)', iterations, () => {
  vault.seal(accessToken, context);
});
measure('open (1 KB access token)', iterations, () => {
  vault.open(envelope, context);
});
measure('sealTokenSet + openTokenSet', iterations, () => {
  openTokenSet(vault, 'conn_bench', sealTokenSet(vault, 'conn_bench', tokenSet));
});
measure('openTokenSet', iterations, () => {
  openTokenSet(vault, 'conn_bench', sealedSet);
});
