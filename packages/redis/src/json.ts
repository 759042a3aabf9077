import { toJsonObject } from '@blueclerk/core';

/** Checks connection settings with core's one rule (a JSON object that survives a round trip unchanged). */
export function assertJsonObject(value: unknown, path: string): asserts value is Record<string, unknown> {
  toJsonObject(value, path);
}
