/**
 * Throughput of the PostgreSQL storage's hot paths: lease acquire/release and ledger claims.
 *
 *   pnpm --filter @blueclerk/prisma bench            (DATABASE_URL or the local test server)
 *   BENCH_SECONDS=5 BENCH_CONCURRENCY=32 pnpm --filter @blueclerk/prisma bench
 *
 * Each scenario runs for BENCH_SECONDS (default 3) in its own throw-away schema and prints ops/s and latency
 * percentiles. Figures depend on the machine and on whatever else the database is doing; this is not a pass/fail test.
 */
import os from 'node:os';
import { randomId } from '@blueclerk/core';
import pg from 'pg';
import { migrate } from '../src/migrate';
import { createPrismaStorage, type PrismaStorage } from '../src/storage';

const BASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const SECONDS = Number(process.env.BENCH_SECONDS ?? '3');
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? '16');

interface Result {
  name: string;
  ops: number;
  seconds: number;
  latencies: number[];
  note?: string;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Runs `op` in `workers` loops until the time is up; `op` returns how many operations it counted. */
async function run(
  name: string,
  workers: number,
  op: (worker: number, i: number) => Promise<void>,
  note?: string,
): Promise<Result> {
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const t0 = performance.now();
        await op(worker, i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { name, ops: latencies.length, seconds, latencies: latencies.sort((a, b) => a - b), note };
}

function print(result: Result): void {
  const opsPerSec = result.ops / result.seconds;
  console.log(
    [
      result.name.padEnd(58),
      `${opsPerSec.toFixed(0).padStart(7)} ops/s`,
      `p50 ${percentile(result.latencies, 50).toFixed(2).padStart(7)} ms`,
      `p99 ${percentile(result.latencies, 99).toFixed(2).padStart(7)} ms`,
      `(${result.ops} ops)`,
      result.note ?? '',
    ].join('  '),
  );
}

async function withSchema<T>(body: (storage: PrismaStorage) => Promise<T>): Promise<T> {
  const schema = `bc_bench_${randomId(4)}`;
  const url = `${BASE_URL}${BASE_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  await migrate({ connectionString: url });
  const storage = createPrismaStorage({ connectionString: url, pool: { max: CONCURRENCY } });
  try {
    return await body(storage);
  } finally {
    await storage.close();
    const admin = new pg.Client({ connectionString: BASE_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  console.log(
    `@blueclerk/prisma storage bench: ${SECONDS}s per scenario, concurrency ${CONCURRENCY}, ` +
      `node ${process.version}, ${os.cpus().length} CPUs, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  const results: Result[] = [];

  await withSchema(async (storage) => {
    // Warm the pool and Prisma's query path so the first scenario does not pay for start-up.
    for (let i = 0; i < 20; i++) await storage.locks.acquireLease(`warm-${i}`, { ttlMs: 1000 });

    results.push(
      await run(
        'lock: acquire + release, 1 caller, one key',
        1,
        async () => {
          const lease = await storage.locks.acquireLease('bench:single', { ttlMs: 30_000 });
          if (!lease || !(await storage.locks.releaseLease(lease))) throw new Error('lease cycle failed');
        },
        '(1 op = acquire + release)',
      ),
    );
    results.push(
      await run(
        `lock: acquire + release, ${CONCURRENCY} callers, own keys`,
        CONCURRENCY,
        async (worker) => {
          const lease = await storage.locks.acquireLease(`bench:key-${worker}`, { ttlMs: 30_000 });
          if (!lease || !(await storage.locks.releaseLease(lease))) throw new Error('lease cycle failed');
        },
        '(1 op = acquire + release)',
      ),
    );
    let granted = 0;
    const contended = await run(
      `lock: ${CONCURRENCY} callers contending for one key`,
      CONCURRENCY,
      async () => {
        const lease = await storage.locks.acquireLease('bench:hot', { ttlMs: 30_000 });
        if (lease) {
          granted++;
          await storage.locks.releaseLease(lease);
        }
      },
    );
    contended.note = `(1 op = one try; ${granted} granted)`;
    results.push(contended);
  });

  await withSchema(async (storage) => {
    const connectionId = 'bench-connection';
    results.push(
      await run('ledger: fresh claim, 1 caller', 1, async (worker, i) => {
        await storage.ledger.claim(claimInput(connectionId, `single-${worker}-${i}`));
      }),
    );
    results.push(
      await run(`ledger: fresh claim, ${CONCURRENCY} callers`, CONCURRENCY, async (worker, i) => {
        await storage.ledger.claim(claimInput(connectionId, `many-${worker}-${i}`));
      }),
    );
    results.push(
      await run(
        `ledger: claim + complete, ${CONCURRENCY} callers`,
        CONCURRENCY,
        async (worker, i) => {
          const key = `cycle-${worker}-${i}`;
          const result = await storage.ledger.claim(claimInput(connectionId, key));
          if (result.outcome !== 'claimed') throw new Error(`unexpected ${result.outcome}`);
          await storage.ledger.completeClaim(key, result.entry.claimToken as string, {
            providerId: `p-${i}`,
          });
        },
        '(1 op = claim + complete)',
      ),
    );
    await storage.ledger.claim(claimInput(connectionId, 'hot-key'));
    results.push(
      await run(
        `ledger: ${CONCURRENCY} callers re-claiming one pending key`,
        CONCURRENCY,
        async () => {
          const result = await storage.ledger.claim(claimInput(connectionId, 'hot-key'));
          if (result.outcome !== 'in_progress') throw new Error(`unexpected ${result.outcome}`);
        },
        '(in_progress path: insert attempt + one read)',
      ),
    );
  });

  for (const result of results) print(result);
}

function claimInput(connectionId: string, key: string) {
  return {
    key,
    connectionId,
    operation: 'payment.create',
    requestId: `req-${key}`,
    reference: key.slice(0, 20),
    ttlMs: 60_000,
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
