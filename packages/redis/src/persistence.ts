import { ConfigurationError, type Logger } from '@blueclerk/core';
import type { Redis } from 'ioredis';
import { runRedis } from './lua';

/**
 * What has to survive a Redis restart: connections (with their sealed tokens), the idempotency ledger and the lease
 * fence counters. A Redis that forgets them loses every connection, and a re-sync afterwards posts payments again
 * (the ledger that said "already posted" is gone); a fence counter that restarts at 1 lets a stale lease holder's
 * writes through. So the adapter checks the server's settings once, before its first command.
 */

async function configValue(redis: Redis, name: string): Promise<string | null> {
  const reply = (await runRedis('checkPersistence', () => redis.config('GET', name))) as unknown;
  // CONFIG GET answers [name, value]; an unknown setting gives [].
  return Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : null;
}

function isRefusedCommand(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  // Managed Redis services often rename or forbid CONFIG; ACLs answer NOPERM.
  return /unknown command|NOPERM|not allowed|disabled/i.test(message);
}

/**
 * Refuses, with a `ConfigurationError` naming the setting, a Redis whose data would not survive a restart: neither
 * AOF (`appendonly yes`) nor RDB snapshots (`save`), or an evicting `maxmemory-policy`. RDB snapshots alone are
 * accepted with a warning (a crash loses what was written since the last snapshot). A Redis that does not let us
 * read its settings is accepted with a warning too: we cannot tell.
 */
export async function checkPersistence(redis: Redis, logger: Logger): Promise<void> {
  let appendonly: string | null;
  let save: string | null;
  let policy: string | null;
  try {
    appendonly = await configValue(redis, 'appendonly');
    save = await configValue(redis, 'save');
    policy = await configValue(redis, 'maxmemory-policy');
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    if (!isRefusedCommand(cause)) throw error;
    logger.log(
      'warn',
      'Redis does not allow CONFIG GET, so BlueClerk cannot check that its data survives a restart. Make sure AOF (appendonly yes) is on and maxmemory-policy is noeviction.',
    );
    return;
  }
  const aof = appendonly === 'yes';
  const snapshots = save !== null && save.trim() !== '';
  if (!aof && !snapshots) {
    throw new ConfigurationError(
      'appendonly',
      'Redis keeps no data across a restart (appendonly no and no save snapshots): connections, the payment ledger and lease fence counters would be lost, and a re-sync afterwards would post payments again',
      {
        details: { appendonly, save },
        action:
          'Turn on AOF persistence in Redis (appendonly yes, appendfsync everysec), or pass requirePersistence: false for a Redis whose data may be lost (tests).',
      },
    );
  }
  if (policy !== null && policy !== 'noeviction') {
    throw new ConfigurationError(
      'maxmemory-policy',
      `Redis may evict keys when it is full (maxmemory-policy ${policy}): an evicted connection, ledger entry or fence counter is lost data`,
      {
        details: { maxmemoryPolicy: policy },
        action:
          'Set maxmemory-policy noeviction on this Redis (or give BlueClerk a Redis of its own), or pass requirePersistence: false if losing this data is acceptable.',
      },
    );
  }
  if (!aof) {
    logger.log(
      'warn',
      'Redis persists with RDB snapshots only: a crash loses what was written since the last snapshot (tokens refreshed, payments recorded). Turn on appendonly yes.',
      { save },
    );
  }
}
