import { describe } from 'vitest';
import { defineBatchClauses } from './provider-conformance/batch';
import { defineContractClauses } from './provider-conformance/contract';
import { defineErrorClauses } from './provider-conformance/errors';
import { createProviderSuite } from './provider-conformance/harness';
import { definePaymentClauses } from './provider-conformance/payments';
import { definePullClauses } from './provider-conformance/pulls';
import { defineRecordClauses } from './provider-conformance/records';
import type { ProviderConformanceOptions } from './provider-conformance/setup';
import { defineWebhookClauses } from './provider-conformance/webhooks';

export type {
  ConformanceFaultOperation,
  ConformanceFaults,
  ConnectionSettingsFixture,
  ProviderConformanceOptions,
  ProviderConformanceSetup,
  PullFixture,
  WireResponseSample,
} from './provider-conformance/setup';

/**
 * Registers the provider conformance suite with vitest. A provider is conformant when it passes in full against its
 * own simulator. Clauses for capabilities a provider does not declare are not registered for it (no skipped tests):
 *
 * - always: the v1 spec; customers, items, invoices; missing records; `classifyError` on raw throwables;
 *   `http.classifyResponse` on raw wire responses (`wireResponses`).
 * - `connectionSettings`: `{}` parses, valid settings parse, invalid ones fail naming `settings.<field>`.
 * - `versionedUpdates`: a stale version is a `conflict`. `voidInvoices`: void.
 * - `payments: 'api'`: create / find by reference / list; with an idempotency key, a repeated key posts once; a
 *   payment whose response was lost (`faults.loseNextResponse`) is found by reference and exists exactly once.
 * - `payments: 'manual'`: no payment operations, and the engine reports `manual`.
 * - `batch`: partial success, ids mapped back. `pullChanges`: paging and cursors never skip a change (`pulls`).
 * - `webhooks.supported`: signatures and normalisation (`webhook`).
 *
 * A clause that applies needs its fixture: a setup that omits it fails that clause.
 *
 * ```ts
 * // quickbooks.conformance.test.ts
 * runProviderConformance({
 *   name: 'quickbooks (simulator)',
 *   createProvider: () => createQuickBooksProvider(settings),
 *   setup: async () => { const sim = createQuickBooksSimulator(); return { context: sim.context(), ... }; },
 * });
 * ```
 */
export function runProviderConformance<THttp>(options: ProviderConformanceOptions<THttp>): void {
  describe(`provider conformance: ${options.name}`, () => {
    const suite = createProviderSuite(options);
    defineContractClauses(suite);
    defineRecordClauses(suite);
    defineErrorClauses(suite);
    definePaymentClauses(suite);
    defineBatchClauses(suite);
    definePullClauses(suite);
    defineWebhookClauses(suite);
  });
}
