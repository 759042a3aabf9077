import type { SyncFailureCategory } from '../errors/index';
import type { NotificationSeverity } from '../storage/notifications';
import type { EntityType, ProviderId } from '../storage/types';

/**
 * The one place that turns a failure category into words a user can act on. The sync engine uses
 * `syncFailureAction` to fill `sync.failed` events; notifications, the banner and alert emails reuse it.
 */

/** Display names by provider id, from the provider packages (`createBlueClerk` passes every configured one). */
export type ProviderNames = Readonly<Record<string, string>>;

/** The provider's display name from `names`; an unknown id is capitalised so a message still reads well. */
export function providerDisplayName(provider: ProviderId, names?: ProviderNames): string {
  if (typeof provider !== 'string' || provider === '') return 'the provider';
  const known = names?.[provider];
  if (known) return known;
  return provider.charAt(0).toUpperCase() + provider.slice(1);
}

/** Where a user reconnects. One constant so the banner, emails and events never disagree. */
export const RECONNECT_LOCATION = 'Settings > Integrations';

/**
 * Labels for the fields the engine reports as missing, keyed by `MissingFieldError.field`. Mapping fields (an item's
 * income account) are fixed in the integration settings, record fields in the record itself, hence two phrasings.
 */
const FIELD_LABELS: Record<string, { label: string; mapping: boolean }> = {
  'customer.email': { label: 'customer email', mapping: false },
  'customer.name': { label: 'customer name', mapping: false },
  'customer.displayName': { label: 'customer name', mapping: false },
  'invoice.customer': { label: 'invoice customer', mapping: false },
  'invoice.number': { label: 'invoice number', mapping: false },
  'invoice.lines': { label: 'invoice lines', mapping: false },
  'invoice.dueDate': { label: 'invoice due date', mapping: false },
  'item.name': { label: 'item name', mapping: false },
  'item.incomeAccount': { label: 'item income account mapping', mapping: true },
  'item.incomeAccountId': { label: 'item income account mapping', mapping: true },
  'item.expenseAccount': { label: 'item expense account mapping', mapping: true },
  'item.taxCode': { label: 'item tax code mapping', mapping: true },
  'payment.depositAccount': { label: 'payment deposit account mapping', mapping: true },
  'payment.invoice': { label: 'invoice the payment applies to', mapping: false },
};

/** `customer.email` -> `customer email`, `item.incomeAccountId` -> `item income account mapping`. */
export function missingFieldLabel(field: string): string {
  const known = FIELD_LABELS[field];
  if (known) return known.label;
  return field
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[._-]+/g, ' ')
    .replace(/\bid\b/gi, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

function isMappingField(field: string): boolean {
  return FIELD_LABELS[field]?.mapping ?? /account|taxcode|tax code|mapping/i.test(field);
}

export interface FailureContext {
  provider: ProviderId;
  /** The provider's display name; default: `providerDisplayName(provider)`. */
  providerName?: string;
  entityType?: EntityType | null;
  /** For `missing_field`: the field that is missing (`customer.email`, `item.incomeAccount` ...). */
  field?: string;
  /** For `rate_limited`: how long the provider asked us to wait. */
  retryAfterMs?: number;
}

/** One sentence that says what to do about a failure of this category. */
export function syncFailureAction(category: SyncFailureCategory, context: FailureContext): string {
  const provider = context.providerName ?? providerDisplayName(context.provider);
  const record = context.entityType ?? 'record';
  switch (category) {
    case 'needs_reconnect':
    case 'token_expired':
      return `Reconnect ${provider} in ${RECONNECT_LOCATION}.`;
    case 'missing_field': {
      if (!context.field) return `Fill in the missing required fields on this ${record} and sync again.`;
      const label = missingFieldLabel(context.field);
      return isMappingField(context.field)
        ? `Set the ${label} for ${provider} in ${RECONNECT_LOCATION}, then sync again.`
        : `Add the ${label} and sync again.`;
    }
    case 'duplicate':
      return `A matching ${record} already exists in ${provider}. Link to it or rename this ${record}, then sync again.`;
    case 'rate_limited':
      return context.retryAfterMs
        ? `${provider} asked us to slow down. Sync again in about ${Math.ceil(context.retryAfterMs / 1000)} s; nothing was lost.`
        : `${provider} asked us to slow down. Sync again in a minute; nothing was lost.`;
    case 'network':
      return `${provider} could not be reached. Sync again; if this persists, check ${provider}'s status page.`;
    case 'timeout':
      return `${provider} did not answer in time. Sync again; the retry checks for the earlier attempt first, so nothing is duplicated.`;
    case 'validation':
      return `${provider} rejected this ${record}. Correct the highlighted values and sync again.`;
    case 'conflict':
      return `This ${record} was changed in ${provider} at the same time. Sync again to apply the latest version.`;
    case 'not_found':
      return `The linked ${record} no longer exists in ${provider}. Sync again to recreate it, or unlink it.`;
    case 'provider_error':
      return `${provider} returned an error. Try again later; if it keeps failing, contact support with the time of the error.`;
    case 'in_progress':
      return `This ${record} is still being created in ${provider} by another sync. Sync again in a few minutes; it will not be created twice.`;
    case 'storage_unavailable':
      return `The app's sync database could not be reached; this is not a problem with ${provider}. Sync again once it is back (nothing is sent twice); if it persists, check the database (PostgreSQL or Redis) the sync uses.`;
    case 'internal':
      return 'Something went wrong on our side. Try again; if it keeps failing, contact support.';
  }
}

/** Short headline for a failure, used as the banner line and email subject. */
export function syncFailureTitle(category: SyncFailureCategory, context: FailureContext): string {
  const provider = context.providerName ?? providerDisplayName(context.provider);
  const record = context.entityType ?? 'record';
  switch (category) {
    case 'needs_reconnect':
    case 'token_expired':
      return `${provider} needs to be reconnected`;
    case 'missing_field':
      return context.field
        ? `Missing ${missingFieldLabel(context.field)}`
        : `${/^[aeiou]/i.test(record) ? 'An' : 'A'} ${record} is missing required fields`;
    case 'duplicate':
      return `Duplicate ${record} in ${provider}`;
    case 'rate_limited':
      return `${provider} is rate limiting requests`;
    case 'network':
      return `${provider} could not be reached`;
    case 'timeout':
      return `${provider} timed out`;
    case 'validation':
      return `${provider} rejected a ${record}`;
    case 'conflict':
      return `${record} changed in ${provider} during sync`;
    case 'not_found':
      return `Linked ${record} not found in ${provider}`;
    case 'provider_error':
      return `${provider} returned an error`;
    case 'in_progress':
      return `${record} still being created in ${provider}`;
    case 'storage_unavailable':
      return 'Sync database unavailable';
    case 'internal':
      return `Sync with ${provider} failed`;
  }
}

/** Categories a human fixes by connecting again. They set connection health to `needs_reconnect`. */
export function isReconnectCategory(category: string): boolean {
  return category === 'needs_reconnect' || category === 'token_expired';
}

/**
 * Severity of a failure. Rate limiting and a write still in progress elsewhere are warnings: they heal by themselves
 * and must not trip `minSeverity: 'error'` email alerts during a storm.
 */
export function syncFailureSeverity(category: SyncFailureCategory): NotificationSeverity {
  return category === 'rate_limited' || category === 'in_progress' ? 'warning' : 'error';
}
