import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../runtime/clock';
import { createReplayCache, replayResponse, storeResponse } from './replay-cache';

describe('replay cache', () => {
  it('replays a repeat within the window without running again, and forgets the key after it', async () => {
    const clock = createManualClock();
    const cache = createReplayCache<{ id: number }>({ clock, windowMs: 6 * 60_000 });
    let runs = 0;
    const create = async () => ({ id: ++runs });
    expect(await cache.run('k1', create)).toEqual({ value: { id: 1 }, replayed: false });
    clock.advance(6 * 60_000 - 1);
    expect(await cache.run('k1', create)).toEqual({ value: { id: 1 }, replayed: true });
    expect(cache.keys()).toEqual(['k1']);
    clock.advance(1);
    expect(cache.has('k1')).toBe(false);
    expect(cache.keys()).toEqual([]);
    expect(await cache.run('k1', create)).toEqual({ value: { id: 2 }, replayed: false });
    expect(await cache.run('k2', create)).toEqual({ value: { id: 3 }, replayed: false });
    expect(cache.replays()).toBe(1);
  });

  it('remembers keys for ever by default', async () => {
    const clock = createManualClock();
    const cache = createReplayCache<number>({ clock });
    await cache.run('k', async () => 1);
    clock.advance(365 * 86_400_000);
    expect(await cache.run('k', async () => 2)).toEqual({ value: 1, replayed: true });
    cache.setWindow(1000);
    expect(cache.has('k')).toBe(false);
  });

  it('makes a repeat that arrives while the first request runs wait for it instead of running twice', async () => {
    const cache = createReplayCache<string>();
    let runs = 0;
    let finish: (value: string) => void = () => {};
    const first = cache.run('k', () => {
      runs += 1;
      return new Promise<string>((resolve) => {
        finish = resolve;
      });
    });
    const repeat = cache.run('k', async () => {
      runs += 1;
      return 'second';
    });
    finish('first');
    expect(await first).toEqual({ value: 'first', replayed: false });
    expect(await repeat).toEqual({ value: 'first', replayed: true });
    expect(runs).toBe(1);
  });

  it('stores nothing when the run throws, and forgets a key on request', async () => {
    const cache = createReplayCache<number>();
    await expect(cache.run('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await cache.run('k', async () => 7)).toEqual({ value: 7, replayed: false });
    cache.forget('k');
    expect(await cache.run('k', async () => 8)).toEqual({ value: 8, replayed: false });
  });

  it('stores a Fetch response so it can be answered any number of times', async () => {
    const stored = await storeResponse(
      Response.json({ id: 'inv-1' }, { status: 201, headers: { 'x-request-id': 'r-1' } }),
    );
    for (let i = 0; i < 2; i += 1) {
      const replay = replayResponse(stored);
      expect(replay.status).toBe(201);
      expect(replay.headers.get('x-request-id')).toBe('r-1');
      expect(await replay.json()).toEqual({ id: 'inv-1' });
    }
    const empty = replayResponse(await storeResponse(new Response(null, { status: 204 })));
    expect(empty.status).toBe(204);
    expect(await empty.text()).toBe('');
  });
});
