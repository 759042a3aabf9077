import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bypass, getResponse, type HttpHandler, http, passthrough, type RequestHandler } from 'msw';
import { type SetupServer, setupServer } from 'msw/node';
import { redactText } from '../redact/redact-text';
import { testingNodeSourceFile } from './source-file';

/**
 * One simulated provider shared by several Node processes. msw intercepts inside one process only, so a test that
 * spawns workers (the multi-process refresh harness, an app and its job runner) serves the simulator's msw handlers
 * over real HTTP on 127.0.0.1 instead, and each child forwards its provider traffic there: every process then talks
 * to the same company, token store and rate windows.
 *
 * The original absolute URL travels as the path: `http://127.0.0.1:<port>/https://api.provider.test/v1/x?y=1`. The
 * server rebuilds that Fetch `Request` (method, headers, body, an abort signal that fires when the client goes away)
 * and resolves it with msw's `getResponse(handlers, request)`. A handler's network error (`Response.error()`, what
 * lost-response and hang faults end in) destroys the socket, so the client sees a network error too.
 *
 * Child processes install `forwardToSimulatorServer(url)` (or preload `SIMULATOR_FORWARDING_MODULE` with
 * `SIMULATOR_URL_ENV` set) and keep using the provider's real URLs - no URL overrides. Loopback requests (the
 * storage served over HTTP, the app's own port) are not forwarded.
 *
 * @example
 * const sim = createProviderSimulator(); // any simulator exposing msw `handlers`
 * const server = await startSimulatorServer(sim.handlers);
 * await runRefreshWorkers({ imports: [SIMULATOR_FORWARDING_MODULE], env: { ...server.env, ... }, ... });
 * expect(sim.oauth.stats().successfulRefreshes).toBe(1);
 * await server.close();
 */
export interface SimulatorServerOptions {
  /** Largest request body accepted, in bytes (larger ones get 413). Default 10 MiB. */
  maxBodyBytes?: number;
  /** Requests handled at once (more get 503). Default 256. */
  maxInFlight?: number;
}

export interface SimulatorServerStats {
  /** Requests resolved through the handlers (unhandled ones included). */
  requests: number;
  /** Requests no handler answered: method and URL without the query string. */
  unhandled: Array<{ method: string; url: string }>;
  inFlight: number;
}

export interface SimulatorServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `{ BLUECLERK_TEST_SIMULATOR_URL: url }`: the environment `SIMULATOR_FORWARDING_MODULE` reads. */
  readonly env: Record<string, string>;
  /** The server address that serves `absoluteUrl`, for clients without msw. */
  urlFor(absoluteUrl: string): string;
  stats(): SimulatorServerStats;
  /** Aborts requests still running (their handlers see `request.signal` abort), then stops listening. */
  close(): Promise<void>;
}

/** Environment variable naming the simulator server a forwarding child process talks to. */
export const SIMULATOR_URL_ENV = 'BLUECLERK_TEST_SIMULATOR_URL';

/** Absolute path of a module to preload (`node --import`) that forwards the process's traffic to `SIMULATOR_URL_ENV`. */
export const SIMULATOR_FORWARDING_MODULE: string = testingNodeSourceFile('simulator-server.forward.ts');

/** Set on the server's answer when no handler matched, so a forwarder fails the request the way msw would. */
const UNHANDLED_HEADER = 'x-blueclerk-simulator-unhandled';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'host',
  'content-length',
]);
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

class BodyTooLarge extends Error {}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function requestHeaders(request: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (HOP_BY_HOP.has(name)) continue;
    headers.append(name, raw[i + 1] as string);
  }
  // The forwarder marks its own fetch so its msw skips it; the simulator's handlers must not see that mark.
  const accept = headers.get('accept');
  if (accept?.includes('msw/passthrough')) {
    const rest = accept
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== 'msw/passthrough');
    if (rest.length > 0) headers.set('accept', rest.join(', '));
    else headers.delete('accept');
  }
  return headers;
}

function targetOf(path: string | undefined): URL | null {
  const absolute = (path ?? '').slice(1);
  if (!/^https?:\/\//i.test(absolute)) return null;
  try {
    return new URL(absolute);
  } catch {
    return null;
  }
}

function sendText(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
) {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  response.end(text);
}

async function writeResponse(method: string, from: Response, to: ServerResponse): Promise<void> {
  const body = method === 'HEAD' || NULL_BODY_STATUSES.has(from.status) ? null : await from.arrayBuffer();
  to.statusCode = from.status;
  if (from.statusText) to.statusMessage = from.statusText;
  for (const [name, value] of from.headers) {
    if (name === 'set-cookie' || HOP_BY_HOP.has(name)) continue;
    to.setHeader(name, value);
  }
  const cookies = from.headers.getSetCookie();
  if (cookies.length > 0) to.setHeader('set-cookie', cookies);
  to.end(body ? Buffer.from(body) : undefined);
}

/** Serves `handlers` (a simulator's msw handlers) on 127.0.0.1 at a random port. */
export async function startSimulatorServer(
  handlers: readonly RequestHandler[],
  options: SimulatorServerOptions = {},
): Promise<SimulatorServer> {
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const maxInFlight = options.maxInFlight ?? 256;
  const list = [...handlers];
  const running = new Set<AbortController>();
  const stats: SimulatorServerStats = { requests: 0, unhandled: [], inFlight: 0 };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = targetOf(req.url);
    if (!target) {
      sendText(res, 400, 'Expected /<absolute http(s) URL> as the path');
      return;
    }
    if (stats.inFlight >= maxInFlight) {
      sendText(res, 503, `Simulator server is handling ${maxInFlight} requests already`);
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const controller = new AbortController();
    running.add(controller);
    stats.inFlight += 1;
    // The client went away (aborted, timed out, killed): a hanging handler must learn it, as with in-process msw.
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    try {
      const body = await readBody(req, maxBodyBytes);
      const request = new Request(target, {
        method,
        headers: requestHeaders(req),
        body: method === 'GET' || method === 'HEAD' ? undefined : new Uint8Array(body),
        signal: controller.signal,
        redirect: 'manual',
      });
      stats.requests += 1;
      const response = await getResponse(list, request);
      if (!response || response.headers.get('x-msw-intention') === 'passthrough') {
        stats.unhandled.push({ method, url: target.origin + target.pathname });
        sendText(res, 500, `No simulator handler for ${method} ${target.origin}${target.pathname}`, {
          [UNHANDLED_HEADER]: '1',
        });
        return;
      }
      if (response.type === 'error') {
        res.destroy();
        return;
      }
      await writeResponse(method, response, res);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        sendText(res, 413, `Request body over ${maxBodyBytes} bytes`);
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      sendText(res, 500, `Simulator handler failed: ${redactText(message)}`);
    } finally {
      stats.inFlight -= 1;
      running.delete(controller);
    }
  }

  const server = createServer((req, res) => {
    void serve(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    env: { [SIMULATOR_URL_ENV]: url },
    urlFor(absoluteUrl) {
      const target = new URL(absoluteUrl);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') {
        throw new Error(`startSimulatorServer serves http(s) URLs only, not ${target.protocol}`);
      }
      return `${url}/${target.href}`;
    },
    stats: () => structuredClone(stats),
    async close() {
      for (const controller of running) controller.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ForwardingOptions {
  /** Requests that go to the network as they are. Default: loopback hosts (and so the simulator server itself). */
  passthrough?: (url: URL) => boolean;
}

function endToEndHeaders(headers: Headers): Headers {
  const kept = new Headers();
  for (const [name, value] of headers)
    if (!HOP_BY_HOP.has(name) && name !== 'set-cookie') kept.append(name, value);
  for (const cookie of headers.getSetCookie()) kept.append('set-cookie', cookie);
  return kept;
}

function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * msw handlers for a child process: every request, whatever its origin, goes to the simulator server at `serverUrl`
 * and its answer comes back as the response (a network error there is a network error here). A request the
 * simulator has no handler for fails with an error on stderr, like msw's `onUnhandledRequest: 'error'`.
 */
export function forwardToSimulatorServer(serverUrl: string, options: ForwardingOptions = {}): HttpHandler[] {
  const base = serverUrl.replace(/\/$/, '');
  const local = options.passthrough ?? isLoopback;
  return [
    http.all('*', async ({ request }) => {
      const target = new URL(request.url);
      if (local(target)) return passthrough();
      const method = request.method.toUpperCase();
      const body = method === 'GET' || method === 'HEAD' ? undefined : await request.arrayBuffer();
      let answer: Response;
      try {
        answer = await fetch(
          bypass(`${base}/${target.href}`, {
            method,
            headers: endToEndHeaders(request.headers),
            body,
            redirect: 'manual',
            signal: request.signal,
          }),
        );
      } catch {
        return Response.error();
      }
      if (answer.headers.get(UNHANDLED_HEADER)) {
        console.error(`[simulator] no handler for ${method} ${target.origin}${target.pathname}`);
        return Response.error();
      }
      const payload = NULL_BODY_STATUSES.has(answer.status) ? null : await answer.arrayBuffer();
      return new Response(payload, {
        status: answer.status,
        statusText: answer.statusText,
        headers: endToEndHeaders(answer.headers),
      });
    }),
  ];
}

/** Installs `forwardToSimulatorServer(serverUrl)` in this process; `close()` the returned server to stop. */
export function installSimulatorForwarding(serverUrl: string, options: ForwardingOptions = {}): SetupServer {
  const server = setupServer(...forwardToSimulatorServer(serverUrl, options));
  server.listen({ onUnhandledRequest: 'error' });
  return server;
}
