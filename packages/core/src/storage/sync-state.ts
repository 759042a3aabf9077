import type { EntityType, EpochMs } from './types';

/** Per-connection sync bookkeeping: incremental-pull cursors and webhook delivery de-duplication. */
export interface SyncStateStore {
  getCursor(connectionId: string, scope: EntityType | string): Promise<string | null>;
  setCursor(connectionId: string, scope: EntityType | string, cursor: string): Promise<void>;
  /**
   * Records a webhook delivery id. Returns true the first time an id is seen (within `ttlMs`), false for a repeat.
   * Exactly one of N concurrent calls with the same id gets true.
   */
  rememberDelivery(provider: string, deliveryId: string, ttlMs: number): Promise<boolean>;
  /**
   * Removes a remembered delivery id, so the next delivery with it counts as new (`rememberDelivery` returns true
   * again). Used when processing a delivery failed, so the provider's re-delivery is processed. Forgetting an id that
   * is not remembered (or already expired) is a no-op.
   */
  forgetDelivery(provider: string, deliveryId: string): Promise<void>;
}

export interface CursorRecord {
  connectionId: string;
  scope: string;
  cursor: string;
  updatedAt: EpochMs;
}
