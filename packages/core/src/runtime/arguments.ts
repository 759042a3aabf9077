import { ConfigurationError, ValidationError } from '../errors/index';

/*
 * Argument checks for public functions. A wrong type passed from JavaScript (or through `as any`) should fail with a
 * typed error naming the function and the argument, not with a `TypeError` from deep inside (`x.toUpperCase is not a
 * function`) that an app cannot tell from a bug of ours.
 */

/**
 * What a value is, for messages: `a number`, `null`, `an array`. Never the value itself, because a wrong argument
 * may be a secret passed in the wrong position.
 */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  const type = typeof value;
  return type === 'object' || type === 'undefined' ? `an ${type}` : `a ${type}`;
}

/** `ValidationError` for `fn(name)` given `value` where `expected` was wanted; the issue path is the argument name. */
export function invalidArgument(fn: string, name: string, expected: string, value: unknown): ValidationError {
  const got = describeType(value);
  return new ValidationError(`${fn}: ${name} must be ${expected}, got ${got}`, [
    { path: name, message: `must be ${expected}, got ${got}` },
  ]);
}

/** Throws `invalidArgument` unless `value` is a string. */
export function expectString(fn: string, name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') throw invalidArgument(fn, name, 'a string', value);
}

/** Throws `invalidArgument` unless `value` is a non-null object (not an array). */
export function expectObject(fn: string, name: string, value: unknown): asserts value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument(fn, name, 'an object', value);
  }
}

/** Throws `invalidArgument` unless `value` is undefined or an object: the shape of an optional options argument. */
export function expectOptions(fn: string, name: string, value: unknown): void {
  if (value !== undefined) expectObject(fn, name, value);
}

/**
 * Set-up functions take one options object: anything else is a `ConfigurationError('options')` at once, instead of
 * a `TypeError` reading a property of `null` somewhere inside.
 */
export function assertOptionsObject(fn: string, options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigurationError('options', `${fn} needs an options object, got ${describeType(options)}`);
  }
}
