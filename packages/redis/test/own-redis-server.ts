import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A redis-server of the test's own, on a free loopback port, that the test stops and starts by its PID: for outage
 * and persistence tests that must not disturb the shared Redis other test files use. Its files go to a temporary
 * folder, removed by `dispose`.
 */
export interface OwnRedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>`, with the password when one was set. */
  readonly url: string;
  /** PID of the running server, or null while stopped. */
  readonly pid: number | null;
  /** SIGTERM to the PID (Redis shuts down cleanly, writing its AOF / RDB files as configured), then waits. */
  stop(): Promise<void>;
  /** Starts the server again on the same port, folder and settings. */
  start(): Promise<void>;
  dispose(): Promise<void>;
}

const READY_ATTEMPTS = 100;
const READY_POLL_MS = 50;
const EXIT_WAIT_MS = 10_000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no free port');
  return address.port;
}

/** True when something answers PING (or asks for AUTH) on the port. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(/^(\+PONG|-NOAUTH)/.test(data.toString()));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function startOwnRedisServer(
  options: { args?: readonly string[]; password?: string } = {},
): Promise<OwnRedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'bc-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--daemonize',
    'no',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    ...(options.password ? ['--requirepass', options.password] : []),
    ...(options.args ?? []),
  ];
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  async function start(): Promise<void> {
    if (child) return;
    const started = spawn('redis-server', args, { stdio: 'ignore' });
    child = started;
    exited = new Promise<void>((resolve) => started.once('exit', () => resolve()));
    for (let attempt = 0; attempt < READY_ATTEMPTS; attempt++) {
      if (await answersPing(port)) return;
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
    }
    throw new Error(`redis-server on port ${port} did not start`);
  }

  async function stop(): Promise<void> {
    const running = child;
    if (!running?.pid) return;
    process.kill(running.pid, 'SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), EXIT_WAIT_MS);
    await exited;
    clearTimeout(timer);
    child = null;
  }

  await start();
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  return {
    port,
    url: `redis://${auth}127.0.0.1:${port}`,
    get pid() {
      return child?.pid ?? null;
    },
    stop,
    start,
    async dispose() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
