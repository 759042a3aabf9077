import { toJsonObject, ValidationError } from '@blueclerk/core';

/** JSON for a jsonb column; refuses what JSON cannot hold instead of silently dropping it. */
export function jsonText(value: unknown, what: string): string {
  try {
    const text = JSON.stringify(value);
    if (text === undefined) throw new Error('not serialisable');
    return text;
  } catch {
    throw new ValidationError(`${what} must be plain JSON data`);
  }
}

/** JSON for a jsonb column that must hold an object (connection settings), checked by core's one rule. */
export function jsonObjectText(value: unknown, path: string): string {
  return JSON.stringify(toJsonObject(value, path));
}
