import type { Customer } from '../model/customer';
import type { Invoice } from '../model/invoice';
import type { Item } from '../model/item';
import type { Payment } from '../model/payment';
import type { EntityType, EpochMs } from '../storage/types';
import type { ProviderCallContext } from './context';
import type { ProviderRecord } from './records';

/** A changed record found by `pullChanges`. Deleted records carry no data. */
export type ProviderChange =
  | { entityType: 'customer'; deleted: false; record: ProviderRecord<Customer> }
  | { entityType: 'item'; deleted: false; record: ProviderRecord<Item> }
  | { entityType: 'invoice'; deleted: false; record: ProviderRecord<Invoice> }
  | { entityType: 'payment'; deleted: false; record: ProviderRecord<Payment> }
  | { entityType: EntityType; deleted: true; providerId: string };

export interface PullChangesRequest {
  /** The single entity type to pull (the engine stores one cursor per connection and entity). */
  entityType: EntityType;
  /** Cursor returned by the previous pull; null for the first pull. */
  cursor: string | null;
  /** For the first pull only: changes since this time (clamped to `capabilities.incrementalPull.maxLookbackDays`). */
  since?: EpochMs;
}

export interface PullChangesResult {
  changes: ProviderChange[];
  /**
   * Cursor to store and pass next time. Must never skip a change: providers with coarse filters (FreshBooks day
   * granularity) re-deliver the boundary instead. Always non-null: "nothing new" returns the same position.
   */
  nextCursor: string;
  /** True when more changes are waiting right now (the engine pulls again before resting). */
  hasMore: boolean;
  /**
   * Changed records the provider could not read, with a typed error each (see `Page.rejected`). Never reported as
   * deleted: "unparseable" is not "gone". The engine reports them as failures and moves the cursor on.
   */
  rejected?: Array<{ entityType: EntityType; providerId: string | null; error: unknown }>;
}

/** Incremental pull, present when the provider can find changes (all four can, by `incrementalPull.strategy`). */
export type PullChanges<THttp = unknown> = (
  ctx: ProviderCallContext<THttp>,
  request: PullChangesRequest,
) => Promise<PullChangesResult>;
