import type { EpochMs } from '../storage/types';

/**
 * A record as the provider holds it: its id, its concurrency token and the data in core's model.
 */
export interface ProviderRecord<T> {
  /** The provider's id (QuickBooks Id, Xero ContactID/InvoiceID, FreshBooks id, Wave node id). */
  providerId: string;
  /** Concurrency token to send back on update (QuickBooks SyncToken); null where the provider has none. */
  version: string | null;
  /** When the provider last changed it, if it says; used by pulls and to skip stale webhook fetches. */
  updatedAt: EpochMs | null;
  data: T;
}

/** One page of a list. `nextCursor` null means the list is exhausted. */
export interface Page<T> {
  records: Array<ProviderRecord<T>>;
  /** Opaque, provider-defined; pass back as `cursor` to read on. Stored by the engine to resume imports. */
  nextCursor: string | null;
  /** Total number of records when the provider reports it (for progress); null otherwise. */
  total: number | null;
  /**
   * Records of this page the provider could not read (a missing Id, a garbled amount): each with its id when known
   * and a typed error (`ProviderError('malformed_response')` naming the entity and field). The good records of the
   * page are still in `records`; the engine reports these and goes on, so one bad record never fails a whole page.
   */
  rejected?: Array<{ providerId: string | null; error: unknown }>;
}

/** Options for paged lists. */
export interface ListOptions {
  /** Null or absent: first page. */
  cursor?: string | null;
  /** Requested page size; providers cap it to their maximum (FreshBooks 100). Default: the provider's own. */
  pageSize?: number;
  /** Include inactive / archived records. Default false. */
  includeInactive?: boolean;
}

/** Options for creates. */
export interface CreateOptions {
  /**
   * Idempotency key for providers that take one (see `capabilities.idempotencyKey`), already within its max length.
   * Providers without one ignore it.
   */
  idempotencyKey?: string;
}

/** Options for updates. */
export interface UpdateOptions {
  /**
   * The version token last read (`ProviderRecord.version`). Required when `capabilities.versionedUpdates`; a stale
   * one fails with `ProviderError('conflict')`.
   */
  version: string | null;
}
