/**
 * Lock and ledger throughput against a real Redis.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 pnpm --filter @blueclerk/redis bench
 *
 * Each figure is completed operations per second with CONCURRENCY callers in flight on one client; an "op" is one
 * contract call (one Lua script round trip). Uses a random key prefix and deletes its keys afterwards.
 */
import { randomId } from '@blueclerk/core';
import { Redis } from 'ioredis';
import { createRedisStorage } from '../src/index';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DURATION_MS = Number(process.env.BENCH_MS ?? 3_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const prefix = `blueclerk-bench-${randomId(4)}:`;

const redis = new Redis(url);
// A benchmark Redis is usually a throwaway one without persistence.
const storage = createRedisStorage({ redis, keyPrefix: prefix, requirePersistence: false });

/** Runs `op` from CONCURRENCY loops for DURATION_MS and returns ops/s. */
async function measure(op: (worker: number, i: number) => Promise<void>): Promise<number> {
  const deadline = performance.now() + DURATION_MS;
  const start = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i++) {
        await op(worker, i);
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

function report(name: string, opsPerSecond: number, note: string): void {
  console.log(`${name.padEnd(44)} ${Math.round(opsPerSecond).toString().padStart(8)} ops/s  ${note}`);
}

async function cleanup(): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

async function main(): Promise<void> {
  console.log(
    `@blueclerk/redis storage bench: ${url}, ${CONCURRENCY} concurrent callers, ${DURATION_MS} ms each`,
  );

  // Each worker cycles acquire + release on its own key: uncontended lock round trips.
  const cycles = await measure(async (worker) => {
    const lease = await storage.locks.acquireLease(`bench-lock-${worker}`, { ttlMs: 10_000 });
    if (!lease) throw new Error('uncontended acquire failed');
    await storage.locks.releaseLease(lease);
  });
  report('lock acquire+release (own key)', cycles * 2, `= ${Math.round(cycles)} cycles/s, 2 ops each`);

  // Every worker fights for one key: most acquires return null, the holder releases at once.
  let granted = 0;
  const contended = await measure(async () => {
    const lease = await storage.locks.acquireLease('bench-hot-lock', { ttlMs: 10_000 });
    if (lease) {
      granted++;
      await storage.locks.releaseLease(lease);
    }
  });
  report('lock acquire attempts (one hot key)', contended, `${granted} grants`);

  // Claim then complete, each on a fresh key: the ledger path of posting one payment.
  const claims = await measure(async (worker, i) => {
    const key = `bench-claim-${worker}-${i}`;
    const claim = await storage.ledger.claim({
      key,
      connectionId: `bench-conn-${worker}`,
      operation: 'payment.create',
      requestId: key,
      reference: key.slice(0, 20),
      ttlMs: 60_000,
    });
    if (claim.outcome !== 'claimed') throw new Error(`unexpected ${claim.outcome}`);
    await storage.ledger.completeClaim(key, claim.entry.claimToken!, { providerId: String(i) });
  });
  report('ledger claim+complete (fresh keys)', claims * 2, `= ${Math.round(claims)} entries/s, 2 ops each`);

  // Repeated claims of one finished key: the "already succeeded" fast path every retry hits.
  const seen = await measure(async () => {
    const claim = await storage.ledger.claim({
      key: 'bench-claim-0-0',
      connectionId: 'bench-conn-0',
      operation: 'payment.create',
      requestId: 'x',
      reference: 'x',
      ttlMs: 60_000,
    });
    if (claim.outcome !== 'succeeded') throw new Error(`unexpected ${claim.outcome}`);
  });
  report('ledger claim of a succeeded key', seen, '');
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanup();
    await storage.close();
    await redis.quit();
  });
