-- BlueClerk storage tables (PostgreSQL). Applied by `blueclerk-prisma migrate`; mirrors prisma/schema.prisma.
-- One statement per `;` at a line end: the migrator splits on it and runs every statement in one transaction.

CREATE TABLE blueclerk_connections (
  id text PRIMARY KEY,
  seq bigserial NOT NULL,
  provider text NOT NULL,
  owner_id text NOT NULL,
  tenant_id text,
  status text NOT NULL,
  access_token text,
  refresh_token text,
  access_token_expires_at timestamptz(3),
  refresh_token_expires_at timestamptz(3),
  refresh_token_issued_at timestamptz(3),
  scope text,
  health jsonb NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now()
);

CREATE INDEX blueclerk_connections_owner_id_provider_idx ON blueclerk_connections (owner_id, provider);

-- Lease rows are never deleted on release: the row keeps `fence` so it only ever grows for a key.
CREATE TABLE blueclerk_leases (
  key text PRIMARY KEY,
  holder text NOT NULL,
  fence bigint NOT NULL,
  expires_at timestamptz(3) NOT NULL
);

CREATE TABLE blueclerk_ledger (
  key text PRIMARY KEY,
  connection_id text NOT NULL,
  operation text NOT NULL,
  status text NOT NULL,
  request_id text NOT NULL,
  reference text NOT NULL,
  provider_id text,
  claim_token text,
  claim_expires_at timestamptz(3),
  attempts integer NOT NULL,
  last_error jsonb,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now()
);

CREATE INDEX blueclerk_ledger_connection_id_idx ON blueclerk_ledger (connection_id);

CREATE INDEX blueclerk_ledger_status_claim_expires_at_idx ON blueclerk_ledger (status, claim_expires_at);

CREATE TABLE blueclerk_entity_links (
  connection_id text NOT NULL,
  entity_type text NOT NULL,
  local_id text NOT NULL,
  provider_id text NOT NULL,
  provider_version text,
  content_hash text,
  last_synced_at timestamptz(3) NOT NULL,
  PRIMARY KEY (connection_id, entity_type, local_id)
);

CREATE UNIQUE INDEX blueclerk_entity_links_connection_id_entity_type_provider_id_key
  ON blueclerk_entity_links (connection_id, entity_type, provider_id);

CREATE TABLE blueclerk_notifications (
  id text PRIMARY KEY,
  seq bigserial NOT NULL,
  owner_id text NOT NULL,
  connection_id text,
  type text NOT NULL,
  severity text NOT NULL,
  category text,
  entity_type text,
  local_id text,
  message text NOT NULL,
  action text,
  data jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  read_at timestamptz(3)
);

CREATE INDEX blueclerk_notifications_owner_id_created_at_idx ON blueclerk_notifications (owner_id, created_at);

CREATE TABLE blueclerk_sync_cursors (
  connection_id text NOT NULL,
  scope text NOT NULL,
  cursor text NOT NULL,
  updated_at timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (connection_id, scope)
);

CREATE TABLE blueclerk_webhook_deliveries (
  provider text NOT NULL,
  delivery_id text NOT NULL,
  expires_at timestamptz(3) NOT NULL,
  PRIMARY KEY (provider, delivery_id)
);

CREATE INDEX blueclerk_webhook_deliveries_expires_at_idx ON blueclerk_webhook_deliveries (expires_at);
