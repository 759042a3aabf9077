import { BlueClerkError, ConcurrencyError } from '../errors/index';
import { type Invoice, parseInvoice } from '../model/invoice';
import type { BatchOperation } from '../provider/batch';
import type { ProviderRecord } from '../provider/records';
import { randomId, randomReference } from '../runtime/ids';
import type { EntityLink } from '../storage/links';
import { contentHash } from './content-hash';
import { classify, isOutcomeUnknown } from './failures';
import { type PreparedInvoice, prepareInvoice, syncInvoiceInScope } from './invoice-sync';
import { pushPayment } from './payment-sync';
import type { BulkSyncSummary, InvoiceSyncResult, PaymentSyncResult } from './results';
import type { ConnectionScope, EngineRuntime } from './runtime';

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

interface Planned {
  localId: string;
  prepared: PreparedInvoice;
  hash: string;
  link: EntityLink | null;
  /** Ledger claim token, for creates. */
  claimToken?: string;
}

function summarize(results: InvoiceSyncResult[], batchRequests: number): BulkSyncSummary {
  return {
    results,
    synced: results.filter((r) => r.status === 'synced' || r.status === 'voided').length,
    skipped: results.filter((r) => r.status === 'skipped').length,
    failed: results.filter((r) => r.status === 'failed').length,
    batchRequests,
  };
}

/**
 * Syncs many invoices. Without a batch endpoint: `syncInvoice` for each, at most `bulkConcurrency` (capped by the
 * provider's concurrency limit) at a time, every call through the connection's rate limiter. With one: customers and
 * items are resolved first (a batch cannot reference records created in the same batch), then fresh creates and
 * changed updates go out in batches of `capabilities.batch.maxOperations`; anything unusual (a recovering ledger
 * claim, a stale version, a void or draft) falls back to the single-invoice path, which handles it.
 */
export async function syncInvoicesInBulk<THttp>(
  rt: EngineRuntime<THttp>,
  scope: ConnectionScope<THttp>,
  localIds: readonly string[],
): Promise<BulkSyncSummary> {
  const concurrency = Math.min(
    rt.options.bulkConcurrency ?? 4,
    rt.provider.capabilities.limits.concurrency ?? 4,
  );
  const runBatch = rt.provider.batch;
  const batchCap = rt.provider.capabilities.batch;
  if (!runBatch || !batchCap) {
    const results = await mapWithConcurrency(localIds, concurrency, (id) =>
      syncInvoiceInScope(rt, scope, id),
    );
    return summarize(results, 0);
  }

  const { connection } = scope;
  const results = new Map<string, InvoiceSyncResult>();
  const single: string[] = [];
  const planned: Planned[] = [];

  // 1. Plan: gate on status, resolve dependencies, decide create / update / unchanged.
  for (const localId of localIds) {
    try {
      const local = await rt.host.getInvoice(localId);
      if (!local || local.data.status === 'DRAFT' || local.data.status === 'VOID') {
        single.push(localId);
        continue;
      }
      const invoice = parseInvoice(local.data);
      const prepared = await prepareInvoice(rt, scope, invoice);
      const hash = contentHash(prepared.data);
      const link = await rt.storage.links.findLinkByLocalId(connection.id, 'invoice', localId);
      if (link && link.contentHash === hash) {
        single.push(localId); // unchanged: the single path only pushes its payments
        continue;
      }
      if (!link) {
        const claim = await rt.storage.ledger.claim({
          key: `invoice.create:${connection.id}:${localId}`,
          connectionId: connection.id,
          operation: 'invoice.create',
          requestId: randomId(16),
          reference: randomReference(20),
          ttlMs: rt.options.invoiceClaimTtlMs ?? 150_000,
        });
        if (claim.outcome !== 'claimed' || claim.entry.attempts > 1) {
          single.push(localId); // a previous attempt exists: the single path looks it up first
          continue;
        }
        planned.push({ localId, prepared, hash, link, claimToken: claim.entry.claimToken ?? '' });
      } else {
        planned.push({ localId, prepared, hash, link });
      }
    } catch (error) {
      results.set(localId, {
        status: 'failed',
        localId,
        failure: rt.fail(connection, 'invoice', localId, error),
      });
    }
  }

  // 2. Batch the writes.
  let batchRequests = 0;
  const byId = new Map(planned.map((p) => [p.localId, p]));
  for (const group of chunk(planned, batchCap.maxOperations)) {
    const operations: BatchOperation[] = group.map((p) =>
      p.link
        ? {
            id: p.localId,
            entityType: 'invoice',
            op: 'update',
            providerId: p.link.providerId,
            version: p.link.providerVersion,
            data: p.prepared.data,
          }
        : { id: p.localId, entityType: 'invoice', op: 'create', data: p.prepared.data },
    );
    batchRequests++;
    let outcomes: Awaited<ReturnType<typeof runBatch>>;
    try {
      outcomes = await rt.call(scope, (ctx) => runBatch(ctx, operations));
    } catch (raw) {
      const error = classify(rt.provider, raw);
      for (const p of group) {
        // Unknown outcome: leave create claims pending so the next attempt looks the invoice up by number.
        if (p.claimToken && !isOutcomeUnknown(error)) await failCreateClaim(rt, connection.id, p, error);
        results.set(p.localId, {
          status: 'failed',
          localId: p.localId,
          failure: rt.fail(connection, 'invoice', p.localId, error),
        });
      }
      continue;
    }
    for (const outcome of outcomes) {
      const p = byId.get(outcome.id);
      if (!p) continue;
      if (outcome.ok) {
        await recordBatchSuccess(rt, scope, p, outcome.record as ProviderRecord<Invoice>, results);
      } else if (outcome.error.code === 'conflict' && p.link) {
        single.push(p.localId); // stale version: the single path re-reads and retries once
      } else {
        if (p.claimToken) await failCreateClaim(rt, connection.id, p, outcome.error);
        results.set(p.localId, {
          status: 'failed',
          localId: p.localId,
          failure: rt.fail(connection, 'invoice', p.localId, outcome.error),
        });
      }
    }
    for (const p of group) {
      if (!results.has(p.localId) && !single.includes(p.localId)) {
        const error = new BlueClerkError(
          'provider_error',
          `Batch response had no result for invoice ${p.localId}`,
        );
        results.set(p.localId, {
          status: 'failed',
          localId: p.localId,
          failure: rt.fail(connection, 'invoice', p.localId, error),
        });
      }
    }
  }

  // 3. Everything else one by one, within the concurrency limit.
  const singles = await mapWithConcurrency(single, concurrency, (id) => syncInvoiceInScope(rt, scope, id));
  for (const result of singles) results.set(result.localId, result);
  return summarize(
    localIds.map((id) => results.get(id)).filter((r): r is InvoiceSyncResult => r !== undefined),
    batchRequests,
  );
}

async function failCreateClaim<THttp>(
  rt: EngineRuntime<THttp>,
  connectionId: string,
  p: Planned,
  error: BlueClerkError,
): Promise<void> {
  try {
    await rt.storage.ledger.failClaim(`invoice.create:${connectionId}:${p.localId}`, p.claimToken ?? '', {
      code: error.code,
      message: error.message,
    });
  } catch (ledgerError) {
    if (!ConcurrencyError.isInstance(ledgerError)) throw ledgerError;
  }
}

async function recordBatchSuccess<THttp>(
  rt: EngineRuntime<THttp>,
  scope: ConnectionScope<THttp>,
  p: Planned,
  record: ProviderRecord<Invoice>,
  results: Map<string, InvoiceSyncResult>,
): Promise<void> {
  const { connection } = scope;
  if (p.claimToken) {
    try {
      await rt.storage.ledger.completeClaim(`invoice.create:${connection.id}:${p.localId}`, p.claimToken, {
        providerId: record.providerId,
      });
    } catch (error) {
      if (!ConcurrencyError.isInstance(error)) throw error;
    }
  }
  const link = await rt.storage.links.upsertLink({
    connectionId: connection.id,
    entityType: 'invoice',
    localId: p.localId,
    providerId: record.providerId,
    providerVersion: record.version,
    contentHash: p.hash,
    lastSyncedAt: rt.clock.now(),
  });
  const action = p.link ? 'updated' : 'created';
  rt.emit(connection, {
    type: 'sync.succeeded',
    entityType: 'invoice',
    localId: p.localId,
    providerId: record.providerId,
    action,
  });
  const payments: PaymentSyncResult[] = [];
  for (const payment of await rt.host.listInvoicePayments(p.localId)) {
    payments.push(await pushPayment(rt, scope, payment, link, p.prepared.customerProviderId));
  }
  results.set(p.localId, {
    status: 'synced',
    localId: p.localId,
    providerId: record.providerId,
    action,
    paymentLinkUrl: (record.data as { paymentLinkUrl?: string | null }).paymentLinkUrl ?? null,
    dependencies: p.prepared.dependencies,
    payments,
  });
}
