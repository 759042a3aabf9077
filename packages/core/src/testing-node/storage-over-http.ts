import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BlueClerkError, ConcurrencyError, StorageError, ValidationError } from '../errors/index';
import { toJsonObject } from '../storage/json-object';
import { checkOwnerFilter, requireOwnerId } from '../storage/owner-scope';
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
        const value: unknown = await fn.apply(target, args);
        // JSON has no undefined: say so, so a `void` method resolves to undefined on the other side too.
        body = value === undefined ? { ok: true, undefined: true } : { ok: true, value };
      } catch (error) {
        status = 200;
        body = {
          ok: false,
          code: BlueClerkError.isInstance(error) ? error.code : 'internal',
          message: error instanceof Error ? error.message : String(error),
          ...(ValidationError.isInstance(error) ? { issues: error.issues } : {}),
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

/**
 * Settings travel as JSON, which would silently turn a Date into a string or drop a function before the store could
 * refuse them; like the database adapters, the client refuses them first.
 */
function refuseWhatJsonChanges(store: string, method: string, args: unknown[]): void {
  // JSON drops `ownerId: undefined`, which would turn a refused owner-scoped read into an unscoped one.
  if (store === 'connections' && method === 'listConnections') checkOwnerFilter(args[0] as object, method);
  if (store === 'notifications' && method === 'listNotifications') {
    requireOwnerId((args[0] as { ownerId?: unknown } | undefined)?.ownerId, method);
  }
  if (store === 'notifications' && (method === 'markNotificationsRead' || method === 'recordRepeat')) {
    requireOwnerId(args[0], method);
  }
  if (store !== 'connections') return;
  const carrier =
    method === 'createConnection' ? args[0] : method === 'updateConnection' ? args[1] : undefined;
  const settings = (carrier as { settings?: unknown } | undefined)?.settings;
  if (settings !== undefined) toJsonObject(settings, 'settings');
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
            refuseWhatJsonChanges(store, method, args);
            let reply: {
              ok: boolean;
              value?: unknown;
              undefined?: boolean;
              code?: string;
              message?: string;
              issues?: Array<{ path: string; message: string }>;
            };
            try {
              const response = await fetch(`${url}/call`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ store, method, args }),
              });
              reply = (await response.json()) as typeof reply;
            } catch (error) {
              // The storage server is the backend here: not reaching it is the storage being unavailable.
              throw new StorageError(
                method,
                `Storage over HTTP: ${store}.${method} could not reach the server`,
                {
                  cause: error,
                },
              );
            }
            if (reply.ok) return reply.undefined ? undefined : (reply.value ?? null);
            const code = reply.code ?? 'internal';
            const message = reply.message ?? code;
            if (
              code === 'conflict' ||
              code === 'lease_lost' ||
              code === 'lock_unavailable' ||
              code === 'ledger_claim_lost' ||
              code === 'in_progress'
            ) {
              throw new ConcurrencyError(code, message);
            }
            if (code === 'storage_unavailable') throw new StorageError(method, message);
            if (code === 'validation_failed') throw new ValidationError(message, reply.issues ?? []);
            throw new BlueClerkError(code as BlueClerkError['code'], message);
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
