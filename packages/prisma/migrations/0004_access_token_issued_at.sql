-- When the access token was issued. With access_token_expires_at it gives the token's real lifetime (the provider's
-- expires_in), which caps how early the token manager refreshes. Existing rows read back without it (NULL) and get
-- one on their next refresh.
-- One statement per `;` at a line end: the migrator splits on it and runs every statement in one transaction.
ALTER TABLE blueclerk_connections ADD COLUMN access_token_issued_at timestamptz(3);
