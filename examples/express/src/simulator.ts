import type { QuickBooksSimulator } from '@blueclerk/quickbooks/testing';
import { Router } from 'express';
import type { AppConfig } from './config';

/**
 * Sandbox-simulator mode: an in-process QuickBooks Online (OAuth and Accounting API) answering on Intuit's real URLs
 * through msw, so the app runs end to end without an Intuit account or network. Only loaded in that mode: msw and
 * the simulator never reach a production process.
 */
export interface RunningSimulator {
  sim: QuickBooksSimulator;
  close(): void;
}

/** What "already exists in QuickBooks" on start-up, so the post-connection import has something to bring in. */
const SEED_CUSTOMERS = [
  { DisplayName: 'Acme Plumbing', PrimaryEmailAddr: { Address: 'billing@acme-plumbing.test' } },
  { DisplayName: 'Bright Dental', PrimaryEmailAddr: { Address: 'office@brightdental.test' } },
  { DisplayName: 'Corner Bakery' },
];
const SEED_ITEMS = [
  { Name: 'Drain cleaning', Type: 'Service', UnitPrice: 120, IncomeAccountRef: { value: '1' } },
  { Name: 'Water heater install', Type: 'Service', UnitPrice: 950, IncomeAccountRef: { value: '1' } },
  { Name: 'Service call', Type: 'Service', UnitPrice: 75.5, IncomeAccountRef: { value: '1' } },
];

export async function startSimulator(config: AppConfig): Promise<RunningSimulator> {
  const [{ setupServer }, { createQuickBooksSimulator }] = await Promise.all([
    import('msw/node'),
    import('@blueclerk/quickbooks/testing'),
  ]);
  const { clientId, clientSecret, redirectUri } = config.quickbooks.credentials;
  // The simulated Intuit knows exactly one app: this one, with its configured redirect URI.
  const sim = createQuickBooksSimulator({
    clients: [{ clientId, clientSecret, redirectUris: [redirectUri] }],
  });
  const realm = sim.realm();
  for (const customer of SEED_CUSTOMERS) realm.create('Customer', customer);
  for (const item of SEED_ITEMS) realm.create('Item', item);

  const server = setupServer(...sim.handlers);
  // `bypass`: requests to anything but Intuit (the app's own port, PostgreSQL over HTTP proxies ...) go through.
  server.listen({ onUnhandledRequest: 'bypass' });
  return { sim, close: () => server.close() };
}

/** Where the browser "consents" in simulator mode (Intuit's real consent page knows nothing of the simulator). */
export const SIMULATOR_CONSENT_PATH = '/simulator/connect/oauth2';

/** The authorize URL the SDK built, pointed at this app's relay to the in-process simulator. */
export function simulatorConsentUrl(appOrigin: string, authorizeUrl: string): string {
  return `${appOrigin}${SIMULATOR_CONSENT_PATH}${new URL(authorizeUrl).search}`;
}

/**
 * Simulator mode only: a browser cannot reach the simulator (it lives inside this process, behind msw), so this
 * route asks it on the browser's behalf and passes its answer on - a redirect back to the OAuth callback with
 * `code`, `state` and `realmId`, exactly as Intuit's consent page would send.
 */
export function simulatorRoutes(authorizeUrl: string): Router {
  const router = Router();
  router.get(SIMULATOR_CONSENT_PATH, async (req, res) => {
    const at = req.originalUrl.indexOf('?');
    const query = at >= 0 ? req.originalUrl.slice(at) : '';
    const answer = await fetch(`${authorizeUrl}${query}`, { redirect: 'manual' });
    const location = answer.headers.get('location');
    if (answer.status === 302 && location) {
      res.redirect(302, location);
      return;
    }
    res
      .status(answer.status)
      .type('text/plain')
      .send(await answer.text());
  });
  return router;
}
