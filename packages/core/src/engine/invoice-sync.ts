import { BlueClerkError, ConcurrencyError } from '../errors/index';
import { type Invoice, parseInvoice } from '../model/invoice';
import type { ProviderRecord } from '../provider/records';
import type { EntityLink } from '../storage/links';
import { contentHash } from './content-hash';
import { ensureCustomer, ensureItem, idempotencyKeyFor } from './dependencies';
import { classify } from './failures';
import { runLedgeredWrite } from './ledgered';
import { pushPayment } from './payment-sync';
import type { DependencyResult, InvoiceSyncResult, PaymentSyncResult } from './results';
import type { ConnectionScope, EngineRuntime } from './runtime';

/** `contentHash` marker of a link whose invoice was voided in the provider. */
export const VOIDED_MARKER = 'voided';

export interface InvoiceSyncOptions {
  /** Push the invoice's unsynced payments after the invoice. Default true. */
  pushPayments?: boolean;
}

/** The provider-side invoice: local references replaced by linked provider ids. */
export interface PreparedInvoice {
  data: Invoice;
  customerProviderId: string;
  dependencies: DependencyResult[];
}

/** Pushes or links the customer and every item of the invoice, and rewrites references to provider ids. */
export async function prepareInvoice<THttp>(
  rt: EngineRuntime<THttp>,
  scope: ConnectionScope<THttp>,
  invoice: Invoice,
): Promise<PreparedInvoice> {
  const dependencies: DependencyResult[] = [];
  const customer = await ensureCustomer(rt, scope, invoice.customer.id);
  dependencies.push(customer);
  const itemIds = new Map<string, string>();
  for (const line of invoice.lines) {
    if (!line.item || itemIds.has(line.item.id)) continue;
    const item = await ensureItem(rt, scope, line.item.id);
    itemIds.set(line.item.id, item.providerId);
    dependencies.push(item);
  }
  const data: Invoice = {
    ...invoice,
    customer: { id: customer.providerId, name: invoice.customer.name },
    lines: invoice.lines.map((line) => ({
      ...line,
      item: line.item ? { id: itemIds.get(line.item.id) ?? line.item.id, name: line.item.name } : null,
    })),
  };
  return { data, customerProviderId: customer.providerId, dependencies };
}

/** Runs an update with the link's version; on a stale version re-reads the record and retries exactly once. */
export async function withFreshVersion<THttp, T>(
  rt: EngineRuntime<THttp>,
  scope: ConnectionScope<THttp>,
  link: EntityLink,
  reread: () => Promise<ProviderRecord<T> | null>,
  update: (version: string | null) => Promise<ProviderRecord<T>>,
): Promise<ProviderRecord<T>> {
  const versioned = rt.provider.capabilities.versionedUpdates;
  try {
    return await update(versioned ? link.providerVersion : null);
  } catch (raw) {
    const error = classify(rt.provider, raw);
    if (error.code !== 'conflict') throw error;
    // Without version tokens there is nothing to refresh: a conflict (modified concurrently) is retried as is.
    if (!versioned) return update(null);
    const current = await reread();
    if (!current) {
      throw new BlueClerkError(
        'not_found',
        `${rt.provider.displayName} record ${link.providerId} no longer exists`,
      );
    }
    rt.logger.log('info', 'stale version, retrying once with the current one', {
      connectionId: scope.connection.id,
      entityType: link.entityType,
      providerId: link.providerId,
    });
    return update(current.version);
  }
}

async function storeInvoiceLink<THttp>(
  rt: EngineRuntime<THttp>,
  connectionId: string,
  localId: string,
  record: ProviderRecord<unknown>,
  hash: string | null,
): Promise<void> {
  await rt.storage.links.upsertLink({
    connectionId,
    entityType: 'invoice',
    localId,
    providerId: record.providerId,
    providerVersion: record.version,
    contentHash: hash,
    lastSyncedAt: rt.clock.now(),
  });
}

async function voidInvoice<THttp>(
  rt: EngineRuntime<THttp>,
  scope: ConnectionScope<THttp>,
  localId: string,
  link: EntityLink | null,
): Promise<InvoiceSyncResult> {
  const { connection } = scope;
  const skip = (reason: 'void_not_synced' | 'void_unsupported' | 'already_void', message: string) => {
    rt.emit(connection, { type: 'sync.skipped', entityType: 'invoice', localId, reason: message });
    return { status: 'skipped' as const, localId, reason, message };
  };
  if (!link) return skip('void_not_synced', 'The invoice was never synced, so there is nothing to void.');
  if (link.contentHash === VOIDED_MARKER)
    return skip('already_void', 'The invoice is already void in the provider.');
  const voidOp = rt.provider.invoices.void;
  if (!rt.provider.capabilities.voidInvoices || !voidOp) {
    return skip(
      'void_unsupported',
      `${rt.provider.displayName} does not allow voiding through its API; void invoice ${link.providerId} there.`,
    );
  }
  const record = await withFreshVersion(
    rt,
    scope,
    link,
    () => rt.call(scope, (ctx) => rt.provider.invoices.get(ctx, link.providerId)),
    (version) => rt.call(scope, (ctx) => voidOp(ctx, link.providerId, { version })),
  );
  await storeInvoiceLink(rt, connection.id, localId, record, VOIDED_MARKER);
  rt.emit(connection, {
    type: 'sync.succeeded',
    entityType: 'invoice',
    localId,
    providerId: record.providerId,
    action: 'voided',
  });
  return { status: 'voided', localId, providerId: record.providerId };
}

async function createInvoice<THttp>(
  rt: EngineRuntime<THttp>,
  scope: ConnectionScope<THttp>,
  localId: string,
  prepared: PreparedInvoice,
): Promise<ProviderRecord<Invoice>> {
  const invoices = rt.provider.invoices;
  const outcome = await runLedgeredWrite(
    rt,
    {
      key: `invoice.create:${scope.connection.id}:${localId}`,
      connectionId: scope.connection.id,
      operation: 'invoice.create',
      ttlMs: rt.options.invoiceClaimTtlMs ?? 150_000,
      // Invoices are found again by number; an unnumbered invoice cannot be, so its claim simply waits out the TTL.
      lookup: async () => {
        const number = prepared.data.number;
        if (!number) return null;
        const found = await rt.call(scope, (ctx) => invoices.findByNumber(ctx, number));
        return found ? { providerId: found.providerId, value: found } : null;
      },
      perform: async (entry) => {
        const created = await rt.call(scope, (ctx) =>
          invoices.create(ctx, prepared.data, { idempotencyKey: idempotencyKeyFor(rt, entry.requestId) }),
        );
        return { providerId: created.providerId, value: created };
      },
    },
    (error) => classify(rt.provider, error),
  );
  switch (outcome.kind) {
    case 'done':
      if (outcome.value) return outcome.value;
      break;
    case 'unrecorded':
      // Created, but the ledger could not record it: carry on with the record (the next sync records it), or, when
      // this run has no record to carry on with, report the storage failure.
      if (outcome.value) return outcome.value;
      throw outcome.error;
    case 'in_progress':
      // Not a conflict with a change in the provider: another worker holds the ledger claim for this create.
      throw new ConcurrencyError(
        'in_progress',
        `Another sync is still creating invoice ${localId} in ${rt.provider.displayName}`,
        { retryable: true, details: { localId } },
      );
    case 'unknown':
    case 'failed':
      throw outcome.error;
    default:
      break;
  }
  // Created earlier but the link was never stored (crash in between): read it back.
  const providerId = outcome.providerId;
  const record = await rt.call(scope, (ctx) => invoices.get(ctx, providerId));
  if (!record) throw new BlueClerkError('not_found', `Invoice ${providerId} recorded as created is missing`);
  return record;
}

/**
 * Syncs one invoice, gated on its status: DRAFT is skipped; VOID is carried to the provider only when it was synced
 * and the provider can void; OPEN, SENT (and PAID, so a paid invoice's payments can follow) are pushed - created on
 * the first sync (with its customer and items), updated with the version token afterwards - and then every payment
 * not yet synced is pushed.
 */
export async function syncInvoiceInScope<THttp>(
  rt: EngineRuntime<THttp>,
  scope: ConnectionScope<THttp>,
  localId: string,
  options: InvoiceSyncOptions = {},
): Promise<InvoiceSyncResult> {
  const { connection } = scope;
  try {
    const local = await rt.host.getInvoice(localId);
    if (!local) throw new BlueClerkError('not_found', `Invoice ${localId} does not exist in the app`);
    const status = local.data.status;
    const link = await rt.storage.links.findLinkByLocalId(connection.id, 'invoice', localId);
    if (status === 'DRAFT') {
      const message = 'Draft invoices are not synced; mark it open or sent to push it.';
      rt.emit(connection, { type: 'sync.skipped', entityType: 'invoice', localId, reason: message });
      return { status: 'skipped', localId, reason: 'draft', message };
    }
    if (status === 'VOID') return await voidInvoice(rt, scope, localId, link);

    const invoice = parseInvoice(local.data);
    const prepared = await prepareInvoice(rt, scope, invoice);
    const hash = contentHash(prepared.data);
    let record: ProviderRecord<Invoice>;
    let action: 'created' | 'updated' | 'unchanged';
    if (!link) {
      record = await createInvoice(rt, scope, localId, prepared);
      action = 'created';
    } else if (link.contentHash === hash) {
      record = {
        providerId: link.providerId,
        version: link.providerVersion,
        updatedAt: null,
        data: prepared.data,
      };
      action = 'unchanged';
    } else {
      record = await withFreshVersion(
        rt,
        scope,
        link,
        () => rt.call(scope, (ctx) => rt.provider.invoices.get(ctx, link.providerId)),
        (version) =>
          rt.call(scope, (ctx) =>
            rt.provider.invoices.update(ctx, link.providerId, prepared.data, { version }),
          ),
      );
      action = 'updated';
    }
    if (action !== 'unchanged') await storeInvoiceLink(rt, connection.id, localId, record, hash);
    rt.emit(connection, {
      type: 'sync.succeeded',
      entityType: 'invoice',
      localId,
      providerId: record.providerId,
      action,
    });

    const payments: PaymentSyncResult[] = [];
    if (options.pushPayments !== false) {
      const invoiceLink = await rt.storage.links.findLinkByLocalId(connection.id, 'invoice', localId);
      if (invoiceLink) {
        for (const payment of await rt.host.listInvoicePayments(localId)) {
          payments.push(await pushPayment(rt, scope, payment, invoiceLink, prepared.customerProviderId));
        }
      }
    }
    return {
      status: 'synced',
      localId,
      providerId: record.providerId,
      action,
      paymentLinkUrl: record.data.paymentLinkUrl ?? invoice.paymentLinkUrl ?? null,
      dependencies: prepared.dependencies,
      payments,
    };
  } catch (error) {
    return { status: 'failed', localId, failure: rt.fail(connection, 'invoice', localId, error) };
  }
}
