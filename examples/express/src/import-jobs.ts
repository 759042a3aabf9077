import type { Clock, Logger, SyncEngine } from '@blueclerk/core';
import { presentImport } from './present';

/**
 * The post-connection import of customers and items. The OAuth callback starts it in the background (the browser
 * should not wait on a 10,000-customer company); Settings > Integrations shows its progress; "Import again" re-runs
 * it. One run per connection at a time. State is per process: a real app would use its job queue.
 */
export type ImportReport = {
  status: 'running' | 'done' | 'failed';
  startedAt: number;
  finishedAt: number | null;
  customers: ReturnType<typeof presentImport> | null;
  items: ReturnType<typeof presentImport> | null;
};

export interface ImportJobs {
  /** Starts an import unless one is running for the connection; resolves with its report. */
  run(connectionId: string, options?: { restart?: boolean }): Promise<ImportReport>;
  /** The last (or running) import of a connection. */
  report(connectionId: string): ImportReport | null;
  /** Resolves once no import is running (shutdown). */
  idle(): Promise<void>;
}

export function createImportJobs(deps: { engine: SyncEngine; clock: Clock; logger: Logger }): ImportJobs {
  const reports = new Map<string, ImportReport>();
  const running = new Map<string, Promise<ImportReport>>();

  async function importAll(connectionId: string, report: ImportReport, restart: boolean) {
    try {
      // Customers first: items do not depend on them, but a UI showing progress reads better this way.
      const customers = await deps.engine.importCustomers(connectionId, { restart });
      report.customers = presentImport(customers);
      const items = await deps.engine.importItems(connectionId, { restart });
      report.items = presentImport(items);
      report.status = customers.failed + items.failed === 0 ? 'done' : 'failed';
    } catch (error) {
      // The engine reports failures in its summaries; a throw here is a bug or the store going away.
      report.status = 'failed';
      deps.logger.log('error', 'import crashed', {
        connectionId,
        name: error instanceof Error ? error.name : typeof error,
      });
    }
    report.finishedAt = deps.clock.now();
    return report;
  }

  return {
    run(connectionId, options = {}) {
      const current = running.get(connectionId);
      if (current) return current;
      const report: ImportReport = {
        status: 'running',
        startedAt: deps.clock.now(),
        finishedAt: null,
        customers: null,
        items: null,
      };
      reports.set(connectionId, report);
      const job = importAll(connectionId, report, options.restart ?? false).finally(() =>
        running.delete(connectionId),
      );
      running.set(connectionId, job);
      return job;
    },
    report: (connectionId) => {
      const report = reports.get(connectionId);
      return report ? structuredClone(report) : null;
    },
    async idle() {
      await Promise.allSettled([...running.values()]);
    },
  };
}
