import { BlueClerkError, ConfigurationError } from '../errors/index';
import { createRedactingLogger, redactText } from '../redact/index';
import type { Logger } from '../runtime/logger';
import type {
  ConnectionFilter,
  ConnectionRecord,
  ConnectionStore,
  SealedTokens,
} from '../storage/connections';
import { TOKEN_FIELDS } from './token-set';
import type { TokenVault } from './types';

export interface ResealOptions {
  /** Only these connections. Default: all. */
  filter?: ConnectionFilter;
  /** Receives one line per failure (redacted). */
  logger?: Logger;
}

export interface ResealFailure {
  connectionId: string;
  /** Error code (`vault_decrypt_failed`, `conflict` ...). */
  code: string;
  /** Redacted message. */
  message: string;
}

export interface ResealResult {
  /** Connections whose envelopes were re-sealed with the current key and written. */
  resealed: number;
  /** Connections already on the current key, without tokens, or deleted meanwhile. */
  unchanged: number;
  /** Connections that could not be re-sealed (see `failures`); nothing was written for them. */
  failed: number;
  failures: ResealFailure[];
}

type Plan = { kind: 'unchanged' } | { kind: 'reseal'; tokens: SealedTokens };

// Re-seals only the envelopes that need it. Opening with the old key and sealing with the current one keeps the
// plaintext in memory for the shortest time; any envelope that does not open makes the whole record fail.
function planReseal(vault: TokenVault, record: ConnectionRecord): Plan {
  const tokens = record.tokens;
  if (!tokens) return { kind: 'unchanged' };
  const accessStale = vault.needsReseal(tokens.accessToken);
  const refreshStale = tokens.refreshToken !== null && vault.needsReseal(tokens.refreshToken);
  if (!accessStale && !refreshStale) return { kind: 'unchanged' };
  const reseal = (envelope: string, field: string) => {
    const context = { connectionId: record.id, field };
    return vault.seal(vault.open(envelope, context), context);
  };
  return {
    kind: 'reseal',
    tokens: {
      ...tokens,
      accessToken: accessStale ? reseal(tokens.accessToken, TOKEN_FIELDS.accessToken) : tokens.accessToken,
      refreshToken:
        refreshStale && tokens.refreshToken !== null
          ? reseal(tokens.refreshToken, TOKEN_FIELDS.refreshToken)
          : tokens.refreshToken,
    },
  };
}

function isConflict(error: unknown): boolean {
  return BlueClerkError.isInstance(error) && error.code === 'conflict';
}

async function resealOne(
  connections: ConnectionStore,
  vault: TokenVault,
  record: ConnectionRecord,
  retryOnConflict = true,
): Promise<'resealed' | 'unchanged'> {
  const plan = planReseal(vault, record);
  if (plan.kind === 'unchanged') return 'unchanged';
  try {
    await connections.updateConnection(
      record.id,
      { tokens: plan.tokens },
      { expectedVersion: record.version },
    );
    return 'resealed';
  } catch (error) {
    // Compare-and-set: a token refresh racing us bumps the version. Re-read (the refresh probably sealed with the
    // current key already) and try once more; a second conflict is reported, never overwritten.
    if (!retryOnConflict || !isConflict(error)) throw error;
    const fresh = await connections.getConnection(record.id);
    return fresh ? resealOne(connections, vault, fresh, false) : 'unchanged';
  }
}

/**
 * Re-encrypts stored tokens with the vault's current key, after a key rotation. Walks `listConnections(filter)`,
 * re-seals every envelope whose key is not current with a compare-and-set write, and reports counts. Safe to run
 * while workers refresh tokens, and safe to run again (already-current connections are left alone).
 *
 * @example
 * const result = await resealConnections(storage.connections, createTokenVault(keyRingFromEnv(process.env)));
 * // { resealed: 12, unchanged: 40, failed: 0, failures: [] } -> now remove the old key from the ring.
 */
export async function resealConnections(
  connections: ConnectionStore,
  vault: TokenVault,
  options: ResealOptions = {},
): Promise<ResealResult> {
  if (typeof connections?.listConnections !== 'function' || typeof vault?.open !== 'function') {
    throw new ConfigurationError('resealConnections', 'resealConnections needs (storage.connections, vault)');
  }
  const logger = options.logger ? createRedactingLogger(options.logger) : undefined;
  const result: ResealResult = { resealed: 0, unchanged: 0, failed: 0, failures: [] };
  const records = await connections.listConnections(options.filter);
  for (const record of records) {
    try {
      const outcome = await resealOne(connections, vault, record);
      result[outcome] += 1;
    } catch (error) {
      const failure: ResealFailure = {
        connectionId: record.id,
        code: BlueClerkError.isInstance(error) ? error.code : 'internal',
        message: redactText(error instanceof Error ? error.message : String(error)),
      };
      result.failed += 1;
      result.failures.push(failure);
      logger?.log('warn', 'Could not re-seal connection tokens', { ...failure });
    }
  }
  return result;
}
