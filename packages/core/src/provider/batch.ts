import type { BlueClerkError } from '../errors/index';
import type { Customer } from '../model/customer';
import type { Invoice } from '../model/invoice';
import type { Item } from '../model/item';
import type { ProviderCallContext } from './context';
import type { ProviderRecord } from './records';

/**
 * One operation in a batch. Operations in one batch must not depend on each other (QuickBooks cannot reference a
 * customer created in the same batch), so the engine batches customers, then items, then invoices.
 */
export type BatchOperation =
  | { id: string; entityType: 'customer'; op: 'create'; data: Customer }
  | {
      id: string;
      entityType: 'customer';
      op: 'update';
      providerId: string;
      version: string | null;
      data: Customer;
    }
  | { id: string; entityType: 'item'; op: 'create'; data: Item }
  | { id: string; entityType: 'item'; op: 'update'; providerId: string; version: string | null; data: Item }
  | { id: string; entityType: 'invoice'; op: 'create'; data: Invoice }
  | {
      id: string;
      entityType: 'invoice';
      op: 'update';
      providerId: string;
      version: string | null;
      data: Invoice;
    };

/** Result of one batch operation, matched by `id`. Partial success is normal. */
export type BatchOperationResult =
  | { id: string; ok: true; record: ProviderRecord<Customer | Item | Invoice> }
  | { id: string; ok: false; error: BlueClerkError };

/**
 * Runs up to `capabilities.batch.maxOperations` operations in one request. Returns one result per operation in any
 * order. Throws only when the whole request failed (auth, network, rate limit).
 */
export type RunBatch<THttp = unknown> = (
  ctx: ProviderCallContext<THttp>,
  operations: BatchOperation[],
  options?: { idempotencyKey?: string },
) => Promise<BatchOperationResult[]>;
