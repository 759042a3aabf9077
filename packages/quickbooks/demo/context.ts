import type { BlueClerk, BlueClerkStorage, TokenVault } from '@blueclerk/core';
import type { QuickBooksSimulator } from '../src/testing/index';
import type { AppDatabase } from './app-database';
import type { Report } from './report';
import type { SecretWatch } from './secret-watch';

/** The OAuth app the demo registers with the simulated Intuit. Values pass core's placeholder rules on purpose. */
export const DEMO_APP = {
  clientId: 'ABbluebirdDemo7Qk2Xw9Lm4Rt',
  clientSecret: 'bc-demo-3f9a7c21e5d84b60a1c4e7f2',
  redirectUri: 'http://localhost:3000/oauth/quickbooks/callback',
} as const;

/** What every step works with. */
export interface DemoContext {
  report: Report;
  sim: QuickBooksSimulator;
  watch: SecretWatch;
  storage: BlueClerkStorage;
  vault: TokenVault;
  db: AppDatabase;
  blueclerk: BlueClerk;
  ownerId: string;
  realmId: string;
  /** The app's QuickBooks webhook verifier token (generated per run). */
  webhookVerifier: string;
  /** Set by the connect step. */
  connectionId: string;
  /** Local ids the steps hand to each other. */
  ids: {
    openInvoice?: string;
    firstPayment?: string;
    secondPayment?: string;
    pushedPaymentProviderIds: string[];
  };
}

/** Today as the app dates invoices and payments (UTC calendar day). */
export function today(offsetDays = 0): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}
