/** Providers the SDK knows. */
export const PROVIDER_IDS = ['quickbooks', 'xero', 'freshbooks', 'wave'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** Entities the sync engine links, pulls and pushes. */
export const ENTITY_TYPES = ['customer', 'item', 'invoice', 'estimate', 'payment'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/** Milliseconds since the Unix epoch. All stored times use it. */
export type EpochMs = number;
