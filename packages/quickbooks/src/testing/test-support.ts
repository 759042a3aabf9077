import { useMswServer } from '@blueclerk/core/testing';
import { createQuickBooksSimulator, QUICKBOOKS_URLS, type QuickBooksSimulatorOptions } from './simulator';

/** Test-only: one msw server per test file, a fresh simulator per test, and a raw fetch helper for the API. */
export function useSimulatorServer() {
  const server = useMswServer();

  return function start(options?: QuickBooksSimulatorOptions) {
    const sim = createQuickBooksSimulator(options);
    server.use(...sim.handlers);
    const tokens = sim.oauth.issueTokens();
    const realmId = sim.defaultRealmId;
    const api = async (path: string, init: RequestInit & { json?: unknown } = {}) => {
      const { json, ...rest } = init;
      const response = await fetch(`${QUICKBOOKS_URLS.sandbox}/v3/company/${realmId}/${path}`, {
        ...rest,
        method: rest.method ?? (json === undefined ? 'GET' : 'POST'),
        headers: {
          authorization: `Bearer ${tokens.access_token}`,
          accept: 'application/json',
          'content-type': 'application/json',
          ...(rest.headers as Record<string, string> | undefined),
        },
        body: json === undefined ? rest.body : JSON.stringify(json),
      });
      const text = await response.text();
      const isJson = (response.headers.get('content-type') ?? '').includes('json');
      // biome-ignore lint/suspicious/noExplicitAny: tests walk arbitrary QuickBooks JSON (XML Faults stay text)
      return { status: response.status, body: (isJson ? JSON.parse(text) : text) as any };
    };
    return { sim, tokens, realmId, api, server };
  };
}
