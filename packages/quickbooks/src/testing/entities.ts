import { buildAccount, buildCustomer, buildItem, buildPerson } from './entities-names';
import { appliedToInvoice, buildInvoice, buildPayment, paymentApplications } from './entities-transactions';
import { faults } from './faults';
import {
  type BuildResult,
  isObject,
  liveRecord,
  loadForUpdate,
  mergeForUpdate,
  refValue,
  type WriteContext,
  type WriteResult,
  writableFields,
} from './records';
import { nextId, putRecord, recordsOf, type SimEntityName, type SimRecord, type WireObject } from './state';
import { centsToDecimal, decimalToCents } from './wire-values';

export type WriteOperation = 'create' | 'update' | 'delete' | 'void';

type Builder = (ctx: WriteContext, input: WireObject, previous?: SimRecord) => BuildResult;
const BUILDERS: Partial<Record<SimEntityName, Builder>> = {
  Customer: buildCustomer,
  Item: buildItem,
  Account: buildAccount,
  Invoice: buildInvoice,
  Payment: buildPayment,
  Vendor: buildPerson('Vendor'),
  Employee: buildPerson('Employee'),
};

/**
 * Applies one write the way QuickBooks does: validate everything first, then mutate, so a Fault never leaves a
 * half-applied change behind (the JS event loop makes each call atomic).
 */
export function writeEntity(
  ctx: WriteContext,
  entity: SimEntityName,
  operation: WriteOperation,
  input: unknown,
): WriteResult {
  if (!isObject(input))
    return { ok: false, fault: faults.badRequest(`Request body must be a ${entity} object`) };
  const builder = BUILDERS[entity];
  if (!builder) return { ok: false, fault: faults.unsupportedOperation(`${operation} on ${entity}`) };
  if (operation === 'delete') return deleteEntity(ctx, entity, input);
  if (operation === 'void') return voidEntity(ctx, entity, input);

  let previous: SimRecord | undefined;
  let merged = writableFields(input);
  if (operation === 'update') {
    const loaded = loadForUpdate(ctx.realm, entity, input);
    if (!loaded.ok) return loaded;
    previous = loaded.previous;
    merged = mergeForUpdate(previous, input);
  }
  const built = builder(ctx, merged, previous);
  if (!built.ok) return built;
  const id = previous?.id ?? nextId(ctx.realm, entity);
  const oldApplications = previous && entity === 'Payment' ? paymentApplications(previous.data) : [];
  const record = putRecord(ctx.realm, entity, id, built.data, ctx.now, previous);
  afterWrite(ctx, entity, record, oldApplications);
  return { ok: true, record };
}

function deleteEntity(ctx: WriteContext, entity: SimEntityName, input: WireObject): WriteResult {
  if (entity !== 'Invoice' && entity !== 'Payment') {
    // Name-list entities are never deleted in QuickBooks; clients set Active:false.
    return { ok: false, fault: faults.unsupportedOperation(`Delete on ${entity}`) };
  }
  const loaded = loadForUpdate(ctx.realm, entity, input);
  if (!loaded.ok) return loaded;
  const record = loaded.previous;
  if (entity === 'Invoice' && appliedToInvoice(ctx, record.id) > 0) {
    return {
      ok: false,
      fault: faults.business('This invoice has payments applied. Delete the payments first.'),
    };
  }
  const oldApplications = entity === 'Payment' ? paymentApplications(record.data) : [];
  record.deleted = true;
  record.updatedMs = ctx.now;
  afterWrite(ctx, entity, record, oldApplications);
  return { ok: true, record };
}

function voidEntity(ctx: WriteContext, entity: SimEntityName, input: WireObject): WriteResult {
  if (entity !== 'Invoice' && entity !== 'Payment') {
    return { ok: false, fault: faults.unsupportedOperation(`Void on ${entity}`) };
  }
  const loaded = loadForUpdate(ctx.realm, entity, input);
  if (!loaded.ok) return loaded;
  const previous = loaded.previous;
  if (entity === 'Invoice' && appliedToInvoice(ctx, previous.id) > 0) {
    return {
      ok: false,
      fault: faults.business('This invoice has payments applied. Void or delete the payments first.'),
    };
  }
  const data = { ...writableFields(previous.data) };
  // QuickBooks keeps a voided transaction with zero amounts and "Voided" in the private note.
  if (entity === 'Invoice') {
    data.Line = (Array.isArray(data.Line) ? data.Line : []).map((line) =>
      isObject(line) ? { ...line, Amount: 0 } : line,
    );
    data.TxnTaxDetail = { ...(isObject(data.TxnTaxDetail) ? data.TxnTaxDetail : {}), TotalTax: 0 };
    data.Balance = 0;
  } else {
    data.Line = [];
    data.UnappliedAmt = 0;
  }
  data.TotalAmt = 0;
  data.PrivateNote = 'Voided';
  const oldApplications = entity === 'Payment' ? paymentApplications(previous.data) : [];
  const record = putRecord(ctx.realm, entity, previous.id, data, ctx.now, previous);
  afterWrite(ctx, entity, record, oldApplications);
  return { ok: true, record };
}

/** Side effects QuickBooks applies: payments move invoice balances and LinkedTxn; balances roll up to customers. */
function afterWrite(
  ctx: WriteContext,
  entity: SimEntityName,
  record: SimRecord,
  oldApplications: Array<{ invoiceId: string }>,
): void {
  if (entity === 'Payment') {
    const touched = new Set(oldApplications.map((a) => a.invoiceId));
    if (!record.deleted) for (const a of paymentApplications(record.data)) touched.add(a.invoiceId);
    for (const invoiceId of touched) syncInvoiceBalance(ctx, invoiceId);
  }
  if (entity === 'Payment' || entity === 'Invoice') {
    const customerId = refValue(record.data.CustomerRef);
    if (customerId) refreshCustomerBalance(ctx, customerId);
  }
}

function syncInvoiceBalance(ctx: WriteContext, invoiceId: string): void {
  const invoice = liveRecord(ctx.realm, 'Invoice', invoiceId);
  if (!invoice) return;
  const links: WireObject[] = [];
  for (const payment of recordsOf(ctx.realm, 'Payment').values()) {
    if (payment.deleted) continue;
    if (paymentApplications(payment.data).some((a) => a.invoiceId === invoiceId)) {
      links.push({ TxnId: payment.id, TxnType: 'Payment' });
    }
  }
  const balance = (decimalToCents(invoice.data.TotalAmt) ?? 0) - appliedToInvoice(ctx, invoiceId);
  // Applying a payment is an edit of the invoice in QuickBooks: SyncToken and LastUpdatedTime move too.
  putRecord(
    ctx.realm,
    'Invoice',
    invoiceId,
    { ...writableFields(invoice.data), Balance: centsToDecimal(balance), LinkedTxn: links },
    ctx.now,
    invoice,
  );
}

function refreshCustomerBalance(ctx: WriteContext, customerId: string): void {
  const customer = liveRecord(ctx.realm, 'Customer', customerId);
  if (!customer) return;
  let open = 0;
  for (const invoice of recordsOf(ctx.realm, 'Invoice').values()) {
    if (!invoice.deleted && refValue(invoice.data.CustomerRef) === customerId) {
      open += decimalToCents(invoice.data.Balance) ?? 0;
    }
  }
  customer.data.Balance = centsToDecimal(open);
  customer.data.BalanceWithJobs = centsToDecimal(open);
}

/** Delete answers with a status stub, like QuickBooks; other writes with the stored entity. */
export function writeBody(record: SimRecord): unknown {
  return record.deleted ? { domain: 'QBO', status: 'Deleted', Id: record.id } : record.data;
}
