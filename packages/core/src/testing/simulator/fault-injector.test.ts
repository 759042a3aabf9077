import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFaultInjector, type FaultInjector } from './fault-injector';
import { describeRequest } from './simulated-request';

const render = (status: number) => Response.json({ fault: 'server' }, { status });

function request(method: string, url: string, init: RequestInit = {}) {
  return new Request(url, { method, ...init });
}

/** A handler with a visible effect: each run appends to `writes`. */
function counter() {
  const writes: string[] = [];
  const run = (faults: FaultInjector, r: Request, tenant: string | null = null, committed = true) =>
    faults.run(r, describeRequest(r, tenant), () => {
      writes.push(`${r.method} ${new URL(r.url).pathname}`);
      return { response: Response.json({ ok: true }), committed };
    });
  return { writes, run };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('fault injector', () => {
  it('answers server errors before the handler runs, for the matching requests and the given number of times', async () => {
    const faults = createFaultInjector({ renderServerError: render });
    const { writes, run } = counter();
    faults.inject({
      kind: 'server_error',
      status: 502,
      times: 2,
      match: { method: 'post', path: '/invoices' },
    });
    const get = await run(faults, request('GET', 'https://api.sim.test/invoices'));
    expect(get.status).toBe(200);
    const first = await run(faults, request('POST', 'https://api.sim.test/invoices?x=1'));
    const second = await run(faults, request('POST', 'https://api.sim.test/invoices'));
    const third = await run(faults, request('POST', 'https://api.sim.test/invoices'));
    expect([first.status, second.status, third.status]).toEqual([502, 502, 200]);
    expect(await first.json()).toEqual({ fault: 'server' });
    expect(writes).toEqual(['GET /invoices', 'POST /invoices']);
    expect(faults.stats()).toEqual({ fired: 2, firedByKind: { server_error: 2 } });
  });

  it('matches on tenant, path pattern and predicate', async () => {
    const faults = createFaultInjector();
    const { run } = counter();
    faults.inject({ kind: 'network_error', times: Number.POSITIVE_INFINITY, match: { tenant: 't-2' } });
    faults.inject({ kind: 'server_error', match: { path: /\/items\/\d+$/ } });
    faults.inject({
      kind: 'server_error',
      status: 500,
      match: { predicate: (r) => r.url.searchParams.get('fail') === 'yes' },
    });
    expect((await run(faults, request('GET', 'https://api.sim.test/a'), 't-1')).type).not.toBe('error');
    expect((await run(faults, request('GET', 'https://api.sim.test/a'), 't-2')).type).toBe('error');
    expect((await run(faults, request('GET', 'https://api.sim.test/a'), 't-2')).type).toBe('error');
    expect((await run(faults, request('GET', 'https://api.sim.test/items/x'))).status).toBe(200);
    expect((await run(faults, request('GET', 'https://api.sim.test/items/42'))).status).toBe(503);
    expect((await run(faults, request('GET', 'https://api.sim.test/b?fail=yes'))).status).toBe(500);
    faults.clear();
    expect((await run(faults, request('GET', 'https://api.sim.test/a'), 't-2')).status).toBe(200);
  });

  it('loses the response of a committed write: the effect is applied, the client sees a network error', async () => {
    const faults = createFaultInjector();
    const { writes, run } = counter();
    faults.inject({ kind: 'lose_response', match: { method: 'POST' } });
    // A request that changed nothing does not use the fault up.
    const refused = await run(faults, request('POST', 'https://api.sim.test/invoices'), null, false);
    expect(refused.status).toBe(200);
    const lost = await run(faults, request('POST', 'https://api.sim.test/invoices'));
    expect(lost.type).toBe('error');
    expect(writes).toHaveLength(2);
    expect((await run(faults, request('POST', 'https://api.sim.test/invoices'))).status).toBe(200);
    // A plain Response counts as committed.
    faults.inject({ kind: 'lose_response' });
    const plain = await faults.run(
      request('GET', 'https://api.sim.test/x'),
      describeRequest(request('GET', 'https://api.sim.test/x')),
      () => Response.json({}),
    );
    expect(plain.type).toBe('error');
  });

  it('hangs until the client aborts, or until released; the handler never runs', async () => {
    const faults = createFaultInjector();
    const { writes, run } = counter();
    faults.inject({ kind: 'hang', times: 2 });
    const controller = new AbortController();
    const aborted = run(faults, request('POST', 'https://api.sim.test/a', { signal: controller.signal }));
    const released = run(faults, request('POST', 'https://api.sim.test/b'));
    let settled = false;
    void aborted.then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    controller.abort();
    expect((await aborted).type).toBe('error');
    faults.releaseHangs();
    expect((await released).type).toBe('error');
    expect(writes).toEqual([]);
  });

  it('commits, then hangs for hang_after_commit', async () => {
    const faults = createFaultInjector();
    const { writes, run } = counter();
    faults.inject({ kind: 'hang_after_commit' });
    const pending = run(faults, request('POST', 'https://api.sim.test/a'));
    await vi.waitFor(() => expect(writes).toHaveLength(1));
    faults.releaseHangs();
    expect((await pending).type).toBe('error');
  });

  it('gives up a hang after maxHangMs', async () => {
    vi.useFakeTimers();
    const faults = createFaultInjector({ maxHangMs: 1000 });
    faults.inject({ kind: 'hang' });
    const pending = counter().run(faults, request('GET', 'https://api.sim.test/a'));
    await vi.advanceTimersByTimeAsync(1000);
    expect((await pending).type).toBe('error');
  });

  it('delays by the base latency and by matched latency faults', async () => {
    vi.useFakeTimers();
    const faults = createFaultInjector({ latency: 100 });
    faults.inject({ kind: 'latency', latencyMs: 400, match: { path: '/token' } });
    const { run } = counter();
    let done = false;
    const slow = run(faults, request('POST', 'https://id.sim.test/token')).then((r) => {
      done = true;
      return r;
    });
    await vi.advanceTimersByTimeAsync(499);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await slow).status).toBe(200);

    let skipped = false;
    const noBase = faults
      .run(
        request('GET', 'https://api.sim.test/x'),
        describeRequest(request('GET', 'https://api.sim.test/x')),
        () => Response.json({}),
        {
          baseLatency: false,
        },
      )
      .then(() => {
        skipped = true;
      });
    await vi.advanceTimersByTimeAsync(0);
    expect(skipped).toBe(true);
    await noBase;
  });
});
