import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFaultInjector } from '../testing/simulator/fault-injector';
import { describeRequest } from '../testing/simulator/simulated-request';
import {
  forwardToSimulatorServer,
  SIMULATOR_FORWARDING_MODULE,
  type SimulatorServer,
  startSimulatorServer,
} from './simulator-server';

const API = 'https://api.provider.test';

/** A small stateful "provider": a counter, an echo, a write behind the fault injector, and a hang. */
function provider() {
  const state = { counter: 0, writes: 0, hangAborted: false };
  const faults = createFaultInjector();
  let hangStarted: () => void = () => {};
  const hangStartedOnce = new Promise<void>((resolve) => {
    hangStarted = resolve;
  });
  const handlers = [
    http.post(`${API}/counter`, () => HttpResponse.json({ value: ++state.counter })),
    http.all(`${API}/echo`, async ({ request }) => {
      const headers = new Headers({ 'x-echo': 'yes' });
      headers.append('set-cookie', 'a=1');
      headers.append('set-cookie', 'b=2');
      return HttpResponse.json(
        {
          method: request.method,
          url: request.url,
          auth: request.headers.get('authorization'),
          accept: request.headers.get('accept'),
          body: request.method === 'GET' ? null : await request.text(),
        },
        { status: 201, headers },
      );
    }),
    http.post(`${API}/writes`, ({ request }) =>
      faults.run(request, describeRequest(request), () => {
        state.writes += 1;
        return HttpResponse.json({ writes: state.writes });
      }),
    ),
    http.get(`${API}/hang`, async ({ request }) => {
      hangStarted();
      await new Promise<void>((resolve) => request.signal.addEventListener('abort', () => resolve()));
      state.hangAborted = true;
      return HttpResponse.json({ never: 'seen' });
    }),
    http.get(
      `${API}/redirect`,
      () => new Response(null, { status: 302, headers: { location: `${API}/echo` } }),
    ),
    http.get(`${API}/broken`, () => {
      throw new Error('handler bug');
    }),
  ];
  return { state, faults, handlers, hangStartedOnce };
}

let server: SimulatorServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('startSimulatorServer', () => {
  it('serves msw handlers over loopback HTTP with the original absolute URL, headers, body and answer', async () => {
    const p = provider();
    server = await startSimulatorServer(p.handlers);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(server.urlFor(`${API}/echo?x=1&y=a%20b`), {
      method: 'PUT',
      headers: { authorization: 'Bearer t', 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.json()).toEqual({
      method: 'PUT',
      url: `${API}/echo?x=1&y=a%20b`,
      auth: 'Bearer t',
      accept: '*/*',
      body: 'hello',
    });
    const redirect = await fetch(server.urlFor(`${API}/redirect`), { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe(`${API}/echo`);
    expect(server.stats()).toMatchObject({ requests: 2, unhandled: [], inFlight: 0 });
  });

  it('turns a handler network error into a dropped connection; a lost response still commits', async () => {
    const p = provider();
    server = await startSimulatorServer(p.handlers);
    p.faults.inject({ kind: 'lose_response' });
    await expect(fetch(server.urlFor(`${API}/writes`), { method: 'POST' })).rejects.toThrow();
    expect(p.state.writes).toBe(1);
    const next = await fetch(server.urlFor(`${API}/writes`), { method: 'POST' });
    expect(await next.json()).toEqual({ writes: 2 });
  });

  it('aborts the handler’s request signal when the client goes away', async () => {
    const p = provider();
    server = await startSimulatorServer(p.handlers);
    const controller = new AbortController();
    const hung = fetch(server.urlFor(`${API}/hang`), { signal: controller.signal });
    await p.hangStartedOnce;
    controller.abort();
    await expect(hung).rejects.toThrow();
    await expect.poll(() => p.state.hangAborted).toBe(true);
  });

  it('reports unhandled requests and handler failures, refuses bad paths and oversized bodies', async () => {
    const p = provider();
    server = await startSimulatorServer(p.handlers, { maxBodyBytes: 8 });
    const unhandled = await fetch(server.urlFor(`${API}/nothing?secret=s3cr3t`));
    expect(unhandled.status).toBe(500);
    expect(server.stats().unhandled).toEqual([{ method: 'GET', url: `${API}/nothing` }]);
    expect((await fetch(server.urlFor(`${API}/broken`))).status).toBe(500);
    expect((await fetch(`${server.url}/not-a-url`)).status).toBe(400);
    const big = await fetch(server.urlFor(`${API}/echo`), { method: 'POST', body: 'more than eight bytes' });
    expect(big.status).toBe(413);
    expect(() => server?.urlFor('ftp://files.provider.test/x')).toThrow(/http\(s\)/);
  });

  it('answers 503 beyond maxInFlight, and close() ends requests still running', async () => {
    const p = provider();
    server = await startSimulatorServer(p.handlers, { maxInFlight: 1 });
    const hung = fetch(server.urlFor(`${API}/hang`));
    await p.hangStartedOnce;
    expect((await fetch(server.urlFor(`${API}/echo`))).status).toBe(503);
    await server.close();
    server = undefined;
    await expect(hung).rejects.toThrow();
    expect(p.state.hangAborted).toBe(true);
  });
});

describe('forwardToSimulatorServer', () => {
  const p = provider();
  const child = setupServer();
  let shared: SimulatorServer;
  beforeAll(async () => {
    shared = await startSimulatorServer(p.handlers);
    child.use(...forwardToSimulatorServer(shared.url));
    child.listen({ onUnhandledRequest: 'error' });
  });
  afterAll(async () => {
    child.close();
    await shared.close();
  });

  it('sends a request for any origin to the server and returns its answer; loopback goes straight through', async () => {
    const echoed = await fetch(`${API}/echo`, { method: 'POST', body: 'via forwarder' });
    expect(echoed.status).toBe(201);
    expect(await echoed.json()).toMatchObject({ url: `${API}/echo`, body: 'via forwarder', accept: '*/*' });
    const direct = await fetch(shared.urlFor(`${API}/counter`), { method: 'POST' });
    expect(await direct.json()).toEqual({ value: 1 });
  });

  it('fails the request as a network error when the server drops it or has no handler', async () => {
    p.faults.inject({ kind: 'network_error' });
    await expect(fetch(`${API}/writes`, { method: 'POST' })).rejects.toThrow();
    await expect(fetch('https://unknown.provider.test/x')).rejects.toThrow();
  });
});

describe('SIMULATOR_FORWARDING_MODULE', () => {
  it('lets several processes share one simulator through the provider’s real URL', async () => {
    const p = provider();
    server = await startSimulatorServer(p.handlers);
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const script = `const r = await fetch('${API}/counter', { method: 'POST' }); console.log(JSON.stringify(await r.json()));`;
    const runChild = () =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const proc = spawn(
          process.execPath,
          [
            '--import',
            tsx,
            '--import',
            pathToFileURL(SIMULATOR_FORWARDING_MODULE).href,
            '--input-type=module',
            '-e',
            script,
          ],
          { env: { ...process.env, ...server?.env }, stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let stdout = '';
        let stderr = '';
        proc.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString('utf8');
        });
        proc.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString('utf8');
        });
        proc.on('exit', (code) => resolve({ code, stdout, stderr }));
      });
    const results = await Promise.all([runChild(), runChild(), runChild()]);
    expect(results.map((r) => r.stderr)).toEqual(['', '', '']);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    const values = results.map((r) => (JSON.parse(r.stdout.trim()) as { value: number }).value).sort();
    expect(values).toEqual([1, 2, 3]);
    expect(p.state.counter).toBe(3);
  }, 60_000);
});
