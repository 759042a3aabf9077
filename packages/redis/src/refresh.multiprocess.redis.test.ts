import { fileURLToPath } from 'node:url';
import { type BlueClerkStorage, openTokenSet } from '@blueclerk/core';
import {
  type MockTokenServer,
  prepareRefreshScenario,
  type RefreshScenario,
  runRefreshWorkers,
  startMockTokenServer,
} from '@blueclerk/core/testing/node';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deleteKeys, dumpValues, REDIS_URL, testKeyPrefix } from '../test/redis-test-support';
import { REDIS_PREFIX_ENV, REDIS_URL_ENV } from '../test/refresh-worker-storage';
import { createRedisStorage } from './index';

// Real Node processes, each with its own Redis client and token manager, all calling getAccessToken on one expired
// connection at the same moment. The mock token server rotates refresh tokens and answers invalid_grant to any reuse,
// so a second refresh anywhere would show up in its counters.

const PROCESSES = 4;
const CALLS_PER_PROCESS = 25;
const storageModule = fileURLToPath(new URL('../test/refresh-worker-storage.ts', import.meta.url));
const keyPrefix = testKeyPrefix('multiprocess');
const admin = new Redis(REDIS_URL);

let storage: BlueClerkStorage;
let server: MockTokenServer;
let scenario: RefreshScenario;

beforeAll(() => {
  storage = createRedisStorage({ redis: REDIS_URL, keyPrefix, requirePersistence: false });
});

afterAll(async () => {
  await storage.close();
  await deleteKeys(admin, keyPrefix);
  await admin.quit();
});

beforeEach(async () => {
  server = await startMockTokenServer();
  scenario = await prepareRefreshScenario({ storage, tokenServer: server });
});

afterEach(async () => {
  await server.close();
});

function workerEnv(): Record<string, string> {
  return { ...scenario.env, [REDIS_URL_ENV]: REDIS_URL, [REDIS_PREFIX_ENV]: keyPrefix };
}

/** The stored token set, opened: what every worker should have agreed on. */
async function storedTokens() {
  const record = (await storage.connections.getConnection(scenario.connectionId))!;
  return { record, tokens: openTokenSet(scenario.vault, scenario.connectionId, record.tokens!) };
}

/** The tokens must be in Redis only sealed: no key or value under the prefix holds them in clear. */
async function expectNoTokenInClear(secrets: string[]) {
  const dump = [...(await dumpValues(admin, keyPrefix))].map(([key, value]) => `${key}\n${value}`).join('\n');
  expect(dump.length).toBeGreaterThan(0);
  for (const secret of secrets) expect(dump).not.toContain(secret);
}

describe('token refresh across processes on Redis', () => {
  it('refreshes exactly once for many concurrent callers in several processes', async () => {
    const run = await runRefreshWorkers({
      storageModule,
      processes: PROCESSES,
      callsPerProcess: CALLS_PER_PROCESS,
      env: workerEnv(),
    });

    expect(run.errors).toEqual([]);
    expect(run.failedCalls).toBe(0);
    expect(run.succeededCalls).toBe(PROCESSES * CALLS_PER_PROCESS);
    for (const worker of run.workers) expect(worker.exitCode, worker.stderr).toBe(0);
    expect(server.stats.successfulRefreshes).toBe(1);
    expect(server.stats.refreshCalls).toBe(1);
    expect(server.stats.reusedRefreshTokens).toBe(0);
    expect(server.stats.invalidGrantAnswers).toBe(0);
    expect(run.workers.filter((worker) => worker.startedRefresh)).toHaveLength(1);

    // Everyone got the one refreshed token, and that is what is stored (version 2: one write).
    expect(run.accessTokens).toHaveLength(1);
    const { record, tokens } = await storedTokens();
    expect(tokens.accessToken).toBe(run.accessTokens[0]);
    expect(server.isCurrentAccessToken(tokens.accessToken)).toBe(true);
    expect(tokens.refreshToken).not.toBe(scenario.refreshToken);
    expect(record.version).toBe(2);
    await expectNoTokenInClear([tokens.accessToken, tokens.refreshToken!, scenario.refreshToken]);
  }, 120_000);

  it('recovers from a lease holder killed mid-refresh without invalid_grant', async () => {
    // The first refresh request hangs and does not consume the refresh token; its sender is SIGKILLed while
    // holding the lease. The others must wait out the lease (2 s), take it over and refresh once.
    server.hangNextRefreshes(1);
    const run = await runRefreshWorkers({
      storageModule,
      processes: PROCESSES,
      callsPerProcess: CALLS_PER_PROCESS,
      env: workerEnv(),
      killHolderAfterMs: 300,
    });

    expect(run.killedPid).not.toBeNull();
    const killed = run.workers.find((worker) => worker.pid === run.killedPid)!;
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.result).toBeNull();
    const survivors = run.workers.filter((worker) => worker.pid !== run.killedPid);
    expect(survivors).toHaveLength(PROCESSES - 1);
    for (const worker of survivors) expect(worker.exitCode, worker.stderr).toBe(0);

    expect(run.errors).toEqual([]);
    expect(run.failedCalls).toBe(0);
    expect(run.succeededCalls).toBe((PROCESSES - 1) * CALLS_PER_PROCESS);
    expect(server.stats.hungRequests).toBe(1);
    expect(server.stats.successfulRefreshes).toBe(1);
    expect(server.stats.refreshCalls).toBe(2);
    expect(server.stats.reusedRefreshTokens).toBe(0);
    expect(server.stats.invalidGrantAnswers).toBe(0);

    expect(run.accessTokens).toHaveLength(1);
    const { record, tokens } = await storedTokens();
    expect(tokens.accessToken).toBe(run.accessTokens[0]);
    expect(record.version).toBe(2);
    // The lease was granted at least twice: to the killed holder, then to the one that took over.
    const fence = Number(await admin.get(`${keyPrefix}fence:refresh:${scenario.connectionId}`));
    expect(fence).toBeGreaterThanOrEqual(2);
    await expectNoTokenInClear([tokens.accessToken, tokens.refreshToken!, scenario.refreshToken]);
  }, 120_000);
});
