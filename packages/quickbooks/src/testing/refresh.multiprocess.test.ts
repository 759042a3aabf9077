import { createMemoryStorage, openTokenSet } from '@blueclerk/core';
import {
  prepareRefreshScenario,
  runRefreshWorkers,
  SIMULATOR_FORWARDING_MODULE,
  type SimulatorServer,
  STORAGE_OVER_HTTP_MODULE,
  STORAGE_URL_ENV,
  type StorageServer,
  serveStorageOverHttp,
  startSimulatorServer,
} from '@blueclerk/core/testing/node';
import { afterEach, describe, expect, it } from 'vitest';
import { createQuickBooksSimulator, QUICKBOOKS_URLS, type QuickBooksSimulator } from './simulator';

// Real Node processes, each with its own token manager, refreshing one expired QuickBooks connection against ONE
// simulated Intuit: the simulator is served over loopback HTTP and each worker forwards its requests for Intuit's
// real token URL there. The in-memory reference storage is shared over HTTP as well. Process start-up is slow on a
// loaded machine, hence the long timeouts.
let simulator: SimulatorServer | undefined;
let storageServer: StorageServer | undefined;
afterEach(async () => {
  await simulator?.close();
  await storageServer?.close();
  simulator = undefined;
  storageServer = undefined;
});

const TOKEN_PATH = new URL(QUICKBOOKS_URLS.token).pathname;

async function setup(sim: QuickBooksSimulator, lock: { lockTtlMs: number; refreshTimeoutMs: number }) {
  simulator = await startSimulatorServer(sim.handlers);
  const storage = createMemoryStorage();
  storageServer = await serveStorageOverHttp(storage);
  const scenario = await prepareRefreshScenario({
    storage,
    tokenServer: {
      tokenUrl: QUICKBOOKS_URLS.token,
      seedRefreshToken: () => sim.oauth.issueTokens().refresh_token,
    },
    clientId: sim.client.clientId,
    clientSecret: sim.client.clientSecret,
    tenantId: sim.defaultRealmId,
    lockWaitMs: 60_000,
    ...lock,
  });
  const env = { ...scenario.env, [STORAGE_URL_ENV]: storageServer.url, ...simulator.env };
  return { storage, scenario, env, simulator };
}

describe('QuickBooks token refresh across processes, against one shared simulator', () => {
  it('4 processes x 15 concurrent getAccessToken calls on an expired connection: one refresh, no reuse, no failure', async () => {
    // Strict rotation: had any process sent the old refresh token again, its call would fail with invalid_grant.
    const sim = createQuickBooksSimulator({ strictRefreshTokenRotation: true });
    // A slow token endpoint keeps the refresh in flight while the other processes arrive.
    sim.faults.inject({
      kind: 'latency',
      latencyMs: 150,
      times: Number.POSITIVE_INFINITY,
      match: { path: TOKEN_PATH },
    });
    const { storage, scenario, env, simulator } = await setup(sim, {
      lockTtlMs: 15_000,
      refreshTimeoutMs: 5_000,
    });

    const run = await runRefreshWorkers({
      storageModule: STORAGE_OVER_HTTP_MODULE,
      imports: [SIMULATOR_FORWARDING_MODULE],
      processes: 4,
      callsPerProcess: 15,
      env,
    });

    expect(run.workers.map((w) => w.stderr).join('')).toBe('');
    expect(run.workers.map((w) => w.exitCode)).toEqual([0, 0, 0, 0]);
    expect(run.errors).toEqual([]);
    expect(run.failedCalls).toBe(0);
    expect(run.succeededCalls).toBe(60);
    expect(run.accessTokens).toHaveLength(1);
    expect(run.workers.filter((w) => w.startedRefresh)).toHaveLength(1);
    expect(sim.oauth.stats()).toMatchObject({
      successfulRefreshes: 1,
      reusedRefreshTokens: 0,
      invalidGrants: 0,
    });
    expect(sim.stats().tokenRequests).toEqual({ refresh_token: 1 });
    expect(simulator.stats().unhandled).toEqual([]);

    // What every process got is what the storage holds, and the simulated Intuit accepts it.
    const stored = await storage.connections.getConnection(scenario.connectionId);
    const tokens = openTokenSet(scenario.vault, scenario.connectionId, stored!.tokens!);
    expect(tokens.accessToken).toBe(run.accessTokens[0]);
    expect(sim.oauth.isRefreshTokenLive(tokens.refreshToken as string)).toBe(true);
    expect(sim.oauth.isRefreshTokenLive(scenario.refreshToken)).toBe(false);
    const realm = sim.defaultRealmId;
    const api = await fetch(
      simulator.urlFor(`${QUICKBOOKS_URLS.sandbox}/v3/company/${realm}/companyinfo/${realm}`),
      { headers: { authorization: `Bearer ${tokens.accessToken}`, accept: 'application/json' } },
    );
    expect(api.status).toBe(200);
  }, 240_000);

  it('recovers when the lease holder is SIGKILLed while its refresh hangs at the simulator', async () => {
    const sim = createQuickBooksSimulator({ strictRefreshTokenRotation: true });
    // The first refresh never reaches Intuit's token store: its refresh token stays valid for whoever takes over.
    sim.faults.inject({ kind: 'hang', match: { path: TOKEN_PATH } });
    const { env } = await setup(sim, { lockTtlMs: 5_000, refreshTimeoutMs: 3_000 });

    const run = await runRefreshWorkers({
      storageModule: STORAGE_OVER_HTTP_MODULE,
      imports: [SIMULATOR_FORWARDING_MODULE],
      processes: 3,
      callsPerProcess: 10,
      env,
      killHolderAfterMs: 200,
    });

    expect(run.killedPid).not.toBeNull();
    const killed = run.workers.find((w) => w.pid === run.killedPid);
    expect(killed).toMatchObject({ signal: 'SIGKILL', result: null, startedRefresh: true });
    const survivors = run.workers.filter((w) => w.pid !== run.killedPid);
    expect(survivors.map((w) => w.exitCode)).toEqual([0, 0]);
    expect(run.errors).toEqual([]);
    expect(run.succeededCalls).toBe(20);
    expect(run.accessTokens).toHaveLength(1);
    expect(sim.stats().faultsFired).toBe(1);
    expect(sim.oauth.stats()).toMatchObject({
      successfulRefreshes: 1,
      reusedRefreshTokens: 0,
      invalidGrants: 0,
    });
  }, 240_000);
});
