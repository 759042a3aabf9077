import type { RequestHandler } from 'msw';
import { type SetupServer, setupServer } from 'msw/node';

/**
 * An msw server for simulator scripts, demos and benches. It answers a request no handler claims with an error
 * (`onUnhandledRequest: 'error'`): nothing may reach the network, and a request the simulator does not know is a bug
 * to see. Tests use `useMswServer` (same policy, vitest lifecycle).
 *
 * @example
 * const server = startMswServer(...sim.handlers);
 * try { await run(); } finally { server.close(); }
 */
export function startMswServer(...handlers: RequestHandler[]): SetupServer {
  const server = setupServer(...handlers);
  server.listen({ onUnhandledRequest: 'error' });
  return server;
}
