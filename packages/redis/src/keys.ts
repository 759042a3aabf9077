/**
 * The key layout, in one place. Every key starts with the configured prefix, so several apps (or tenants, or test
 * runs) share one Redis without seeing each other's data, and `SCAN MATCH <prefix>*` finds everything one of them owns.
 *
 * A caller-chosen id is always the LAST part of a key, so an id containing `:` cannot make two different keys
 * collide. The one key built from two caller strings (webhook deliveries) encodes the first one.
 */
export interface RedisKeys {
  readonly prefix: string;
  /** Hash: `record` (JSON, without health and version), `health` (JSON), `version`, `seq`. */
  connection(id: string): string;
  /** Sorted set of every connection id, scored by createdAt. */
  readonly allConnections: string;
  /** Sorted set of one owner's connection ids, scored by createdAt. */
  ownerConnections(ownerId: string): string;
  /** Counter giving connections a creation sequence, to order same-millisecond creates. */
  readonly connectionSeq: string;
  /** Sorted set of the connection ids with this tenantId, scored by createdAt (webhooks route by tenant). */
  tenantConnections(tenantId: string): string;
  /** Sorted set of the members of one OAuth grant (connections whose grantId is this id), scored by createdAt. */
  grantConnections(grantId: string): string;
  /**
   * Marker: the tenant index also covers connections written before it existed (see `ensureTenantIndex`).
   * Delete it to have the index rebuilt from `conns` on the next tenant look-up.
   */
  readonly tenantIndexBuilt: string;
  /** Hash of one connection's links: `l:<entityType>:<localId>` -> link JSON, `p:<entityType>:<providerId>` -> localId. */
  links(connectionId: string): string;
  /** Hash of one connection's cursors: scope -> `{ cursor, updatedAt }` JSON. */
  cursors(connectionId: string): string;
  /** String `<fence>:<expiresAt>:<holder>` with a PX expiry. */
  lock(key: string): string;
  /** Per-lock-key fencing counter. Never expires: a reset counter would let an old fence pass again. */
  fence(key: string): string;
  /** Hash of one ledger entry's fields. */
  ledgerEntry(key: string): string;
  /** Set of the ledger keys claimed for one connection, so deleting the connection finds them without a scan. */
  connectionLedger(connectionId: string): string;
  /** Sorted set of pending ledger keys scored by claimExpiresAt: the stale-claim index. */
  readonly ledgerPending: string;
  /** Sorted set of one owner's notification members (`<seq>:<id>`), scored by createdAt. */
  notificationIndex(ownerId: string): string;
  /** Hash of one owner's notifications: id -> JSON (without readAt). */
  notificationData(ownerId: string): string;
  /** Hash of one owner's read marks: id -> readAt. */
  notificationRead(ownerId: string): string;
  /** Counter ordering one owner's same-millisecond notifications. */
  notificationSeq(ownerId: string): string;
  /** Hash of one owner's repeat counts: id -> `<occurrences>:<lastOccurredAt>` (absent: 1 and createdAt). */
  notificationRepeats(ownerId: string): string;
  /** `SET NX PX` marker of a webhook delivery. */
  delivery(provider: string, deliveryId: string): string;
}

export function createRedisKeys(prefix: string): RedisKeys {
  return {
    prefix,
    connection: (id) => `${prefix}conn:${id}`,
    allConnections: `${prefix}conns`,
    ownerConnections: (ownerId) => `${prefix}owner-conns:${ownerId}`,
    connectionSeq: `${prefix}conn-seq`,
    tenantConnections: (tenantId) => `${prefix}tenant-conns:${tenantId}`,
    grantConnections: (grantId) => `${prefix}grant-conns:${grantId}`,
    tenantIndexBuilt: `${prefix}tenant-conns-built`,
    links: (connectionId) => `${prefix}links:${connectionId}`,
    cursors: (connectionId) => `${prefix}cursors:${connectionId}`,
    lock: (key) => `${prefix}lock:${key}`,
    fence: (key) => `${prefix}fence:${key}`,
    ledgerEntry: (key) => `${prefix}ledger:${key}`,
    connectionLedger: (connectionId) => `${prefix}conn-ledger:${connectionId}`,
    ledgerPending: `${prefix}ledger-pending`,
    notificationIndex: (ownerId) => `${prefix}notif-index:${ownerId}`,
    notificationData: (ownerId) => `${prefix}notif-data:${ownerId}`,
    notificationRead: (ownerId) => `${prefix}notif-read:${ownerId}`,
    notificationSeq: (ownerId) => `${prefix}notif-seq:${ownerId}`,
    notificationRepeats: (ownerId) => `${prefix}notif-repeat:${ownerId}`,
    delivery: (provider, deliveryId) => `${prefix}delivery:${encodeURIComponent(provider)}:${deliveryId}`,
  };
}
