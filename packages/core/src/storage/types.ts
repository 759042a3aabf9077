/**
 * A provider's id (`quickbooks`, `xero`, ...). Owned by the provider package, not by core: core and every storage
 * adapter accept any id matching `PROVIDER_ID_PATTERN`, so a provider core has never heard of plugs in unchanged.
 */
export type ProviderId = string;

/** Lower-case letters, digits and dashes, 2-40 characters, starting with a letter. */
export const PROVIDER_ID_PATTERN = /^[a-z][a-z0-9-]{1,39}$/;

/** True for a well-formed provider id (see `PROVIDER_ID_PATTERN`). */
export function isProviderId(value: unknown): value is ProviderId {
  return typeof value === 'string' && PROVIDER_ID_PATTERN.test(value);
}

/** Entities the sync engine links, pulls and pushes. */
export const ENTITY_TYPES = ['customer', 'item', 'invoice', 'estimate', 'payment'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/** Milliseconds since the Unix epoch. All stored times use it. */
export type EpochMs = number;
