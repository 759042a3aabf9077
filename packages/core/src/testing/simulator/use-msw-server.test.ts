import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { startMswServer } from './msw-server';
import { useMswServer } from './use-msw-server';

const server = useMswServer(http.get('https://api.sim.test/base', () => HttpResponse.json({ from: 'base' })));

describe('useMswServer', () => {
  it('answers with the initial handlers and those a test adds', async () => {
    server.use(http.get('https://api.sim.test/added', () => HttpResponse.json({ from: 'added' })));
    expect(await (await fetch('https://api.sim.test/base')).json()).toEqual({ from: 'base' });
    expect(await (await fetch('https://api.sim.test/added')).json()).toEqual({ from: 'added' });
  });

  it('drops the added handlers after each test and fails a request no handler claims', async () => {
    await expect(fetch('https://api.sim.test/added')).rejects.toThrow();
    expect((await fetch('https://api.sim.test/base')).status).toBe(200);
  });
});

describe('startMswServer', () => {
  it('intercepts from the moment it is created until closed', async () => {
    server.close();
    const script = startMswServer(
      http.get('https://script.sim.test/x', () => HttpResponse.json({ ok: true })),
    );
    try {
      expect(await (await fetch('https://script.sim.test/x')).json()).toEqual({ ok: true });
      await expect(fetch('https://script.sim.test/other')).rejects.toThrow();
    } finally {
      script.close();
      server.listen({ onUnhandledRequest: 'error' });
    }
  });
});
