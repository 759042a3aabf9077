/**
 * Pushing invoices to QuickBooks: one request per invoice versus the batch endpoint (30 per request), against the
 * simulator with realistic latency and Intuit's limits (500 requests/min, 10 concurrent per realm, 40 batches/min),
 * through core's HTTP layer exactly as the engine uses it. Prints HTTP requests per invoice and wall time.
 *
 *   pnpm --filter @blueclerk/quickbooks bench            # 1,000 invoices
 *   INVOICES=200 pnpm --filter @blueclerk/quickbooks bench
 */
import {
  createLimiterRegistry,
  money,
  type ProviderCallContext,
  type ProviderHttp,
  parseInvoice,
} from '@blueclerk/core';
import { setupServer } from 'msw/node';
import { createQuickBooksProvider } from '../src/index';
import { createQuickBooksSimulator } from '../src/testing/index';

const INVOICES = Number(process.env.INVOICES ?? 1000);
const LATENCY = { min: 120, max: 250 }; // ms per request, typical of QuickBooks writes
const BATCH_ITEM_MS = 40; // assumed extra server time per batch item
const CONCURRENCY = 10;

const sim = createQuickBooksSimulator({ latency: LATENCY, batchItemLatencyMs: BATCH_ITEM_MS });
const server = setupServer(...sim.handlers);
server.listen({ onUnhandledRequest: 'error' });
const tokens = sim.oauth.issueTokens();
const realm = sim.realm();
const customer = realm.create('Customer', { DisplayName: 'Bench Customer' });
const item = realm.create('Item', {
  Name: 'Bench Service',
  UnitPrice: 80,
  IncomeAccountRef: { value: '79' },
});
const provider = createQuickBooksProvider({ environment: 'sandbox' });

function contextFor(connectionId: string): ProviderCallContext<ProviderHttp> {
  const http = provider.createHttp({
    connectionId,
    getAccessToken: async () => tokens.access_token,
    limiter: createLimiterRegistry(),
  });
  return { connectionId, tenantId: sim.defaultRealmId, http, settings: {} };
}

function invoice(number: string) {
  return parseInvoice({
    number,
    customer: { id: String(customer.Id) },
    issueDate: '2026-01-02',
    status: 'OPEN',
    currency: 'USD',
    lines: [
      {
        item: { id: String(item.Id) },
        quantity: 1.5,
        unitPrice: money(8000, 'USD'),
        amount: money(12000, 'USD'),
      },
    ],
    total: money(12000, 'USD'),
    balance: money(12000, 'USD'),
  });
}

async function pool<T>(tasks: Array<() => Promise<T>>, width: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const index = next++;
        results[index] = await (tasks[index] as () => Promise<T>)();
      }
    }),
  );
  return results;
}

async function measure(label: string, run: () => Promise<number>) {
  sim.resetStats();
  const started = performance.now();
  const created = await run();
  const ms = performance.now() - started;
  const stats = sim.stats();
  return {
    path: label,
    invoices: created,
    httpRequests: stats.requests,
    requestsPerInvoice: Number((stats.requests / created).toFixed(3)),
    throttled429: stats.throttled,
    wallSeconds: Number((ms / 1000).toFixed(1)),
    invoicesPerSecond: Number((created / (ms / 1000)).toFixed(1)),
  };
}

const single = await measure('one request per invoice', async () => {
  const ctx = contextFor('bench-single');
  const tasks = Array.from(
    { length: INVOICES },
    (_, n) => () => provider.invoices.create(ctx, invoice(`S-${n + 1}`)),
  );
  return (await pool(tasks, CONCURRENCY)).length;
});

const batched = await measure('batch endpoint (30 per request)', async () => {
  const ctx = contextFor('bench-batch');
  const runBatch = provider.batch;
  if (!runBatch) throw new Error('QuickBooks provider has no batch');
  const chunks: Array<() => Promise<number>> = [];
  for (let start = 0; start < INVOICES; start += 30) {
    const ops = Array.from({ length: Math.min(30, INVOICES - start) }, (_, k) => ({
      id: `B-${start + k + 1}`,
      entityType: 'invoice' as const,
      op: 'create' as const,
      data: invoice(`B-${start + k + 1}`),
    }));
    chunks.push(async () => (await runBatch(ctx, ops)).filter((r) => r.ok).length);
  }
  return (await pool(chunks, CONCURRENCY)).reduce((a, b) => a + b, 0);
});

console.log(
  `QuickBooks invoice push, ${INVOICES} invoices, latency ${LATENCY.min}-${LATENCY.max} ms/request, +${BATCH_ITEM_MS} ms per batch item, concurrency ${CONCURRENCY}, limits 500/min & 10 concurrent & 40 batches/min`,
);
console.table([single, batched]);
console.log(`invoices in the simulator: ${realm.list('Invoice').length}`);
server.close();
