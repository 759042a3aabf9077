import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BlueClerkError, ConcurrencyError } from '../errors/index';
import type { BlueClerkStorage } from '../storage/storage';
import { testingNodeSourceFile } from './source-file';

/**
 * Serves one in-process `BlueClerkStorage` (e.g. the in-memory one) to other processes over loopback HTTP, so the
 * multi-process refresh harness can run against the reference implementation. Workers use
 * `storage-over-http.client.ts` as their `storageModule` with `BLUECLERK_TEST_STORAGE_URL` set to `url`.
 *
 * Every call is `POST /call {store, method, args}`; the storage's own atomicity is kept because the server executes
 * calls one by one on the single storage object. Test-only: no authentication, binds 127.0.0.1.
 */
export interface StorageServer {
  readonly url: string;
  /** Calls served so far. */
  readonly calls: number;
  close(): Promise<void>;
}

export const STORAGE_URL_ENV = 'BLUECLERK_TEST_STORAGE_URL';

/** Absolute path of the `storageModule` that connects to a `serveStorageOverHttp` server (pass it to the harness). */
export const STORAGE_OVER_HTTP_MODULE: string = testingNodeSourceFile('storage-over-http.client.ts');

const STORES = ['connections', 'locks', 'ledger', 'links', 'notifications', 'syncState'] as const;

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export async function serveStorageOverHttp(storage: BlueClerkStorage): Promise<StorageServer> {
  let calls = 0;
  const server = createServer((request, response) => {
    void (async () => {
      let status = 200;
      let body: unknown;
      try {
        const { store, method, args } = (await readJson(request)) as {
          store: string;
          method: string;
          args: unknown[];
        };
        if (!(STORES as readonly string[]).includes(store)) throw new Error(`unknown store ${store}`);
        const target = storage[store as (typeof STORES)[number]] as unknown as Record<string, unknown>;
        const fn = target[method];
        if (typeof fn !== 'function') throw new Error(`unknown method ${store}.${method}`);
        calls++;
        body = { ok: true, value: (await fn.apply(target, args)) ?? null };
      } catch (error) {
        status = 200;
        body = {
          ok: false,
          code: BlueClerkError.isInstance(error) ? error.code : 'internal',
          message: error instanceof Error ? error.message : String(error),
        };
      }
      const text = JSON.stringify(body);
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(text);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get calls() {
      return calls;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The client side: a `BlueClerkStorage` whose every method is a call to a `serveStorageOverHttp` server. */
export function connectStorageOverHttp(url: string): BlueClerkStorage {
  function proxy(store: (typeof STORES)[number]): never {
    return new Proxy(
      {},
      {
        get(_target, method) {
          if (typeof method !== 'string') return undefined;
          return async (...args: unknown[]) => {
            const response = await fetch(`${url}/call`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ store, method, args }),
            });
            const reply = (await response.json()) as {
              ok: boolean;
              value?: unknown;
              code?: string;
              message?: string;
            };
            if (reply.ok) return reply.value;
            const code = reply.code ?? 'internal';
            if (
              code === 'conflict' ||
              code === 'lease_lost' ||
              code === 'lock_unavailable' ||
              code === 'ledger_claim_lost'
            ) {
              throw new ConcurrencyError(code, reply.message ?? code);
            }
            throw new BlueClerkError(code as BlueClerkError['code'], reply.message ?? code);
          };
        },
      },
    ) as never;
  }
  return {
    connections: proxy('connections'),
    locks: proxy('locks'),
    ledger: proxy('ledger'),
    links: proxy('links'),
    notifications: proxy('notifications'),
    syncState: proxy('syncState'),
    close: async () => {},
  };
}
