import type { RequestHandler } from 'msw';
import { type SetupServer, setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';

/**
 * msw servers for simulator tests. Both answer a request no handler claims with an error (`onUnhandledRequest:
 * 'error'`): a test must never reach the network, and a request the simulator does not know is a bug to see.
 *
 * @example
 * // one server per test file, handlers added per test
 * const server = useMswServer();
 * it('...', () => { server.use(...createXSimulator().handlers); });
 *
 * // a script or bench: listen now, close when done
 * const server = startMswServer(...sim.handlers);
 * try { await run(); } finally { server.close(); }
 */

/** Creates an msw server with `handlers` and starts intercepting now. Call `close()` when done. */
export function startMswServer(...handlers: RequestHandler[]): SetupServer {
  const server = setupServer(...handlers);
  server.listen({ onUnhandledRequest: 'error' });
  return server;
}

/**
 * The vitest lifecycle of an msw server: listens before the file's tests, drops handlers added with `server.use()`
 * after each test (the initial `handlers` stay), closes after the file.
 */
export function useMswServer(...handlers: RequestHandler[]): SetupServer {
  const server = setupServer(...handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}
