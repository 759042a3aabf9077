import { defineLuaScript } from './lua';

// A connection is a hash: `record` (JSON without health and version), `health` (JSON), `version`, `seq`.
// Health lives in its own field so a last-write-wins health update can never be lost to, or undo, a token write.
// Lua never decodes JSON: scripts compare `version`, `seq` and the fence counter and store strings the client built.
// Optional keys follow the fixed ones in the order the flags in ARGV announce them ('1' = present).

/**
 * KEYS: connection, all index, owner index, seq counter, [tenant index], [grant holder, grant index].
 * ARGV: id, record JSON, health JSON, createdAt, has tenant, has grant, holder seq.
 * Returns 1 when created, 0 when the id exists, -1 when the grant holder is gone. The client checked the holder's
 * owner and provider; comparing its `seq` (drawn once per creation) proves it is still that same connection.
 */
export const CREATE_CONNECTION = defineLuaScript(
  'createConnection',
  `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local next = 5
local tenantIndex, grantIndex
if ARGV[5] == '1' then
  tenantIndex = KEYS[next]
  next = next + 1
end
if ARGV[6] == '1' then
  if redis.call('HGET', KEYS[next], 'seq') ~= ARGV[7] then return -1 end
  grantIndex = KEYS[next + 1]
end
local seq = redis.call('INCR', KEYS[4])
redis.call('HSET', KEYS[1], 'record', ARGV[2], 'health', ARGV[3], 'version', 1, 'seq', seq)
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
if tenantIndex then redis.call('ZADD', tenantIndex, ARGV[4], ARGV[1]) end
if grantIndex then redis.call('ZADD', grantIndex, ARGV[4], ARGV[1]) end
return 1
`,
);

/**
 * KEYS: connection, [fence counter], [old tenant index], [new tenant index].
 * ARGV: expectedVersion, record JSON (empty when the client built it from another version), fence (empty: unfenced),
 * leaves old tenant, joins new tenant, id, createdAt. Returns {outcome, health JSON}.
 * The fence check and the version check happen in the same script as the write, so a holder whose lease was taken
 * over between its check and its write is still refused. The record was built from the stored version (the client
 * read it at expectedVersion), so the tenant it leaves is the stored one.
 */
export const UPDATE_CONNECTION = defineLuaScript(
  'updateConnection',
  `
local version = redis.call('HGET', KEYS[1], 'version')
if not version then return {'missing'} end
local next = 2
-- Fence before version: a fenced-out writer learns that it lost its lease, the more useful signal.
if ARGV[3] ~= '' then
  local current = tonumber(redis.call('GET', KEYS[next]) or '0')
  if current > tonumber(ARGV[3]) then return {'lease_lost'} end
  next = next + 1
end
if version ~= ARGV[1] or ARGV[2] == '' then return {'conflict'} end
redis.call('HSET', KEYS[1], 'record', ARGV[2], 'version', tonumber(version) + 1)
if ARGV[4] == '1' then
  redis.call('ZREM', KEYS[next], ARGV[6])
  next = next + 1
end
if ARGV[5] == '1' then redis.call('ZADD', KEYS[next], ARGV[7], ARGV[6]) end
-- Health is written outside the version counter; hand back the stored one so the caller sees the whole record.
return {'ok', redis.call('HGET', KEYS[1], 'health')}
`,
);

/** KEYS: connection. ARGV: health JSON. Never resurrects a deleted connection. */
export const SET_CONNECTION_HEALTH = defineLuaScript(
  'setConnectionHealth',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'health', ARGV[1])
return 1
`,
);

/**
 * KEYS: connection, all index, owner index, links, cursors, the connection's ledger keys, ledger pending index,
 * [tenant index], [grant index]. ARGV: id, ledger entry key prefix, version read, has tenant, has grant.
 * Returns 1 when deleted, 0 when missing, -1 when the version changed since the client read the tenant to unindex
 * (read again and retry). Notifications are kept: they are the audit trail of what happened. The connection's own
 * grant index (its members) is kept too: deleting a grant's holder does not cascade, core deletes the members.
 */
export const DELETE_CONNECTION = defineLuaScript(
  'deleteConnection',
  `
local version = redis.call('HGET', KEYS[1], 'version')
if not version then return 0 end
if version ~= ARGV[3] then return -1 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('DEL', KEYS[4], KEYS[5])
local next = 8
if ARGV[4] == '1' then
  redis.call('ZREM', KEYS[next], ARGV[1])
  next = next + 1
end
if ARGV[5] == '1' then redis.call('ZREM', KEYS[next], ARGV[1]) end
-- Ledger entry keys are derived from the set's members rather than declared, which a single Redis (or a Cluster
-- with a hash-tagged key prefix, where every key shares one slot) allows.
for _, ledgerKey in ipairs(redis.call('SMEMBERS', KEYS[6])) do
  redis.call('DEL', ARGV[2] .. ledgerKey)
  redis.call('ZREM', KEYS[7], ledgerKey)
end
redis.call('DEL', KEYS[6])
return 1
`,
);

/**
 * KEYS: connection, tenant index. ARGV: id, version read, createdAt. Indexes a connection written before the tenant
 * index existed, only if it is still at the version the client read its tenant from. Returns 1 when indexed (or
 * the connection is gone: nothing to index), 0 when it changed meanwhile (read again and retry).
 */
export const INDEX_CONNECTION_TENANT = defineLuaScript(
  'indexConnectionTenant',
  `
local version = redis.call('HGET', KEYS[1], 'version')
if not version then return 1 end
if version ~= ARGV[2] then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
`,
);
