import type { RequestHandler } from 'msw';
import { type SetupServer, setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';

/**
 * The vitest lifecycle of an msw server for one test file: listens before the file's tests with
 * `onUnhandledRequest: 'error'` (no request may reach the network), drops handlers a test added with `server.use()`
 * after each test (the initial `handlers` stay), closes after the file.
 *
 * @example
 * const server = useMswServer();
 * it('...', () => { server.use(...createXSimulator().handlers); });
 */
export function useMswServer(...handlers: RequestHandler[]): SetupServer {
  const server = setupServer(...handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}
