import { createHash } from 'node:crypto';
import { BlueClerkError, StorageError } from '@blueclerk/core';
import type { Redis } from 'ioredis';

/**
 * A Lua script run with EVALSHA, falling back to EVAL when the server does not have it cached (after a restart,
 * a failover or SCRIPT FLUSH). Unlike ioredis' `defineCommand`, this does not add methods to a client the app
 * passed in and may share with other code.
 */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

export function defineLuaScript(name: string, source: string): LuaScript {
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

export type LuaArg = string | number;

export async function runLuaScript(
  redis: Redis,
  script: LuaScript,
  keys: readonly string[],
  args: readonly LuaArg[],
): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
      return runRedis(script.name, () => redis.eval(script.source, keys.length, ...keys, ...args));
    }
    throw toStorageError(script.name, error);
  }
}

/** Runs one Redis call and turns client failures into the SDK's typed errors (`StorageError` for an outage). */
export async function runRedis<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toStorageError(operation, error);
  }
}

/**
 * Reply errors in which Redis says it cannot serve right now rather than that the command is wrong: loading its data
 * after a restart, a read-only replica after a failover, out of memory, a cluster or primary down, a busy script.
 */
const UNAVAILABLE_REPLIES =
  /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY|NOREPLICAS|MISCONF|OOM)\b/;

function toStorageError(operation: string, error: unknown): unknown {
  if (BlueClerkError.isInstance(error)) return error;
  // Redis replies and connection errors name the command, never its arguments, so the message is safe to repeat;
  // the cause goes through core's redaction anyway.
  const reason = error instanceof Error ? error.message : String(error);
  const message = `Redis storage: ${operation} failed: ${reason}`;
  // Any other reply error is Redis refusing the command (a script bug, a wrong type): repeating it will not help.
  if (error instanceof Error && error.name === 'ReplyError' && !UNAVAILABLE_REPLIES.test(reason)) {
    return new BlueClerkError('internal', message, { cause: error });
  }
  // Everything else is the connection: refused, reset, closed, retries per request used up, or Redis busy.
  return new StorageError(operation, message, { cause: error });
}
