import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { BlueClerkStorage } from '../storage/storage';
import type { ProviderId } from '../storage/types';
import { keyRingFromEnv } from '../vault/key-ring';
import { sealTokenSet } from '../vault/token-set';
import { createTokenVault } from '../vault/token-vault';
import type { TokenVault } from '../vault/types';
import { testingNodeSourceFile } from './source-file';
import { WORKER_ENV } from './worker-env';

/**
 * Multi-process refresh harness: proves that a storage adapter's leases and fenced CAS writes keep N real Node
 * processes from refreshing one connection more than once, and that they recover when the lease holder dies.
 *
 * Each worker process imports `storageModule` (a file exporting `createStorage(): Promise<BlueClerkStorage>`, written
 * by the adapter's tests; it reads its database URL / key prefix from `env`), builds a vault from
 * `BLUECLERK_ENCRYPTION_KEYS` and a token manager pointing at a `startMockTokenServer` endpoint, waits until every
 * worker is ready, then makes `callsPerProcess` concurrent `getAccessToken` calls on one expired connection.
 *
 * @example
 * const server = await startMockTokenServer();
 * const scenario = await prepareRefreshScenario({ storage, tokenServer: server });
 * const run = await runRefreshWorkers({
 *   storageModule: fileURLToPath(new URL('./worker-storage.ts', import.meta.url)),
 *   processes: 4,
 *   callsPerProcess: 25,
 *   env: { ...scenario.env, DATABASE_URL: url },
 * });
 * expect(server.stats.successfulRefreshes).toBe(1);
 * expect(server.stats.reusedRefreshTokens).toBe(0);
 * expect(run.failedCalls).toBe(0);
 * expect(run.accessTokens).toHaveLength(1);
 *
 * Any token server works, not only the mock: pass `{ tokenUrl, seedRefreshToken }` of a provider simulator served
 * with `startSimulatorServer`, plus `imports: [SIMULATOR_FORWARDING_MODULE]` and the server's `env`, so the workers'
 * requests to the provider's real token URL reach that one shared simulator.
 *
 * Crash recovery: call `server.hangNextRefreshes(1)` and pass `killHolderAfterMs`. The first worker that starts a
 * refresh (it holds the lease) is SIGKILLed that long after it announced the refresh; the others take the lease over
 * once its TTL (`BLUECLERK_TEST_LOCK_TTL_MS`, default 2 000 from `prepareRefreshScenario`) has passed, and one of them
 * refreshes with the still-valid refresh token. Expect `killedPid` set, `successfulRefreshes` 1, no reuse, and no
 * failed call: the token manager's default wait outlasts the dead holder's lease.
 */
export interface RunRefreshWorkersOptions {
  /** Absolute path (or file URL) of the module exporting `createStorage(): Promise<BlueClerkStorage>`. */
  storageModule: string;
  /** Worker processes to spawn. */
  processes: number;
  /** Concurrent `getAccessToken` calls per process. */
  callsPerProcess: number;
  /** Extra environment: `prepareRefreshScenario(...).env` plus whatever `createStorage` reads. */
  env: Record<string, string>;
  /** SIGKILL the first process that starts a refresh this many ms after it announced it. */
  killHolderAfterMs?: number;
  /** Whole-run limit; workers still running then are killed and reported. Default 120 000. */
  timeoutMs?: number;
  /**
   * Modules (absolute paths or file URLs) each worker preloads with `node --import` before the worker script, e.g.
   * `SIMULATOR_FORWARDING_MODULE`. Default none.
   */
  imports?: readonly string[];
}

export interface WorkerResult {
  succeeded: number;
  failed: number;
  /** Distinct access tokens this process received. */
  accessTokens: string[];
  /** Distinct-or-not errors of failed calls (code and redacted message). */
  errors: Array<{ code: string; message: string }>;
  ms: number;
}

export interface WorkerOutcome {
  pid: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** True for the process the harness killed on purpose. */
  killed: boolean;
  /** True when this process announced a token-endpoint call. */
  startedRefresh: boolean;
  /** Null when the process died before printing a result. */
  result: WorkerResult | null;
  /** Last 4 KB of stderr, for diagnosing a crash. */
  stderr: string;
}

export interface RefreshRunResult {
  workers: WorkerOutcome[];
  killedPid: number | null;
  /** Distinct access tokens across every surviving process. One means everyone agreed on the refreshed token. */
  accessTokens: string[];
  succeededCalls: number;
  failedCalls: number;
  errors: Array<{ pid: number; code: string; message: string }>;
}

const WORKER_SCRIPT = testingNodeSourceFile('refresh-worker.ts');

/** tsx's ESM loader, resolved from this package so workers need no particular cwd. */
function tsxLoaderUrl(): string {
  const require = createRequire(import.meta.url);
  return pathToFileURL(require.resolve('tsx')).href;
}

interface Running {
  child: ChildProcess;
  outcome: WorkerOutcome;
  ready: Promise<void>;
  done: Promise<void>;
}

function startWorker(
  options: RunRefreshWorkersOptions,
  loader: string,
  onRefreshStart: (r: Running) => void,
): Running {
  const preloads = (options.imports ?? []).flatMap((module) => [
    '--import',
    /^[a-z]+:/i.test(module) ? module : pathToFileURL(module).href,
  ]);
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', loader, ...preloads, WORKER_SCRIPT],
    {
      env: {
        ...process.env,
        ...options.env,
        [WORKER_ENV.storageModule]: options.storageModule,
        [WORKER_ENV.calls]: String(options.callsPerProcess),
      },
      cwd: dirname(WORKER_SCRIPT),
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const outcome: WorkerOutcome = {
    pid: child.pid ?? -1,
    exitCode: null,
    signal: null,
    killed: false,
    startedRefresh: false,
    result: null,
    stderr: '',
  };
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const running: Running = { child, outcome, ready, done: Promise.resolve() };
  child.stderr?.on('data', (chunk: Buffer) => {
    outcome.stderr = (outcome.stderr + chunk.toString('utf8')).slice(-4096);
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let message: { event?: string } & Partial<WorkerResult>;
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return; // stray output from the storage module
    }
    if (message.event === 'ready') markReady();
    if (message.event === 'refresh-start' && !outcome.startedRefresh) {
      outcome.startedRefresh = true;
      onRefreshStart(running);
    }
    if (message.event === 'result') {
      outcome.result = {
        succeeded: message.succeeded ?? 0,
        failed: message.failed ?? 0,
        accessTokens: message.accessTokens ?? [],
        errors: message.errors ?? [],
        ms: message.ms ?? 0,
      };
    }
  });
  running.done = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      outcome.exitCode = code;
      outcome.signal = signal;
      markReady(); // a worker that died during set-up must not block the start signal
      resolve();
    });
  });
  return running;
}

export async function runRefreshWorkers(options: RunRefreshWorkersOptions): Promise<RefreshRunResult> {
  const loader = tsxLoaderUrl();
  let killedPid: number | null = null;
  const killTimers: NodeJS.Timeout[] = [];
  const onRefreshStart = (running: Running) => {
    if (options.killHolderAfterMs === undefined || killedPid !== null) return;
    killedPid = running.outcome.pid;
    running.outcome.killed = true;
    killTimers.push(setTimeout(() => running.child.kill('SIGKILL'), options.killHolderAfterMs));
  };
  const workers = Array.from({ length: options.processes }, () =>
    startWorker(options, loader, onRefreshStart),
  );
  const overall = setTimeout(() => {
    for (const worker of workers) if (worker.outcome.exitCode === null) worker.child.kill('SIGKILL');
  }, options.timeoutMs ?? 120_000);
  try {
    await Promise.all(workers.map((worker) => worker.ready));
    for (const worker of workers) worker.child.stdin?.end('go\n');
    await Promise.all(workers.map((worker) => worker.done));
  } finally {
    clearTimeout(overall);
    for (const timer of killTimers) clearTimeout(timer);
  }
  const outcomes = workers.map((worker) => worker.outcome);
  const tokens = new Set<string>();
  const errors: RefreshRunResult['errors'] = [];
  let succeededCalls = 0;
  let failedCalls = 0;
  for (const outcome of outcomes) {
    if (!outcome.result) continue;
    for (const token of outcome.result.accessTokens) tokens.add(token);
    for (const error of outcome.result.errors) errors.push({ pid: outcome.pid, ...error });
    succeededCalls += outcome.result.succeeded;
    failedCalls += outcome.result.failed;
  }
  return { workers: outcomes, killedPid, accessTokens: [...tokens], succeededCalls, failedCalls, errors };
}

/** What the scenario needs of a token server: `startMockTokenServer()`, or a provider simulator's OAuth server. */
export interface RefreshTokenSource {
  /** The token endpoint the workers' token manager posts to. */
  tokenUrl: string;
  /** Returns a refresh token the server accepts now (a fresh grant). */
  seedRefreshToken(): string;
}

export interface PrepareRefreshScenarioOptions {
  /** The adapter's storage, opened in the test process on the same database the workers will use. */
  storage: BlueClerkStorage;
  tokenServer: RefreshTokenSource;
  /** Client credentials the workers authenticate with. Default: the worker's built-in test client. */
  clientId?: string;
  clientSecret?: string;
  /** Tenant of the seeded connection. Default `tenant-refresh-harness`. */
  tenantId?: string;
  /** Default `quickbooks`. */
  provider?: ProviderId;
  /** Default a new random id. */
  connectionId?: string;
  /** Lease TTL the workers use. Default 2 000 (short, so crash-recovery tests finish quickly). */
  lockTtlMs?: number;
  /**
   * How long workers wait for a lease. Default: unset, so the workers' token managers use their own default
   * (`lockTtlMs + refreshTimeoutMs + 5 000`), the setting apps run with.
   */
  lockWaitMs?: number;
  /** Token-endpoint timeout in the workers; must be below `lockTtlMs`. Default 1 500. */
  refreshTimeoutMs?: number;
}

export interface RefreshScenario {
  connectionId: string;
  /** The refresh token the seeded connection holds (live at the token server). */
  refreshToken: string;
  /** Vault built from the same key ring the workers get, to open stored tokens in assertions. */
  vault: TokenVault;
  /** Pass to `runRefreshWorkers({ env })`, together with the adapter's own settings. */
  env: Record<string, string>;
}

/**
 * Seeds an active connection whose access token expired a minute ago, with a refresh token the mock server accepts,
 * sealed with a fresh random key ring; returns the worker environment that matches it.
 */
export async function prepareRefreshScenario(
  options: PrepareRefreshScenarioOptions,
): Promise<RefreshScenario> {
  const keys = `k1:${randomBytes(32).toString('base64url')}`;
  const vault = createTokenVault(keyRingFromEnv({ [WORKER_ENV.encryptionKeys]: keys }));
  const provider = options.provider ?? 'quickbooks';
  const connectionId = options.connectionId ?? `conn_${randomBytes(8).toString('hex')}`;
  const refreshToken = options.tokenServer.seedRefreshToken();
  const now = Date.now();
  await options.storage.connections.createConnection({
    id: connectionId,
    provider,
    ownerId: 'owner-refresh-harness',
    tenantId: options.tenantId ?? 'tenant-refresh-harness',
    status: 'active',
    tokens: sealTokenSet(vault, connectionId, {
      accessToken: `at_expired_${randomBytes(8).toString('hex')}`,
      refreshToken,
      accessTokenExpiresAt: now - 60_000,
      refreshTokenExpiresAt: null,
      refreshTokenIssuedAt: now - 3600_000,
      scope: null,
    }),
  });
  return {
    connectionId,
    refreshToken,
    vault,
    env: {
      [WORKER_ENV.encryptionKeys]: keys,
      [WORKER_ENV.tokenUrl]: options.tokenServer.tokenUrl,
      [WORKER_ENV.connectionId]: connectionId,
      [WORKER_ENV.provider]: provider,
      [WORKER_ENV.lockTtlMs]: String(options.lockTtlMs ?? 2_000),
      ...(options.lockWaitMs === undefined ? {} : { [WORKER_ENV.lockWaitMs]: String(options.lockWaitMs) }),
      [WORKER_ENV.refreshTimeoutMs]: String(options.refreshTimeoutMs ?? 1_500),
      ...(options.clientId === undefined ? {} : { [WORKER_ENV.clientId]: options.clientId }),
      ...(options.clientSecret === undefined ? {} : { [WORKER_ENV.clientSecret]: options.clientSecret }),
    },
  };
}
