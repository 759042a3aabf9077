import {
  type BlueClerk,
  BlueClerkError,
  type ConnectionRecord,
  type Logger,
  parseWith,
} from '@blueclerk/core';
import type { Request } from 'express';
import type { z } from 'zod';
import { accountOf } from '../account';
import type { AppDatabase } from '../app-db';
import type { AppConfig } from '../config';
import type { IdempotencyGuard } from '../idempotency';
import type { ImportJobs } from '../import-jobs';

/** What every route module gets: the app's records, the SDK, and a few helpers. */
export interface RouteContext {
  config: AppConfig;
  db: AppDatabase;
  blueclerk: BlueClerk;
  imports: ImportJobs;
  idempotency: IdempotencyGuard;
  logger: Logger;
  /** The signed-in business account, as the app's authenticate middleware set it (`src/account.ts`). */
  accountOf(req: Request): string;
  /** The connection of this account that invoices sync to (active first), or null when QuickBooks is not connected. */
  syncTarget(accountId: string): Promise<ConnectionRecord | null>;
  /** A connection of this account; `not_found` for someone else's (no hint that it exists). */
  ownedConnection(accountId: string, connectionId: string): Promise<ConnectionRecord>;
}

export function createRouteHelpers(blueclerk: BlueClerk) {
  const connections = blueclerk.storage.connections;
  return {
    accountOf,
    async syncTarget(accountId: string) {
      const all = await connections.listConnections({ ownerId: accountId, provider: 'quickbooks' });
      // A connection needing reconnect is still the target: syncing to it reports "reconnect", which is the truth.
      return (
        all.find((c) => c.status === 'active') ?? all.find((c) => c.status === 'needs_reconnect') ?? null
      );
    },
    async ownedConnection(accountId: string, connectionId: string) {
      const connection = await connections.getConnection(connectionId);
      if (!connection || connection.ownerId !== accountId) {
        throw new BlueClerkError('not_found', `Connection ${connectionId} does not exist`);
      }
      return connection;
    },
  };
}

/** Validates a request body (or query) with zod; `ValidationError` lists the bad fields. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, label = 'request'): z.output<S> {
  return parseWith(schema, input ?? {}, label);
}

/** Express 5 passes a route parameter as a string; this keeps the handlers free of casts. */
export function param(req: Request, name: string): string {
  const value = req.params[name];
  return typeof value === 'string' ? value : '';
}
