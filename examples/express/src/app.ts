import { type BlueClerkStorage, type Logger, silentLogger, systemClock } from '@blueclerk/core';
import express, { type Express, type RequestHandler } from 'express';
import { demoAccount } from './account';
import { type AppDatabase, createAppDatabase } from './app-db';
import type { AppConfig } from './config';
import { refuseCrossSiteRequests } from './cross-site';
import { errorHandler } from './http-errors';
import { createIdempotencyGuard } from './idempotency';
import { createImportJobs } from './import-jobs';
import { createIntegration } from './integration';
import { createRouteHelpers, type RouteContext } from './routes/context';
import { integrationRoutes } from './routes/integrations';
import { invoiceRoutes } from './routes/invoices';
import { notificationRoutes } from './routes/notifications';
import { QUICKBOOKS_WEBHOOK_PATH, webhookRoutes } from './routes/webhooks';
import { type RunningSimulator, simulatorRoutes } from './simulator';

export interface CreateAppOptions {
  /** Storage to use instead of `createDefaultStorage` (PGlite / DATABASE_URL); the caller closes it. */
  storage?: BlueClerkStorage;
  /** Where the app and the SDK log (the SDK redacts before it logs). Default: nothing. */
  logger?: Logger;
  /** Your database; default a fresh in-memory one. */
  db?: AppDatabase;
  /**
   * Your authentication: a middleware that sets the signed-in account with `setAccount(res, accountId)` (or answers
   * 401 itself). Default `demoAccount()`: no sign-in at all, every request is the one demo account.
   */
  authenticate?: RequestHandler;
}

export interface App {
  /** The request handler: `app.listen(port)` or `http.createServer(app.express)`. */
  express: Express;
  db: AppDatabase;
  /** Set in simulator mode. */
  simulator: RunningSimulator | null;
  /** Waits for background imports and pending notifications, then closes the store and the simulator. */
  close(): Promise<void>;
}

/** Builds the Express app over the SDK. Configuration must already be validated (`loadConfig`). */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<App> {
  const logger = options.logger ?? silentLogger;
  const db = options.db ?? createAppDatabase();
  const integration = await createIntegration(config, db, {
    ...(options.storage ? { storage: options.storage } : {}),
    logger,
  });
  const { blueclerk } = integration;
  const imports = createImportJobs({ engine: blueclerk.engine, clock: systemClock, logger });
  const ctx: RouteContext = {
    config,
    db,
    blueclerk,
    imports,
    idempotency: createIdempotencyGuard(),
    logger,
    ...createRouteHelpers(blueclerk),
  };

  const app = express();
  app.disable('x-powered-by');
  // The webhook is called by Intuit's servers and proven by its signature, not by the browser's origin.
  app.use(refuseCrossSiteRequests({ origin: config.publicOrigin, exemptPaths: [QUICKBOOKS_WEBHOOK_PATH] }));
  // Before express.json(): the webhook route needs the raw bytes. Before authentication: it carries no session.
  app.use(webhookRoutes(ctx));
  app.use(options.authenticate ?? demoAccount());
  app.use(express.json({ limit: '200kb' }));
  app.use(integrationRoutes(ctx));
  app.use(invoiceRoutes(ctx));
  app.use(notificationRoutes(ctx));
  if (integration.simulator)
    app.use(simulatorRoutes(blueclerk.providers.get('quickbooks').oauth.endpoints.authorizeUrl));
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'No such route', action: null } });
  });
  app.use(errorHandler(logger));

  return {
    express: app,
    db,
    simulator: integration.simulator,
    async close() {
      await imports.idle();
      await integration.close();
    },
  };
}
