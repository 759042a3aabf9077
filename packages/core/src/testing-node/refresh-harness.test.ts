import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../storage/memory/memory-storage';
import type { BlueClerkStorage } from '../storage/storage';
import { openTokenSet } from '../vault/token-set';
import { type MockTokenServer, startMockTokenServer } from './mock-token-server';
import { prepareRefreshScenario, runRefreshWorkers } from './refresh-harness';
import {
  STORAGE_OVER_HTTP_MODULE,
  STORAGE_URL_ENV,
  type StorageServer,
  serveStorageOverHttp,
} from './storage-over-http';
import { WORKER_ENV } from './worker-env';

// Real processes (slow to boot on a loaded machine, hence the long timeouts): the in-memory reference storage is served to them over loopback HTTP.
let tokenServer: MockTokenServer | null = null;
let storageServer: StorageServer | null = null;
afterEach(async () => {
  await tokenServer?.close();
  await storageServer?.close();
});

async function setup(): Promise<{ storage: BlueClerkStorage; env: Record<string, string> }> {
  const storage = createMemoryStorage();
  tokenServer = await startMockTokenServer({ latencyMs: 100 });
  storageServer = await serveStorageOverHttp(storage);
  return { storage, env: { [STORAGE_URL_ENV]: storageServer.url } };
}

describe('runRefreshWorkers', () => {
  it('3 processes x 15 concurrent calls on one expired connection refresh exactly once', async () => {
    const { storage, env } = await setup();
    const scenario = await prepareRefreshScenario({ storage, tokenServer: tokenServer! });
    const run = await runRefreshWorkers({
      storageModule: STORAGE_OVER_HTTP_MODULE,
      processes: 3,
      callsPerProcess: 15,
      env: { ...scenario.env, ...env },
    });
    expect(run.workers.map((w) => w.stderr).join('')).toBe('');
    expect(run.workers.every((w) => w.exitCode === 0)).toBe(true);
    expect(run.succeededCalls).toBe(45);
    expect(run.failedCalls).toBe(0);
    expect(run.accessTokens).toHaveLength(1);
    expect(tokenServer!.stats.successfulRefreshes).toBe(1);
    expect(tokenServer!.stats.reusedRefreshTokens).toBe(0);
    const stored = await storage.connections.getConnection(scenario.connectionId);
    expect(openTokenSet(scenario.vault, scenario.connectionId, stored!.tokens!).accessToken).toBe(
      run.accessTokens[0],
    );
  }, 120_000);

  it('recovers when the lease holder is SIGKILLed mid-refresh', async () => {
    const { storage, env } = await setup();
    const scenario = await prepareRefreshScenario({
      storage,
      tokenServer: tokenServer!,
      lockTtlMs: 1_500,
      refreshTimeoutMs: 1_000,
    });
    tokenServer!.hangNextRefreshes(1);
    const run = await runRefreshWorkers({
      storageModule: STORAGE_OVER_HTTP_MODULE,
      processes: 3,
      callsPerProcess: 10,
      env: { ...scenario.env, ...env },
      killHolderAfterMs: 200,
    });
    expect(run.killedPid).not.toBeNull();
    const killed = run.workers.find((w) => w.pid === run.killedPid);
    expect(killed).toMatchObject({ signal: 'SIGKILL', result: null, startedRefresh: true });
    const survivors = run.workers.filter((w) => w.pid !== run.killedPid);
    expect(survivors.every((w) => w.exitCode === 0 && w.result?.failed === 0)).toBe(true);
    expect(run.succeededCalls).toBe(20);
    expect(run.accessTokens).toHaveLength(1);
    expect(tokenServer!.stats.hungRequests).toBe(1);
    expect(tokenServer!.stats.successfulRefreshes).toBe(1);
    expect(tokenServer!.stats.reusedRefreshTokens).toBe(0);
  }, 120_000);

  it('with the default lock wait, no waiter’s first call fails when the lease holder is SIGKILLed', async () => {
    const { storage, env } = await setup();
    // No lock wait configured: every worker's token manager derives it from the ttl and the refresh timeout.
    const scenario = await prepareRefreshScenario({
      storage,
      tokenServer: tokenServer!,
      lockTtlMs: 3_000,
      refreshTimeoutMs: 2_000,
    });
    expect(scenario.env[WORKER_ENV.lockWaitMs]).toBeUndefined();
    tokenServer!.hangNextRefreshes(1);
    const run = await runRefreshWorkers({
      storageModule: STORAGE_OVER_HTTP_MODULE,
      processes: 4,
      callsPerProcess: 10,
      env: { ...scenario.env, ...env },
      killHolderAfterMs: 300,
    });
    expect(run.killedPid).not.toBeNull();
    expect(run.workers.find((w) => w.pid === run.killedPid)).toMatchObject({
      signal: 'SIGKILL',
      result: null,
    });
    const survivors = run.workers.filter((w) => w.pid !== run.killedPid);
    expect(survivors.map((w) => w.exitCode)).toEqual([0, 0, 0]);
    // Each of these was the caller's first call; none gave up with lock_unavailable while the dead lease ran out.
    expect(run.errors).toEqual([]);
    expect(run.failedCalls).toBe(0);
    expect(run.succeededCalls).toBe(30);
    expect(run.accessTokens).toHaveLength(1);
    expect(tokenServer!.stats.successfulRefreshes).toBe(1);
    expect(tokenServer!.stats.reusedRefreshTokens).toBe(0);
    expect(tokenServer!.stats.invalidGrantAnswers).toBe(0);
  }, 120_000);
});
