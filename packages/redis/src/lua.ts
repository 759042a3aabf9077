import { createHash } from 'node:crypto';
import { BlueClerkError, NetworkError } from '@blueclerk/core';
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

/** Runs one Redis call and turns client failures into the SDK's typed `NetworkError`. */
export async function runRedis<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toStorageError(operation, error);
  }
}

function toStorageError(operation: string, error: unknown): unknown {
  if (BlueClerkError.isInstance(error)) return error;
  // Redis replies and connection errors name the command, never its arguments, so the message is safe to repeat;
  // the cause goes through core's redaction anyway.
  const reason = error instanceof Error ? error.message : String(error);
  const message = `Redis storage: ${operation} failed: ${reason}`;
  // A reply error is Redis refusing the command (a script bug, wrong type, OOM): repeating it will not help.
  if (error instanceof Error && error.name === 'ReplyError') {
    return new BlueClerkError('internal', message, { cause: error });
  }
  return new NetworkError('network', message, { cause: error });
}
