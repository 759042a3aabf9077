/**
 * Names of the storage conformance tests, grouped by store. They are the values `skip` accepts, so an adapter's
 * opt-outs are checked by the compiler and stay readable in its test file.
 */
export const LOCK_TESTS = {
  oneHolder: 'locks: of 20 concurrent acquires across instances exactly one gets the lease',
  takeover: 'locks: an expired lease is taken over by exactly one of 20 racing callers, with a higher fence',
  staleHolder: 'locks: a taken-over holder can neither release nor extend',
  fencedWrite: "locks: a write fenced with a taken-over lease is refused, the new holder's write succeeds",
  release: 'locks: release by the holder frees the key and the next grant gets a higher fence',
  foreignHolder: 'locks: a lease with another holder or fence can neither release nor extend',
  extend: 'locks: extend pushes expiresAt so the lease outlives its first ttl',
  keysIndependent: 'locks: leases on different keys are independent',
} as const;

export const CONNECTION_TESTS = {
  create: 'connections: create stores version 1 with defaults and get returns it',
  createDuplicate: 'connections: create with an existing id fails with conflict, also when 20 race',
  getUnknown: 'connections: get returns null for an unknown id',
  list: 'connections: list filters by owner, provider and status, newest first',
  update: 'connections: update at the current version applies the patch and bumps the version',
  staleVersion: 'connections: update at a stale version fails with conflict and writes nothing',
  concurrentCas: 'connections: of 20 concurrent updates at one version across instances exactly one wins',
  updateUnknown: 'connections: update of an unknown id fails with conflict',
  health: 'connections: health updates are last-write-wins and leave the version alone',
  delete: 'connections: delete removes links, cursors and ledger entries and keeps notifications',
  copies: 'connections: records handed in and out are copies',
  ownerRequired:
    'connections: a list filter naming ownerId without a real owner is refused, never read as "no filter"',
  providerIds:
    'connections: any well-formed provider id round-trips; a malformed one is refused, writing nothing',
  settings: 'connections: settings round-trip and update replaces them as a whole, bumping the version',
  settingsStale:
    'connections: a settings update at a stale version or fenced out is refused, settings unchanged',
  settingsInvalid:
    'connections: settings that are not a JSON object are refused on create and update, writing nothing',
  grant: 'connections: grantId round-trips, update never changes it, list filters by it without the holder',
  grantRefused:
    'connections: a grantId naming a missing connection, another owner or provider, or itself is refused',
  tenantFilter: 'connections: list filters by tenantId, following tenant changes and deletes',
  accessTokenIssuedAt:
    'connections: accessTokenIssuedAt round-trips when given and reads back absent when not',
} as const;

export const LEDGER_TESTS = {
  claim: 'ledger: the first claim is claimed with a pending entry',
  concurrentClaims: 'ledger: of 20 concurrent claims across instances one is claimed, the rest in_progress',
  succeededFinal: 'ledger: a succeeded entry is final and returns the providerId',
  recover: 'ledger: an expired pending claim is recovered once with a new token and the old token is refused',
  reclaimFailed: 'ledger: a failed entry is claimed again by exactly one caller with attempts + 1',
  wrongToken: 'ledger: complete and fail with a wrong token fail with ledger_claim_lost',
  staleClaims: 'ledger: listStaleClaims returns expired pending claims oldest first within the limit',
  getUnknown: 'ledger: getEntry returns null for an unknown key',
} as const;

export const LINK_TESTS = {
  lookups: 'links: upsert then find by local id and by provider id',
  replace: 'links: upsert replaces the link of a local id and frees its old provider id',
  providerConflict: 'links: a provider id linked to another local id fails with conflict, also when 20 race',
  scoped: 'links: links are scoped by connection and entity type',
  delete: 'links: delete removes both lookups',
} as const;

export const NOTIFICATION_TESTS = {
  ownerRequired:
    'notifications: list, markRead and recordRepeat without a real owner are refused, never "every owner"',
  append: 'notifications: append fills id, createdAt, readAt, occurrences and lastOccurredAt',
  newestFirst: 'notifications: list is newest first, scoped to the owner, with a default limit of 50',
  filters: 'notifications: list filters by connection, severity, unread and since, and honours limit',
  markRead: "notifications: markRead changes only the owner's unread notifications and counts them",
  repeatConcurrent: 'notifications: 20 concurrent recordRepeat calls across instances give 21 occurrences',
  repeatScoped:
    "notifications: recordRepeat returns null for unknown and other owners' ids and changes nothing",
} as const;

export const SYNC_STATE_TESTS = {
  cursors: 'syncState: cursors round-trip per connection and scope',
  deliveryOnce: 'syncState: rememberDelivery is true once, then false',
  deliveryConcurrent: 'syncState: exactly one of 20 concurrent rememberDelivery calls is true',
  deliveryTtl: 'syncState: a delivery id is new again after its ttl, for exactly one of 20 callers',
  forgetDelivery: 'syncState: a forgotten delivery id is new again; forgetting an unknown id is a no-op',
} as const;

/** Only registered when the adapter passes `rawSnapshot`. */
export const RAW_TESTS = {
  envelopesVerbatim: 'raw: sealed token envelopes are stored verbatim and gone after delete',
  writesReachStore: 'raw: every store writes through to the backing store',
  refusedWritesLeaveNoTrace: 'raw: refused connection writes leave nothing in the backing store',
  settingsStored:
    'raw: connection settings and grantId are stored in the backing store and replaced on update',
} as const;

/** Only registered when the adapter passes `outage`. */
export const OUTAGE_TESTS = {
  everyMethod:
    'outage: with the backend down every store method rejects with a retryable StorageError (storage_unavailable)',
  recovers: 'outage: the same instance works again once the backend is back',
} as const;

type ValuesOf<T> = T[keyof T];

export type StorageConformanceTestName =
  | ValuesOf<typeof LOCK_TESTS>
  | ValuesOf<typeof CONNECTION_TESTS>
  | ValuesOf<typeof LEDGER_TESTS>
  | ValuesOf<typeof LINK_TESTS>
  | ValuesOf<typeof NOTIFICATION_TESTS>
  | ValuesOf<typeof SYNC_STATE_TESTS>
  | ValuesOf<typeof RAW_TESTS>
  | ValuesOf<typeof OUTAGE_TESTS>;

/** Every test name in the suite, for listing and for validating `skip` at runtime. */
export const STORAGE_CONFORMANCE_TESTS: readonly StorageConformanceTestName[] = [
  LOCK_TESTS,
  CONNECTION_TESTS,
  LEDGER_TESTS,
  LINK_TESTS,
  NOTIFICATION_TESTS,
  SYNC_STATE_TESTS,
  RAW_TESTS,
  OUTAGE_TESTS,
].flatMap((group) => Object.values(group) as StorageConformanceTestName[]);
