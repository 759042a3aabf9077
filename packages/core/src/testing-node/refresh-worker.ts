/**
 * Child-process side of `runRefreshWorkers`. Run as a script (`node --import tsx refresh-worker.ts`), never imported.
 *
 * Protocol on stdout, one JSON object per line:
 *   {"event":"ready","pid"}            storage, vault and token manager are built
 *   {"event":"refresh-start","pid"}    this process is about to POST to the token endpoint (it holds the lease)
 *   {"event":"result","pid",...}       all calls settled (see `WorkerResult` in refresh-harness.ts)
 * It waits for a line `go` on stdin after `ready`, so every process starts its calls at the same moment.
 */
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { BlueClerkError } from '../errors/index';
import type { BlueClerkStorage } from '../storage/storage';
import { isProviderId, type ProviderId } from '../storage/types';
import { createTokenManager } from '../tokens/manager';
import { keyRingFromEnv } from '../vault/key-ring';
import { createTokenVault } from '../vault/token-vault';
import { mockTokenServerProvider } from './mock-token-server';
import { WORKER_ENV } from './worker-env';

function print(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...line, pid: process.pid })}\n`);
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`refresh-worker: ${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const storageModule = required(WORKER_ENV.storageModule);
  const tokenUrl = required(WORKER_ENV.tokenUrl);
  const connectionId = required(WORKER_ENV.connectionId);
  const calls = Number(process.env[WORKER_ENV.calls] ?? '20');
  const providerId = (process.env[WORKER_ENV.provider] ?? 'quickbooks') as ProviderId;
  if (!isProviderId(providerId)) throw new Error(`refresh-worker: unknown provider ${providerId}`);

  const url = /^[a-z]+:/i.test(storageModule) ? storageModule : pathToFileURL(storageModule).href;
  const imported = (await import(url)) as { createStorage?: () => Promise<BlueClerkStorage> };
  if (typeof imported.createStorage !== 'function') {
    throw new Error(`refresh-worker: ${storageModule} does not export createStorage()`);
  }
  const storage = await imported.createStorage();
  const vault = createTokenVault(keyRingFromEnv(process.env));
  const manager = createTokenManager({
    storage,
    vault,
    providers: { [providerId]: mockTokenServerProvider(tokenUrl, providerId) },
    credentials: {
      [providerId]: {
        clientId: process.env[WORKER_ENV.clientId] ?? 'worker-client-id',
        clientSecret: process.env[WORKER_ENV.clientSecret] ?? 'worker-client-secret-9f2k',
        redirectUri: 'https://app.blueclerk.test/oauth/callback',
      },
    },
    lock: {
      ttlMs: Number(process.env[WORKER_ENV.lockTtlMs] ?? '30000'),
      // Unset: the token manager's own default, derived from the ttl and refresh timeout.
      ...(process.env[WORKER_ENV.lockWaitMs] ? { waitMs: Number(process.env[WORKER_ENV.lockWaitMs]) } : {}),
      pollMs: 25,
    },
    refreshTimeoutMs: Number(process.env[WORKER_ENV.refreshTimeoutMs] ?? '10000'),
    fetch: async (input, init) => {
      const target = input instanceof Request ? input.url : String(input);
      if (target === tokenUrl) print({ event: 'refresh-start' });
      return fetch(input, init);
    },
  });

  print({ event: 'ready' });
  await new Promise<void>((resolve) => {
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      if (line.trim() === 'go') {
        lines.close();
        resolve();
      }
    });
  });

  const started = Date.now();
  const settled = await Promise.allSettled(
    Array.from({ length: calls }, () => manager.getAccessToken(connectionId)),
  );
  const tokens = new Set<string>();
  const errors: Array<{ code: string; message: string }> = [];
  for (const outcome of settled) {
    if (outcome.status === 'fulfilled') tokens.add(outcome.value);
    else {
      const error = outcome.reason as unknown;
      errors.push({
        code: BlueClerkError.isInstance(error) ? error.code : 'internal',
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
  print({
    event: 'result',
    succeeded: calls - errors.length,
    failed: errors.length,
    accessTokens: [...tokens],
    errors,
    ms: Date.now() - started,
  });
  await storage.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    print({ event: 'crash', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  },
);
