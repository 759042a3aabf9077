import type { SimCore } from './core';
import { type WriteOperation, writeEntity } from './entities';
import type { QboErrorItem } from './faults';
import { isObject, liveRecord, refValue, type WriteContext, writableFields } from './records';
import { putRecord, type RealmState, recordsOf, type SimEntityName, type WireObject } from './state';
import { formatQboDateTime } from './wire-values';

/** A change as a webhook reports it (legacy `dataChangeEvent.entities[]` fields). */
export interface SimEntityChange {
  name: SimEntityName;
  id: string;
  operation: 'Create' | 'Update' | 'Delete' | 'Void';
  lastUpdated: string;
}

/** Raised by the state API when a seeded write is one QuickBooks would refuse. Carries the Fault errors. */
export class SimulatorWriteError extends Error {
  readonly errors: QboErrorItem[];
  constructor(entity: string, errors: QboErrorItem[]) {
    super(
      `QuickBooks simulator refused ${entity}: ${errors.map((e) => `${e.code} ${e.Message}`).join('; ')}`,
    );
    this.name = 'SimulatorWriteError';
    this.errors = errors;
  }
}

/**
 * Direct access to one company's data, for tests: seed what "already exists in QuickBooks", act as a QuickBooks user
 * (edits bump SyncToken, payments reduce balances), and read back what the client wrote. Writes go through the same
 * validation as the HTTP API. Returned objects are copies.
 */
export interface SimRealmApi {
  realmId: string;
  create(entity: SimEntityName, data: WireObject): WireObject;
  /** Sparse update as a QuickBooks user would make it (no SyncToken needed). */
  update(entity: SimEntityName, id: string, patch: WireObject): WireObject;
  void(entity: 'Invoice' | 'Payment', id: string): WireObject;
  delete(entity: 'Invoice' | 'Payment', id: string): void;
  get(entity: SimEntityName, id: string): WireObject | undefined;
  /** Live records (inactive included unless `activeOnly`), oldest first. */
  list(entity: SimEntityName, options?: { activeOnly?: boolean; includeDeleted?: boolean }): WireObject[];
  /** A payment entered in QuickBooks against an invoice (default: its whole open balance). */
  recordPayment(input: {
    invoiceId: string;
    amount?: number;
    paymentRefNum?: string;
    txnDate?: string;
  }): WireObject;
  /**
   * Merges one name-list record into another, as a QuickBooks user does ("merge A into B" by renaming A to B's
   * name): A is gone (CDC reports it `Deleted`), B is touched. Returns the change a webhook reports for it -
   * operation `Merge` on B with `deletedId` A.
   */
  merge(
    entity: 'Customer' | 'Item',
    fromId: string,
    intoId: string,
  ): { name: SimEntityName; id: string; operation: 'Merge'; deletedId: string; lastUpdated: string };
  /** Changes since an instant, shaped for a webhook payload. */
  changesSince(sinceMs: number): SimEntityChange[];
  /** `requestid` values the company remembers (all it has seen, unless `requestIdReplayWindowMs` is set). */
  requestIds(): string[];
  /**
   * Damages a stored record the way no validation would allow (a field removed with `undefined`, a wrong type, a
   * garbled amount), as old data, imports or bugs elsewhere leave them: for testing that a reader skips and reports
   * a record it cannot read. Counts as an update (CDC and queries return it).
   */
  corrupt(entity: SimEntityName, id: string, patch: Record<string, unknown>): void;
}

export function createRealmApi(core: SimCore, realm: RealmState): SimRealmApi {
  const ctx = (): WriteContext => ({
    realm,
    now: core.clock.now(),
    uniqueDocNumbers: core.uniqueDocNumbers,
    timeZone: core.timeZone,
  });
  const write = (entity: SimEntityName, operation: WriteOperation, body: WireObject): WireObject => {
    const result = writeEntity(ctx(), entity, operation, body);
    if (!result.ok) throw new SimulatorWriteError(entity, result.fault.fault.Error);
    return structuredClone(result.record.data);
  };
  const current = (entity: SimEntityName, id: string) => {
    const record = liveRecord(realm, entity, id);
    if (!record)
      throw new SimulatorWriteError(entity, [{ code: '610', Message: `Object Not Found (${entity} ${id})` }]);
    return record;
  };
  return {
    realmId: realm.realmId,
    create: (entity, data) => write(entity, 'create', data),
    update: (entity, id, patch) => {
      const record = current(entity, id);
      return write(entity, 'update', { ...patch, Id: id, SyncToken: record.data.SyncToken, sparse: true });
    },
    void: (entity, id) => write(entity, 'void', { Id: id, SyncToken: current(entity, id).data.SyncToken }),
    delete: (entity, id) => {
      write(entity, 'delete', { Id: id, SyncToken: current(entity, id).data.SyncToken });
    },
    get: (entity, id) => {
      const record = liveRecord(realm, entity, id);
      return record ? structuredClone(record.data) : undefined;
    },
    list: (entity, options = {}) =>
      [...recordsOf(realm, entity).values()]
        .filter((r) => options.includeDeleted || !r.deleted)
        .filter((r) => !options.activeOnly || r.data.Active !== false)
        .map((r) => structuredClone(r.data)),
    recordPayment: ({ invoiceId, amount, paymentRefNum, txnDate }) => {
      const invoice = current('Invoice', invoiceId);
      const open = Number(invoice.data.Balance);
      const paid = amount ?? open;
      const body: WireObject = {
        CustomerRef: { value: refValue(invoice.data.CustomerRef) },
        TotalAmt: paid,
        Line: [{ Amount: paid, LinkedTxn: [{ TxnId: invoiceId, TxnType: 'Invoice' }] }],
      };
      if (paymentRefNum !== undefined) body.PaymentRefNum = paymentRefNum;
      if (txnDate !== undefined) body.TxnDate = txnDate;
      return write('Payment', 'create', body);
    },
    merge: (entity, fromId, intoId) => {
      const from = current(entity, fromId);
      const into = current(entity, intoId);
      const now = core.clock.now();
      from.deleted = true;
      from.updatedMs = now;
      putRecord(realm, entity, into.id, writableFields(into.data), now, into);
      return {
        name: entity,
        id: intoId,
        operation: 'Merge' as const,
        deletedId: fromId,
        lastUpdated: formatQboDateTime(now, core.timeZone),
      };
    },
    changesSince: (sinceMs) => {
      const changes: SimEntityChange[] = [];
      for (const entity of ['Customer', 'Item', 'Invoice', 'Payment'] as const) {
        for (const r of recordsOf(realm, entity).values()) {
          if (r.updatedMs < sinceMs) continue;
          const voided = isObject(r.data) && r.data.PrivateNote === 'Voided' && r.data.TotalAmt === 0;
          const operation = r.deleted
            ? 'Delete'
            : voided
              ? 'Void'
              : r.createdMs >= sinceMs
                ? 'Create'
                : 'Update';
          changes.push({
            name: entity,
            id: r.id,
            operation,
            lastUpdated: formatQboDateTime(r.updatedMs, core.timeZone),
          });
        }
      }
      return changes;
    },
    requestIds: () => realm.requestIds.keys(),
    corrupt: (entity, id, patch) => {
      const record = recordsOf(realm, entity).get(id);
      if (!record) throw new Error(`QuickBooks simulator: no ${entity} ${id} in realm ${realm.realmId}`);
      const data = { ...record.data } as Record<string, unknown>;
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined) delete data[key];
        else data[key] = value;
      }
      record.data = data as WireObject;
      record.updatedMs = core.clock.now();
    },
  };
}
