import type { EpochMs, ProviderId } from './types';

/**
 * Connections: one per (app account, provider, provider tenant).
 *
 * Tokens are stored only as vault envelopes (see `vault/`): a store never sees a token in clear. Every update is a
 * compare-and-set on `version`, optionally fenced by a lease (see `locks.ts`), so two workers can never overwrite
 * each other's refreshed tokens.
 */

export type ConnectionStatus = 'pending' | 'active' | 'needs_reconnect' | 'disconnected';

/** Sealed token fields. Each value is a vault envelope string bound to its connection id and field name. */
export interface SealedTokens {
  accessToken: string;
  /** Absent for providers or grants without a refresh token. */
  refreshToken: string | null;
  /** When the access token expires. */
  accessTokenExpiresAt: EpochMs;
  /** When the refresh token expires if unused (provider policy or `x_refresh_token_expires_in`). */
  refreshTokenExpiresAt: EpochMs | null;
  /** When the current refresh token was issued; drives proactive rotation. */
  refreshTokenIssuedAt: EpochMs | null;
  /** Granted scopes, space separated, as the provider returned them. */
  scope: string | null;
  /**
   * When the access token was issued (not secret, stored in clear like the expiry). Optional: records written
   * before it existed have none, and a store returns it absent (not null) when it was not given.
   */
  accessTokenIssuedAt?: EpochMs;
}

export type ConnectionHealthStatus = 'healthy' | 'degraded' | 'needs_reconnect';

/** Last-write-wins health summary; updated outside the version counter so health writes never conflict with token writes. */
export interface ConnectionHealth {
  status: ConnectionHealthStatus;
  lastSuccessAt: EpochMs | null;
  lastErrorAt: EpochMs | null;
  /** Category and safe message of the last failure. */
  lastError: { category: string; message: string } | null;
  /** Failures since the last success. */
  consecutiveFailures: number;
}

export interface ConnectionRecord {
  id: string;
  provider: ProviderId;
  /** The app's own account / organisation id that owns this connection. */
  ownerId: string;
  /** QuickBooks realmId, Xero tenantId, FreshBooks accountId, Wave businessId. Null until the callback. */
  tenantId: string | null;
  status: ConnectionStatus;
  tokens: SealedTokens | null;
  health: ConnectionHealth;
  /** Non-secret provider data (tenant name, base URL choice ...). */
  metadata: Record<string, unknown>;
  /**
   * Per-connection provider settings (QuickBooks: income account, tax code, deposit account, payment-method map,
   * home currency). Validated against the provider's `connectionSettings` schema before every write by core; a
   * store keeps them as plain JSON. `{}` when none were set.
   */
  settings: Record<string, unknown>;
  /**
   * The connection holding the token set this connection uses, or null when it holds its own. One OAuth grant can
   * cover several tenants (one Xero consent, several organisations, ONE rotating refresh token): the grant's first
   * connection stores the tokens, every other connection of the grant has `tokens: null` and `grantId` set to the
   * first one's id, so a refresh happens once per grant (see docs/design/grants.md). Fixed at creation.
   */
  grantId: string | null;
  /** Incremented by every successful `updateConnection`. */
  version: number;
  createdAt: EpochMs;
  updatedAt: EpochMs;
}

export interface NewConnection {
  id?: string;
  provider: ProviderId;
  ownerId: string;
  tenantId?: string | null;
  status?: ConnectionStatus;
  tokens?: SealedTokens | null;
  metadata?: Record<string, unknown>;
  settings?: Record<string, unknown>;
  grantId?: string | null;
}

/** Fields `updateConnection` may change. `undefined` leaves a field as it is; `null` clears nullable ones. */
export interface ConnectionPatch {
  tenantId?: string | null;
  status?: ConnectionStatus;
  tokens?: SealedTokens | null;
  metadata?: Record<string, unknown>;
  /** Replaces the stored settings as a whole (core merges and validates first). */
  settings?: Record<string, unknown>;
}

/** A lease that fences a write: the write is refused once a newer lease on `key` has been granted. */
export interface FenceCheck {
  key: string;
  fence: number;
}

export interface ConnectionFilter {
  ownerId?: string;
  provider?: ProviderId;
  status?: ConnectionStatus;
  /** Connections whose `grantId` is this id (the other tenants of one grant; the holder itself is not included). */
  grantId?: string;
  /** Connections of this tenant (webhooks route by tenant). */
  tenantId?: string;
}

export interface ConnectionStore {
  /** Creates a connection with `version: 1`. Fails with `ConcurrencyError('conflict')` if the id exists. */
  createConnection(input: NewConnection): Promise<ConnectionRecord>;
  getConnection(id: string): Promise<ConnectionRecord | null>;
  /** Newest first. */
  listConnections(filter?: ConnectionFilter): Promise<ConnectionRecord[]>;
  /**
   * Compare-and-set. Succeeds only if the stored version equals `expectedVersion` and, when `fence` is given, no lease
   * newer than `fence.fence` has been granted on `fence.key`. On success the version is incremented and the new record
   * returned; otherwise it throws `ConcurrencyError` with code `conflict` (stale version) or `lease_lost` (fenced out)
   * and nothing is written.
   */
  updateConnection(
    id: string,
    patch: ConnectionPatch,
    options: { expectedVersion: number; fence?: FenceCheck },
  ): Promise<ConnectionRecord>;
  /** Last-write-wins health update; does not change `version`. Returns false if the connection does not exist. */
  setConnectionHealth(id: string, health: ConnectionHealth): Promise<boolean>;
  /** Deletes the connection and everything keyed by it (links, cursors, ledger entries, events stay for audit). */
  deleteConnection(id: string): Promise<boolean>;
}
