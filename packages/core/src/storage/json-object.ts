import { ValidationError } from '../errors/index';

/*
 * One rule for every store (memory, Prisma, Redis): connection settings must survive a round trip through JSON
 * unchanged, so each adapter calls this before writing.
 */

/**
 * Checks that `value` is a JSON object and returns the copy a database would hand back: what `JSON.stringify` drops
 * silently or changes (functions, symbols, bigints, NaN, Dates, Maps, class instances, cycles) is refused instead, so
 * a setting can never be lost or altered on its way into the store. Object properties that are `undefined` are
 * left out, as JSON leaves them out.
 */
export function toJsonObject(value: unknown, path: string): Record<string, unknown> {
  if (!isPlainObject(value)) {
    throw new ValidationError(`${path} must be a JSON object`, [{ path, message: 'expected a JSON object' }]);
  }
  const problem = findNonJson(value, path, new Set());
  if (problem !== null) {
    throw new ValidationError(`${path} must be plain JSON: ${problem}`, [{ path, message: problem }]);
  }
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The first place in `value` that JSON cannot hold faithfully, described, or null when there is none. */
function findNonJson(value: unknown, at: string, ancestors: Set<object>): string | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${at} is not a finite number`;
  if (value === undefined) return `${at} is undefined`;
  if (typeof value !== 'object') return `${at} is a ${typeof value}`;
  if (ancestors.has(value)) return `${at} refers back to itself`;
  if (!Array.isArray(value) && !isPlainObject(value)) return `${at} is not a plain object or array`;
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) {
        const problem = findNonJson(value[index], `${at}[${index}]`, ancestors);
        if (problem !== null) return problem;
      }
      return null;
    }
    if (Object.getOwnPropertySymbols(value).length > 0) return `${at} has symbol keys`;
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      const problem = findNonJson(item, `${at}.${key}`, ancestors);
      if (problem !== null) return problem;
    }
    return null;
  } finally {
    ancestors.delete(value);
  }
}
