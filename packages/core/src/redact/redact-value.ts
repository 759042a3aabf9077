import { redactText } from './redact-text';
import { isSensitiveKey, REDACTED } from './sensitive-keys';

/*
 * Deep, redacted copies of arbitrary values and errors. Values and errors refer to each other (an error's fields hold
 * values, a value holds errors), so both live here and share one `seen` map: it keeps cycles as cycles in the copy
 * and makes a shared object copied once.
 */

const MAX_DEPTH = 24;

type Seen = WeakMap<object, unknown>;

function isErrorLike(value: object): value is Error {
  if (value instanceof Error) return true;
  const record = value as { message?: unknown; stack?: unknown };
  return typeof record.message === 'string' && typeof record.stack === 'string';
}

function read(target: object, key: PropertyKey): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: (target as Record<PropertyKey, unknown>)[key] };
  } catch {
    // A throwing getter must not turn redaction into a crash.
    return { ok: false };
  }
}

function redactProperty(key: string, value: unknown, seen: Seen, depth: number): unknown {
  // null/undefined hide nothing, and keeping them tells a reader "there was no refresh token".
  if (value === null || value === undefined) return value;
  if (isSensitiveKey(key, value)) return REDACTED;
  return copy(value, seen, depth + 1);
}

function copyHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = isSensitiveKey(name, value) ? REDACTED : redactText(value);
  });
  return out;
}

function copyObject(value: object, seen: Seen, depth: number): unknown {
  if (typeof Headers !== 'undefined' && value instanceof Headers) return copyHeaders(value);
  if (typeof Request !== 'undefined' && value instanceof Request) {
    // A Request keeps its headers (Authorization!) in internal slots; method and URL are what a reader needs.
    return { method: value.method, url: redactText(value.url) };
  }
  if (typeof Response !== 'undefined' && value instanceof Response) {
    return { status: value.status, statusText: value.statusText, url: redactText(value.url) };
  }
  if (value instanceof URL || value instanceof URLSearchParams) return redactText(value.toString());
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof RegExp) return new RegExp(value.source, value.flags);
  // Raw bytes may be key material; their size is all a log needs.
  if (ArrayBuffer.isView(value)) return `[${value.constructor.name}(${value.byteLength})]`;
  if (value instanceof ArrayBuffer) return `[ArrayBuffer(${value.byteLength})]`;

  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (let i = 0; i < value.length; i += 1) out.push(copy(value[i], seen, depth + 1));
    return out;
  }
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    seen.set(value, out);
    for (const [key, entry] of value) {
      const safeKey = copy(key, seen, depth + 1);
      out.set(
        safeKey,
        typeof key === 'string' ? redactProperty(key, entry, seen, depth) : copy(entry, seen, depth + 1),
      );
    }
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    seen.set(value, out);
    for (const entry of value) out.add(copy(entry, seen, depth + 1));
    return out;
  }

  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const key of Object.keys(value)) {
    const result = read(value, key);
    out[key] = result.ok ? redactProperty(key, result.value, seen, depth) : '[Unreadable]';
  }
  return out;
}

function copy(value: unknown, seen: Seen, depth: number): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (depth > MAX_DEPTH) return '[Truncated]';
  if (isErrorLike(value)) return copyError(value, seen, depth);
  return copyObject(value, seen, depth);
}

function define(target: object, key: PropertyKey, value: unknown, enumerable: boolean): void {
  Object.defineProperty(target, key, { value, enumerable, writable: true, configurable: true });
}

function copyError(error: Error, seen: Seen, depth: number): Error {
  // Same prototype, so `instanceof` and `BlueClerkError.isInstance` (an own symbol marker, copied below) still work.
  const out = Object.create(Object.getPrototypeOf(error) ?? Error.prototype) as Error;
  seen.set(error, out);

  const name = read(error, 'name');
  define(out, 'name', name.ok && typeof name.value === 'string' ? name.value : 'Error', false);
  const message = read(error, 'message');
  define(
    out,
    'message',
    message.ok && typeof message.value === 'string' ? redactText(message.value) : '',
    false,
  );
  const stack = read(error, 'stack');
  if (stack.ok && typeof stack.value === 'string') define(out, 'stack', redactText(stack.value), false);

  for (const key of Object.keys(error)) {
    if (key === 'stack' || key === 'message' || key === 'cause') continue;
    const result = read(error, key);
    if (!result.ok) continue;
    // An error's own `code` is its error code (ECONNRESET, rate_limited): kept, but still passed through redactText.
    const safe =
      key === 'code' || key === 'name'
        ? copy(result.value, seen, depth + 1)
        : redactProperty(key, result.value, seen, depth);
    define(out, key, safe, true);
  }
  for (const symbol of Object.getOwnPropertySymbols(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, symbol);
    if (descriptor?.enumerable && 'value' in descriptor)
      define(out, symbol, copy(descriptor.value, seen, depth + 1), true);
  }
  // Host errors (DOMException) keep `code` on the prototype; copy it so the copy never calls a getter on itself.
  if (!Object.hasOwn(out, 'code')) {
    const code = read(error, 'code');
    if (code.ok && code.value !== undefined) define(out, 'code', copy(code.value, seen, depth + 1), false);
  }
  // AggregateError keeps `errors` as a non-enumerable own property.
  if (!Object.hasOwn(out, 'errors') && Object.hasOwn(error, 'errors')) {
    const errors = read(error, 'errors');
    if (errors.ok) define(out, 'errors', copy(errors.value, seen, depth + 1), false);
  }
  if (Object.hasOwn(error, 'cause')) {
    const cause = read(error, 'cause');
    define(out, 'cause', cause.ok ? copy(cause.value, seen, depth + 1) : undefined, false);
  }
  return out;
}

/**
 * A deep, redacted copy of any value, safe to log or store: values under secret keys (`access_token`,
 * `refreshToken`, `client_secret`, `Authorization`, `cookie`, `password`, `apiKey`, an OAuth `code` ...) become
 * `[REDACTED]`, every string goes through `redactText`, errors through `redactError`, fetch `Headers` / `Request` /
 * `Response` become plain data without credentials, and bytes are reduced to their length. Cycles are kept as
 * cycles; the input is never modified.
 */
export function redactValue<T>(value: T): T;
export function redactValue(value: unknown): unknown {
  return copy(value, new WeakMap(), 0);
}

/**
 * A safe copy of a thrown value: message, stack, own enumerable properties and the whole `cause` chain (and
 * AggregateError `errors`) redacted, with the same prototype, `name` and `code`. Cycles in the cause chain are kept,
 * not followed forever. Non-errors are copied with `redactValue`.
 */
export function redactError<T>(error: T): T;
export function redactError(error: unknown): unknown {
  return copy(error, new WeakMap(), 0);
}
