import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../runtime/clock';
import { createFaultInjector } from './fault-injector';
import { createRateLimiter, type RateLimited } from './rate-limiter';
import { describeRequest } from './simulated-request';

const render = (limited: RateLimited) =>
  Response.json(
    { limited: limited.window },
    {
      status: 429,
      headers: limited.retryAfterSec === null ? {} : { 'retry-after': String(limited.retryAfterSec) },
    },
  );

const get = (path = '/a', tenant = 't-1') =>
  describeRequest(new Request(`https://api.sim.test${path}`), tenant);
const post = (path: string, tenant = 't-1') =>
  describeRequest(new Request(`https://api.sim.test${path}`, { method: 'POST' }), tenant);
const ok = async () => Response.json({ ok: true });

describe('rate limiter', () => {
  it('keeps a sliding per-minute window per key and renders the refusal with Retry-After', async () => {
    const clock = createManualClock();
    const limiter = createRateLimiter({
      clock,
      windows: [{ name: 'minute', limit: 2, windowMs: 60_000 }],
      renderLimited: render,
    });
    expect((await limiter.run('t-1', get(), ok)).status).toBe(200);
    clock.advance(20_000);
    expect((await limiter.run('t-1', get(), ok)).status).toBe(200);
    const refused = await limiter.run('t-1', get(), ok);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ limited: 'minute' });
    expect(refused.headers.get('retry-after')).toBe('40');
    expect((await limiter.run('t-2', get('/a', 't-2'), ok)).status).toBe(200);
    // Refused requests are not counted: one slot frees up when the first request leaves the window.
    expect(limiter.usage('t-1')).toEqual({ inFlight: 0, windows: { minute: 2 } });
    clock.advance(40_000);
    expect((await limiter.run('t-1', get(), ok)).status).toBe(200);
    expect((await limiter.run('t-1', get(), ok)).status).toBe(429);
    expect(limiter.stats()).toEqual({ admitted: 4, limited: 2, limitedBy: { minute: 2 }, maxConcurrent: 1 });
  });

  it('counts per-day and per-operation windows only for the requests they apply to', async () => {
    const clock = createManualClock();
    const limiter = createRateLimiter({
      clock,
      windows: [
        { name: 'minute', limit: 100, windowMs: 60_000 },
        {
          name: 'batchesPerMinute',
          limit: 1,
          windowMs: 60_000,
          appliesTo: (r) => r.url.pathname === '/batch',
        },
        { name: 'day', limit: 3, windowMs: 86_400_000 },
      ],
      renderLimited: render,
    });
    expect((await limiter.run('t-1', post('/batch'), ok)).status).toBe(200);
    const second = await limiter.run('t-1', post('/batch'), ok);
    expect(await second.json()).toEqual({ limited: 'batchesPerMinute' });
    expect((await limiter.run('t-1', get(), ok)).status).toBe(200);
    expect((await limiter.run('t-1', get(), ok)).status).toBe(200);
    clock.advance(3600_000);
    const daily = await limiter.run('t-1', get(), ok);
    expect(await daily.json()).toEqual({ limited: 'day' });
    expect(daily.headers.get('retry-after')).toBe(String(23 * 3600));
    expect(limiter.usage('t-1').windows).toEqual({ minute: 0, batchesPerMinute: 0, day: 3 });
  });

  it('caps requests in flight per key and frees the slot when a request finishes', async () => {
    const limiter = createRateLimiter({ concurrency: 2, renderLimited: render });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = async () => {
      await gate;
      return Response.json({ ok: true });
    };
    const a = limiter.run('t-1', get(), slow);
    const b = limiter.run('t-1', get(), slow);
    expect(limiter.usage('t-1').inFlight).toBe(2);
    expect(await (await limiter.run('t-1', get(), ok)).json()).toEqual({ limited: 'concurrency' });
    expect((await limiter.run('t-2', get('/a', 't-2'), ok)).status).toBe(200);
    release();
    await Promise.all([a, b]);
    expect((await limiter.run('t-1', get(), ok)).status).toBe(200);
    expect(limiter.stats()).toMatchObject({ maxConcurrent: 2, limitedBy: { concurrency: 1 } });

    const manual = limiter.acquire('t-3', get('/a', 't-3'));
    expect(manual.ok).toBe(true);
    if (manual.ok) {
      manual.release();
      manual.release();
    }
    expect(limiter.usage('t-3').inFlight).toBe(0);
  });

  it('refuses on an injected throttle fault, and takes new limits at run time', async () => {
    const faults = createFaultInjector();
    const limiter = createRateLimiter({
      faults,
      windows: [{ name: 'minute', limit: 1, windowMs: 60_000 }],
      renderLimited: render,
    });
    faults.inject({ kind: 'throttle', match: { tenant: 't-1' } });
    expect(await (await limiter.run('t-1', get(), ok)).json()).toEqual({ limited: 'fault' });
    expect(faults.stats().fired).toBe(1);
    expect((await limiter.run('t-1', get(), ok)).status).toBe(200);
    limiter.setLimits({ windows: { minute: 2 } });
    expect((await limiter.run('t-1', get(), ok)).status).toBe(200);
    expect(() => limiter.setLimits({ windows: { hour: 1 } })).toThrow(/no window named hour/);
    limiter.resetStats();
    expect(limiter.stats()).toEqual({ admitted: 0, limited: 0, limitedBy: {}, maxConcurrent: 0 });
  });
});
