import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * `pnpm --filter @blueclerk/example-express smoke`: starts the real server (`src/server.ts`, as `start` does) in
 * simulator mode on a free port, checks `GET /integrations` answers 200 with JSON, stops it with SIGTERM and
 * expects a clean exit. Exit code 0 when all of that held, 1 otherwise. For CI.
 */
const STARTUP_TIMEOUT_MS = 90_000;
const SHUTDOWN_TIMEOUT_MS = 20_000;
const serverPath = fileURLToPath(new URL('./server.ts', import.meta.url));

function fail(message: string, child?: ChildProcess): never {
  console.error(`smoke FAILED: ${message}`);
  if (child?.pid !== undefined && child.exitCode === null) child.kill('SIGKILL');
  process.exit(1);
}

const started = Date.now();
const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', serverPath], {
  env: { ...process.env, BLUECLERK_SANDBOX_SIMULATOR: 'true', HOST: '127.0.0.1', PORT: '0' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let stderr = '';
child.stderr?.on('data', (chunk: Buffer) => {
  stderr += chunk.toString();
});

const url = await new Promise<string>((resolve) => {
  let stdout = '';
  const timer = setTimeout(
    () => fail(`no "listening" line within ${STARTUP_TIMEOUT_MS} ms\n${stderr}`, child),
    STARTUP_TIMEOUT_MS,
  );
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
    if (match) {
      clearTimeout(timer);
      resolve(match[1] as string);
    }
  });
  child.once('exit', (code) => fail(`the server exited with code ${code} during start-up\n${stderr}`));
});
const startupMs = Date.now() - started;

const requested = Date.now();
const response = await fetch(`${url}/integrations`).catch((error: unknown) =>
  fail(`GET /integrations did not answer (${error instanceof Error ? error.message : String(error)})`, child),
);
const body = (await response.json().catch(() => null)) as { integrations?: unknown } | null;
if (response.status !== 200 || !Array.isArray(body?.integrations)) {
  fail(`GET /integrations answered ${response.status} ${JSON.stringify(body)}`, child);
}
const requestMs = Date.now() - requested;

child.removeAllListeners('exit');
const exitCode = await new Promise<number | null>((resolve) => {
  const timer = setTimeout(
    () => fail(`no exit within ${SHUTDOWN_TIMEOUT_MS} ms of SIGTERM`, child),
    SHUTDOWN_TIMEOUT_MS,
  );
  child.once('exit', (code) => {
    clearTimeout(timer);
    resolve(code);
  });
  child.kill('SIGTERM');
});
if (exitCode !== 0) fail(`the server exited with code ${exitCode} on SIGTERM\n${stderr}`);

console.log(
  `smoke ok: started in ${startupMs} ms, GET /integrations -> 200 in ${requestMs} ms, clean exit on SIGTERM`,
);
