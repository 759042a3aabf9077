-- Per-connection provider settings and shared OAuth grants. Provider ids are open strings owned by provider packages:
-- 0001 put no constraint on `provider`, so there is nothing to drop for that.
-- One statement per `;` at a line end: the migrator splits on it and runs every statement in one transaction.

-- Existing rows read back as `settings: {}` and `grantId: null` (a connection holding its own tokens).
ALTER TABLE blueclerk_connections
  ADD COLUMN settings jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN grant_id text;

-- The other tenants of one grant, found when the grant's token set is refreshed or the holder is deleted.
CREATE INDEX blueclerk_connections_grant_id_idx ON blueclerk_connections (grant_id);

-- Webhooks route by (provider, tenant); the leading tenant column also serves a tenant-only look-up.
CREATE INDEX blueclerk_connections_tenant_id_provider_idx ON blueclerk_connections (tenant_id, provider);
