import type { SyncFailureCategory } from '../errors/codes';
import type { EntityType, ProviderId } from '../storage/types';

/**
 * Typed events the SDK emits (token manager, sync engine, webhooks). Notifications, health and email alerts are
 * derived from them by `notifications/`; apps can subscribe too.
 */
interface EventBase {
  ownerId: string;
  connectionId: string;
  provider: ProviderId;
  at: number;
}

export type BlueClerkEvent =
  | (EventBase & { type: 'connection.connected' })
  | (EventBase & { type: 'connection.disconnected' })
  | (EventBase & { type: 'connection.needs_reconnect'; reason: string })
  | (EventBase & { type: 'token.refreshed' })
  | (EventBase & {
      type: 'sync.succeeded';
      entityType: EntityType;
      localId: string;
      providerId: string;
      action: 'created' | 'updated' | 'linked' | 'voided' | 'unchanged';
    })
  | (EventBase & { type: 'sync.skipped'; entityType: EntityType; localId: string; reason: string })
  | (EventBase & {
      type: 'sync.failed';
      entityType: EntityType | null;
      localId: string | null;
      category: SyncFailureCategory;
      code: string;
      /** Safe, redacted message. */
      message: string;
      /** What to do about it. */
      action: string;
      retryable: boolean;
      /** For `missing_field`: which field (`customer.email`, `item.incomeAccount` ...). */
      field?: string;
    })
  | (EventBase & {
      type: 'import.progress';
      entityType: EntityType;
      processed: number;
      total: number | null;
    })
  | (EventBase & {
      type: 'webhook.payment_applied';
      invoiceLocalId: string;
      paymentProviderId: string;
      invoicePaid: boolean;
    });

export type BlueClerkEventType = BlueClerkEvent['type'];

/** Something that receives events. Must not throw into the caller; errors are the listener's own business. */
export type EventListener = (event: BlueClerkEvent) => void | Promise<void>;

export interface EventBus {
  emit(event: BlueClerkEvent): void;
  subscribe(listener: EventListener): () => void;
}
