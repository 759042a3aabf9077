import {
  type ClaimResult,
  type Clock,
  ConcurrencyError,
  type IdempotencyLedger,
  type LedgerEntry,
  type LedgerStatus,
  randomId,
  ValidationError,
} from '@blueclerk/core';
import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys';
import { defineLuaScript, runLuaScript, runRedis } from './lua';

// An entry is a hash of its fields (null = field absent), so scripts change single fields without decoding JSON.
// Every pending entry is also in the `ledger-pending` sorted set scored by claimExpiresAt, updated in the same script
// as the entry: the stale-claim sweep is one ZRANGEBYSCORE, never a KEYS or SCAN.

/**
 * KEYS: entry, pending index, the connection's ledger set. ARGV: key, connectionId, operation, requestId, reference, ttlMs, now, new claim token.
 * Returns {outcome, HGETALL of the entry}.
 */
const CLAIM = defineLuaScript(
  'ledgerClaim',
  `
local now = tonumber(ARGV[7])
local expiresAt = now + tonumber(ARGV[6])
local status = redis.call('HGET', KEYS[1], 'status')
local outcome = 'claimed'
if not status then
  redis.call('HSET', KEYS[1], 'connectionId', ARGV[2], 'operation', ARGV[3], 'status', 'pending',
    'requestId', ARGV[4], 'reference', ARGV[5], 'claimToken', ARGV[8], 'claimExpiresAt', expiresAt,
    'attempts', 1, 'createdAt', now, 'updatedAt', now)
  redis.call('ZADD', KEYS[2], expiresAt, ARGV[1])
  redis.call('SADD', KEYS[3], ARGV[1])
  return {outcome, redis.call('HGETALL', KEYS[1])}
end
if status == 'succeeded' then return {'succeeded', redis.call('HGETALL', KEYS[1])} end
if status == 'pending' then
  if tonumber(redis.call('HGET', KEYS[1], 'claimExpiresAt')) > now then
    return {'in_progress', redis.call('HGETALL', KEYS[1])}
  end
  -- The earlier claim expired with its outcome unknown: hand it over, keeping requestId and reference so the new
  -- holder can look the record up in the provider.
  outcome = 'recover'
end
redis.call('HSET', KEYS[1], 'status', 'pending', 'claimToken', ARGV[8], 'claimExpiresAt', expiresAt, 'updatedAt', now)
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
-- A failed entry may carry a retention TTL; a live claim must not vanish under its holder.
redis.call('PERSIST', KEYS[1])
redis.call('ZADD', KEYS[2], expiresAt, ARGV[1])
return {outcome, redis.call('HGETALL', KEYS[1])}
`,
);

/**
 * KEYS: entry, pending index. ARGV: key, claim token, now, final status, result field, result value, retention ms.
 * Acts only for the current claim token; returns the entry's HGETALL or nil when the claim was lost.
 */
const FINISH = defineLuaScript(
  'ledgerFinish',
  `
if redis.call('HGET', KEYS[1], 'status') ~= 'pending' then return false end
if redis.call('HGET', KEYS[1], 'claimToken') ~= ARGV[2] then return false end
redis.call('HDEL', KEYS[1], 'claimToken', 'claimExpiresAt')
redis.call('HSET', KEYS[1], 'status', ARGV[4], ARGV[5], ARGV[6], 'updatedAt', ARGV[3])
redis.call('ZREM', KEYS[2], ARGV[1])
if tonumber(ARGV[7]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[7]) end
return redis.call('HGETALL', KEYS[1])
`,
);

function fromFlat(flat: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  return fields;
}

function toEntry(key: string, fields: Record<string, string>): LedgerEntry {
  const numberOrNull = (value: string | undefined) => (value === undefined ? null : Number(value));
  return {
    key,
    connectionId: fields.connectionId ?? '',
    operation: fields.operation ?? '',
    status: (fields.status ?? 'pending') as LedgerStatus,
    requestId: fields.requestId ?? '',
    reference: fields.reference ?? '',
    providerId: fields.providerId ?? null,
    claimToken: fields.claimToken ?? null,
    claimExpiresAt: numberOrNull(fields.claimExpiresAt),
    attempts: Number(fields.attempts ?? 0),
    lastError:
      fields.lastError === undefined
        ? null
        : (JSON.parse(fields.lastError) as { code: string; message: string }),
    createdAt: Number(fields.createdAt ?? 0),
    updatedAt: Number(fields.updatedAt ?? 0),
  };
}

export interface RedisLedgerOptions {
  /** Keep succeeded and failed entries this long after they become final; 0 keeps them forever (default). */
  finalEntryTtlMs: number;
}

export function createRedisLedger(
  redis: Redis,
  keys: RedisKeys,
  clock: Clock,
  options: RedisLedgerOptions,
): IdempotencyLedger {
  async function finish(
    key: string,
    claimToken: string,
    status: 'succeeded' | 'failed',
    field: 'providerId' | 'lastError',
    value: string,
  ): Promise<LedgerEntry> {
    const flat = (await runLuaScript(
      redis,
      FINISH,
      [keys.ledgerEntry(key), keys.ledgerPending],
      [key, claimToken, clock.now(), status, field, value, options.finalEntryTtlMs],
    )) as string[] | null;
    if (!flat) {
      throw new ConcurrencyError(
        'ledger_claim_lost',
        `Ledger entry ${key} was not marked ${status}: the claim was taken over or is no longer pending`,
      );
    }
    return toEntry(key, fromFlat(flat));
  }

  return {
    async claim(input): Promise<ClaimResult> {
      if (!Number.isSafeInteger(input.ttlMs) || input.ttlMs <= 0) {
        throw new ValidationError('Ledger claim ttlMs must be a positive integer number of milliseconds', [
          { path: 'ttlMs', message: 'expected a positive integer' },
        ]);
      }
      const [outcome, flat] = (await runLuaScript(
        redis,
        CLAIM,
        [keys.ledgerEntry(input.key), keys.ledgerPending, keys.connectionLedger(input.connectionId)],
        [
          input.key,
          input.connectionId,
          input.operation,
          input.requestId,
          input.reference,
          input.ttlMs,
          clock.now(),
          randomId(),
        ],
      )) as [ClaimResult['outcome'], string[]];
      return { outcome, entry: toEntry(input.key, fromFlat(flat)) };
    },

    completeClaim(key, claimToken, result) {
      return finish(key, claimToken, 'succeeded', 'providerId', result.providerId);
    },

    failClaim(key, claimToken, error) {
      const lastError = JSON.stringify({ code: error.code, message: error.message });
      return finish(key, claimToken, 'failed', 'lastError', lastError);
    },

    async getEntry(key) {
      const fields = await runRedis('getEntry', () => redis.hgetall(keys.ledgerEntry(key)));
      return fields.status === undefined ? null : toEntry(key, fields);
    },

    async listStaleClaims({ expiredBefore, limit = 100 }) {
      const staleKeys = await runRedis('listStaleClaims', () =>
        redis.zrangebyscore(keys.ledgerPending, '-inf', `(${expiredBefore}`, 'LIMIT', 0, limit),
      );
      if (staleKeys.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const key of staleKeys) pipeline.hgetall(keys.ledgerEntry(key));
      const replies = (await runRedis('listStaleClaims', () => pipeline.exec())) ?? [];
      const entries: LedgerEntry[] = [];
      replies.forEach(([error, fields], index) => {
        if (error) throw error;
        const record = fields as Record<string, string>;
        // The index is maintained in the same scripts as the entries; this only guards against hand edits.
        if (record.status === 'pending') entries.push(toEntry(staleKeys[index]!, record));
      });
      return entries;
    },
  };
}
