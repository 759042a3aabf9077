import {
  BlueClerkError,
  type BlueClerkStorage,
  createBlueClerk,
  createTokenVault,
  keyRingFromEnv,
  openTokenSet,
  parseClientCredentials,
  randomId,
  readBindingCookie,
  redactText,
  serializeBindingCookie,
} from '@blueclerk/core';
import { setupServer } from 'msw/node';
import { createQuickBooksProvider } from '../src/index';
import { createQuickBooksSimulator } from '../src/testing/index';
import { createAppDatabase } from './app-database';
import { DEMO_APP, type DemoContext } from './context';
import { createReport, type Report, truncate } from './report';
import { watchSimulatorSecrets } from './secret-watch';
import {
  BUSINESS_NAME,
  SEEDED,
  SHARED_CUSTOMER,
  SHARED_ITEM_SKU,
  seedAppDatabase,
  seedQuickBooksCompany,
} from './seed';
import { stepClassifiedFailure, stepSummary } from './story-failure';
import { stepDraftAndOpenInvoice, stepPayment, stepPaymentInQuickBooks, stepResync } from './story-sync';

export interface DemoOptions {
  storage: BlueClerkStorage;
  /** One line saying where the store lives (printed in step 1). */
  storageDescription: string;
  report?: Report;
}

export interface DemoOutcome {
  requests: number;
  secretsChecked: number;
}

/** Runs the whole QuickBooks story. Throws `DemoCheckFailed` when a step does not behave as described. */
export async function runDemoStory(options: DemoOptions): Promise<DemoOutcome> {
  const report = options.report ?? createReport();
  // A fresh company per run keeps runs apart when DATABASE_URL points at a shared PostgreSQL.
  const realmId = `9130${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;
  const sim = createQuickBooksSimulator({
    realms: [realmId],
    clients: [{ ...DEMO_APP, redirectUris: [DEMO_APP.redirectUri] }],
  });
  const server = setupServer(...sim.handlers);
  // No request may leave the process: anything the simulator does not answer is an error.
  server.listen({ onUnhandledRequest: 'error' });
  const watch = watchSimulatorSecrets(server);
  try {
    const ctx = setUp(report, sim, watch, options, realmId);
    await stepConnect(ctx);
    await stepImport(ctx);
    await stepDraftAndOpenInvoice(ctx);
    await stepPayment(ctx);
    await stepResync(ctx);
    await stepPaymentInQuickBooks(ctx);
    await stepClassifiedFailure(ctx);
    return await stepSummary(ctx);
  } finally {
    watch.stop();
    server.close();
  }
}

function setUp(
  report: Report,
  sim: ReturnType<typeof createQuickBooksSimulator>,
  watch: ReturnType<typeof watchSimulatorSecrets>,
  options: DemoOptions,
  realmId: string,
): DemoContext {
  report.step(`Set-up: ${BUSINESS_NAME} adopts an app that syncs with QuickBooks Online`);
  const ownerId = `bluebird-plumbing-${randomId(3)}`;
  report.detail('owner (app account)', ownerId);
  report.detail('storage', options.storageDescription);

  // Credentials are validated at set-up: a value copied from a template fails now, not at the first callback.
  let refused = '';
  try {
    parseClientCredentials({ ...DEMO_APP, clientSecret: 'your-client-secret' }, { prefix: 'QUICKBOOKS' });
  } catch (error) {
    refused = BlueClerkError.isInstance(error) ? error.message : '';
  }
  report.check(
    refused.includes('QUICKBOOKS_CLIENT_SECRET'),
    'a placeholder client secret is refused at set-up',
  );
  report.line(`   (${refused})`);
  const credentials = parseClientCredentials(DEMO_APP, { prefix: 'QUICKBOOKS' });
  report.detail('OAuth client id', credentials.clientId);
  report.detail('redirect URI', credentials.redirectUri);
  report.detail('client secret', `set (${credentials.clientSecret.length} characters, never printed)`);
  watch.add(credentials.clientSecret);

  // The key ring is read the way production reads it: BLUECLERK_ENCRYPTION_KEYS=<keyId>:<32 random bytes, base64>.
  const keyId = `demo-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
  const keyText = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
  watch.add(keyText);
  const keyRing = keyRingFromEnv({ BLUECLERK_ENCRYPTION_KEYS: `${keyId}:${keyText}` });
  const vault = createTokenVault(keyRing);
  report.detail(
    'encryption key ring',
    `1 key, id "${keyRing.currentKeyId}" (AES-256-GCM, generated for this run)`,
  );

  const webhookVerifier = randomId(18);
  watch.add(webhookVerifier);
  const stateSecret = randomId(24);
  watch.add(stateSecret);

  // No defaultIncomeAccountId on purpose: step 8 shows what QuickBooks says about an item without one.
  const provider = createQuickBooksProvider({ environment: 'sandbox' });
  report.detail(
    'provider',
    `${provider.displayName}, ${provider.settings.environment}, minorversion ${provider.settings.minorVersion}`,
  );
  report.detail('QuickBooks API', `${provider.settings.baseUrl} (simulated by msw; no network)`);
  report.detail('QuickBooks company', `realmId ${realmId}`);

  const db = createAppDatabase();
  seedAppDatabase(db);
  seedQuickBooksCompany(sim.realm(realmId));
  report.detail('app database', `${db.customers.size} customers, ${db.items.size} item (in memory)`);
  report.detail(
    'already in QuickBooks',
    `${SEEDED.quickBooksCustomers} customers, ${SEEDED.quickBooksItems} items`,
  );

  const blueclerk = createBlueClerk({
    providers: { quickbooks: provider },
    storage: options.storage,
    vault,
    credentials: { quickbooks: credentials },
    stateSecret,
    host: db,
    returnToOrigins: ['http://localhost:3000'],
  });
  report.check(
    typeof blueclerk.engine.syncInvoice === 'function',
    'createBlueClerk wired connect, tokens, engine and notifier',
  );
  return {
    report,
    sim,
    watch,
    storage: options.storage,
    vault,
    db,
    blueclerk,
    ownerId,
    realmId,
    webhookVerifier,
    connectionId: '',
    ids: { pushedPaymentProviderIds: [] },
  };
}

async function stepConnect(ctx: DemoContext): Promise<void> {
  const { blueclerk } = ctx;
  // Typed explicitly: `check` is an assertion function.
  const report: Report = ctx.report;
  report.step('Connect QuickBooks (OAuth 2.0 authorization code)');
  const started = await blueclerk.connect.start({
    provider: 'quickbooks',
    ownerId: ctx.ownerId,
    returnTo: '/settings/integrations',
  });
  const authorize = new URL(started.url);
  report.detail('authorize URL', `${authorize.origin}${authorize.pathname}`);
  for (const name of ['client_id', 'response_type', 'scope', 'redirect_uri']) {
    report.detail(`  ${name}`, authorize.searchParams.get(name) ?? '(none)');
  }
  report.detail('  state', `${started.state.length} characters (signed + encrypted, single use)`);

  // The user clicks "Connect"; Intuit's consent screen redirects back to our callback with code, state and realmId.
  const consent = await fetch(started.url, { redirect: 'manual' });
  const location = consent.headers.get('location') ?? '';
  report.check(
    consent.status === 302 && location.startsWith(DEMO_APP.redirectUri),
    'Intuit redirects back to the callback',
  );
  const callback = new URL(location);
  report.detail(
    'callback',
    redactText(`${callback.pathname}${callback.search}`).replace(started.state, '<state>'),
  );
  report.check(callback.searchParams.get('state') === started.state, 'the state comes back unchanged');

  // The callback request carries the cookie the start response set: it proves this browser started the attempt.
  const cookie = serializeBindingCookie('quickbooks', started.browserBinding);
  report.detail('binding cookie', `${cookie.split('=')[0]} (${cookie.split('; ').slice(1).join('; ')})`);
  const connection = await blueclerk.connect.handleCallback(location, {
    provider: 'quickbooks',
    browserBinding: readBindingCookie(cookie.split(';')[0], 'quickbooks'),
  });
  ctx.connectionId = connection.id;
  report.detail('connection', connection.id);
  report.detail('tenant (realmId)', connection.tenantId ?? '(none)');
  report.detail('status', connection.status);
  report.detail('return to', connection.returnTo ?? '(none)');
  report.check(
    connection.status === 'active' && connection.tenantId === ctx.realmId,
    'the connection is active for the company',
  );

  const stored = await ctx.storage.connections.getConnection(connection.id);
  const sealed = stored?.tokens;
  report.check(sealed, 'tokens are stored with the connection');
  report.detail('stored access token', truncate(sealed.accessToken, 30));
  report.detail('stored refresh token', truncate(sealed.refreshToken ?? '', 30));
  report.detail('access token expires', new Date(sealed.accessTokenExpiresAt).toISOString());
  const issued = await ctx.watch.accessTokens();
  const opened = openTokenSet(ctx.vault, connection.id, sealed);
  report.check(
    sealed.accessToken.startsWith(`bcv2.${ctx.vault.currentKeyId}.`) &&
      sealed.refreshToken?.startsWith(`bcv2.${ctx.vault.currentKeyId}.`),
    'both tokens are sealed envelopes (bcv2.<keyId>.<nonce>.<ciphertext>)',
  );
  report.check(
    issued.length === 1 &&
      opened.accessToken === issued[0] &&
      !JSON.stringify(stored).includes(opened.accessToken) &&
      !JSON.stringify(stored).includes(opened.refreshToken ?? '\u0000'),
    'the envelopes open to the tokens Intuit issued, which appear nowhere in the stored row',
  );
}

async function stepImport(ctx: DemoContext): Promise<void> {
  const { blueclerk, db } = ctx;
  // Typed explicitly: `check` is an assertion function.
  const report: Report = ctx.report;
  report.step('Import customers and items from QuickBooks');
  const totals = new Map<string, number>();
  const shown = new Map<string, number>();
  const unsubscribe = blueclerk.events.subscribe((event) => {
    if (event.type !== 'import.progress' || event.connectionId !== ctx.connectionId) return;
    if (event.total !== null) totals.set(event.entityType, event.total);
    // The page after the last full one is empty: nothing new to draw.
    if (shown.get(event.entityType) === event.processed) return;
    shown.set(event.entityType, event.processed);
    const label = event.entityType === 'customer' ? 'customers' : 'items';
    report.progress(label, event.processed, totals.get(event.entityType) ?? null);
  });
  try {
    const customers = await blueclerk.engine.importCustomers(ctx.connectionId, { pageSize: 5 });
    report.endProgress();
    const items = await blueclerk.engine.importItems(ctx.connectionId, { pageSize: 3 });
    report.endProgress();
    for (const summary of [customers, items]) {
      report.detail(
        `${summary.entityType}s`,
        `${summary.processed} read: ${summary.created} created, ${summary.linked} linked, ` +
          `${summary.skipped} skipped, ${summary.failed} failed`,
      );
    }
    report.check(
      customers.complete && customers.processed === SEEDED.quickBooksCustomers && customers.failed === 0,
      `all ${SEEDED.quickBooksCustomers} QuickBooks customers were read`,
    );
    report.check(
      customers.linked === 1 && customers.created === SEEDED.quickBooksCustomers - 1,
      `"${SHARED_CUSTOMER.displayName}" (${JSON.stringify(SHARED_CUSTOMER.quickBooksEmail)} in QuickBooks) was linked to the app's ${JSON.stringify(SHARED_CUSTOMER.appEmail)}, not duplicated`,
    );
    const harpers = [...db.customers.values()].filter((c) => c.displayName === SHARED_CUSTOMER.displayName);
    report.check(harpers.length === 1, 'the app still has exactly one Dana Harper');
    report.check(
      items.complete &&
        items.linked === 1 &&
        items.created === SEEDED.quickBooksItems - 1 &&
        items.failed === 0,
      `items: "${SHARED_ITEM_SKU}" linked by SKU, the other ${SEEDED.quickBooksItems - 1} created with their income accounts`,
    );
    const imported = db.items.get(db.itemIdBySku('DRN-CLN'));
    report.detail(
      'e.g. item DRN-CLN',
      `${imported?.name}, income account ${imported?.incomeAccount?.id} (${imported?.incomeAccount?.name})`,
    );
    report.detail('app database now', `${db.customers.size} customers, ${db.items.size} items`);
  } finally {
    unsubscribe();
  }
}
