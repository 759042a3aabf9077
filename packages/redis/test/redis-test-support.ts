import { randomId } from '@blueclerk/core';
import type { Redis } from 'ioredis';

/** Tests need a real Redis; CI and the dev box run one here. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of its own per test file and run, so parallel runs and other apps on the same Redis never meet. */
export function testKeyPrefix(label: string): string {
  return `blueclerk-test:${label}:${randomId(6)}:`;
}

/** Every key under `prefix`. SCAN is fine here: tests only, never on a hot path. */
export async function scanKeys(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await scanKeys(redis, prefix);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
}

/** Every value stored under `prefix`, whatever the key's type, as text: what an attacker with a dump would read. */
export async function dumpValues(redis: Redis, prefix: string): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  for (const key of await scanKeys(redis, prefix)) {
    const type = await redis.type(key);
    let text: string;
    if (type === 'string') text = (await redis.get(key)) ?? '';
    else if (type === 'hash') text = JSON.stringify(await redis.hgetall(key));
    else if (type === 'zset') text = JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES'));
    else if (type === 'set') text = JSON.stringify(await redis.smembers(key));
    else if (type === 'list') text = JSON.stringify(await redis.lrange(key, 0, -1));
    else if (type === 'none') continue;
    else throw new Error(`unexpected Redis type ${type} at ${key}`);
    values.set(key, text);
  }
  return values;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
