import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@blueclerk/core';
import type { QuickBooksSimulator } from '@blueclerk/quickbooks/testing';
import { type App, createApp } from '../src/app';
import { type AppConfig, type Env, loadConfig } from '../src/config';

/**
 * The app on a real port, as the end-to-end and attack tests drive it: simulator mode, the embedded store (PGlite in
 * a temp folder, as with no DATABASE_URL), listening on 127.0.0.1. The test is the browser, the front end and
 * Intuit's webhook sender.
 */

export interface TestSecrets {
  clientId: string;
  clientSecret: string;
  verifier: string;
  stateSecret: string;
  key: string;
}

export interface Reply {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes
  body: any;
}

export interface TestApp {
  app: App;
  config: AppConfig;
  sim: QuickBooksSimulator;
  /** `http://127.0.0.1:<port>`: where the app listens, and its public origin (the redirect URI's). */
  base: string;
  secrets: TestSecrets;
  /** Every response body `call` read (tests add what they fetch themselves), checked for secrets. */
  bodies: string[];
  /** A JSON request to the app; redirects are not followed. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  close(): Promise<void>;
}

export function makeSecrets(): TestSecrets {
  return {
    clientId: 'e2e-client-7Hq2mXv9Lw4',
    clientSecret: 'e2eSecret_Zq8vT1kLmN3pR7sW9xYb2c',
    verifier: 'e2e-verifier-4f9a1c7d2b8e6a30',
    stateSecret: 'e2e-state-Xk3Lm9Qp2Rt7Vw5Yz8Ab1Cd4Ef6',
    key: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64'),
  };
}

export async function startTestApp(options: { logger?: Logger; env?: Env } = {}): Promise<TestApp> {
  const secrets = makeSecrets();
  const dataDir = await mkdtemp(join(tmpdir(), 'blueclerk-express-test-'));
  // Listen first so the redirect URI can carry the real port; the app is attached once it exists.
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  let app: App | undefined;
  const close = async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await app?.close();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const config = loadConfig({
      BLUECLERK_SANDBOX_SIMULATOR: 'true',
      PORT: String(port),
      QUICKBOOKS_CLIENT_ID: secrets.clientId,
      QUICKBOOKS_CLIENT_SECRET: secrets.clientSecret,
      QUICKBOOKS_REDIRECT_URI: `${base}/oauth/quickbooks/callback`,
      QUICKBOOKS_WEBHOOK_VERIFIER: secrets.verifier,
      BLUECLERK_ENCRYPTION_KEYS: `k1:${secrets.key}`,
      OAUTH_STATE_SECRET: secrets.stateSecret,
      BLUECLERK_PGLITE_DIR: join(dataDir, 'pglite'),
      ...options.env,
    });
    app = await createApp(config, options.logger ? { logger: options.logger } : {});
    server.on('request', app.express);
    if (!app.simulator) throw new Error('simulator mode did not start the simulator');
    const bodies: string[] = [];
    return {
      app,
      config,
      sim: app.simulator.sim,
      base,
      secrets,
      bodies,
      async call(method, path, body, headers = {}) {
        const response = await fetch(`${base}${path}`, {
          method,
          redirect: 'manual',
          headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await response.text();
        bodies.push(text);
        const type = response.headers.get('content-type') ?? '';
        return {
          status: response.status,
          headers: response.headers,
          body: type.includes('json') ? JSON.parse(text) : text,
        };
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Connects QuickBooks the way a browser does (start, consent at the simulator, callback with the binding cookie)
 * and waits for the post-connection import. Returns the connection id.
 */
export async function connectQuickBooks(t: TestApp): Promise<string> {
  const started = await t.call('POST', '/integrations/quickbooks/connect', {});
  if (started.status !== 200) throw new Error(`connect answered ${started.status}`);
  const cookie = (started.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const consent = await fetch(started.body.url, { redirect: 'manual' });
  const callback = await fetch(consent.headers.get('location') ?? '', {
    redirect: 'manual',
    headers: { cookie },
  });
  if (callback.status !== 302) throw new Error(`the OAuth callback answered ${callback.status}`);
  const connectionId: string = started.body.connectionId;
  await waitFor(
    () => t.call('GET', '/integrations'),
    (reply) =>
      reply.body.integrations.some(
        (i: { connectionId: string; import?: { status: string } }) =>
          i.connectionId === connectionId && i.import?.status === 'done',
      ),
  );
  return connectionId;
}
