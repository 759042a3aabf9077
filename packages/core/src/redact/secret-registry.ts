import { REDACTED } from './sensitive-keys';

/**
 * A bounded, process-wide set of secret values seen in clear (tokens the token manager opened, client secrets,
 * encryption keys). Patterns catch secrets by their surroundings (`Bearer ...`, `"access_token": ...`); this catches
 * them anywhere, even when a provider echoes a token inside an unrelated error message.
 *
 * Bounded so a long-running worker refreshing thousands of connections does not grow without limit: the oldest
 * values drop out first. Values shorter than `MIN_SECRET_LENGTH` are ignored, because replacing short strings would
 * mangle ordinary text and a short value is not a real credential anyway.
 */
export const MAX_REGISTERED_SECRETS = 2000;
export const MIN_SECRET_LENGTH = 8;

interface Registry {
  // Insertion-ordered, so the first entry is the oldest.
  secrets: Set<string>;
  // Lookup by the first MIN_SECRET_LENGTH characters, so scanning a text costs O(text length), not O(registry size).
  byPrefix: Map<string, Set<string>>;
}

// One registry per process, on globalThis under a `Symbol.for` key: every bundled copy of this module (the main
// entry, `./provider`, `./testing`, a second installed version of core) shares it, so a secret the token manager
// registered is redacted from an error a provider package builds with its own copy.
const REGISTRY_KEY = Symbol.for('blueclerk.secret-registry.v1');
const shared = globalThis as Record<symbol, Registry | undefined>;
if (!shared[REGISTRY_KEY]) {
  shared[REGISTRY_KEY] = { secrets: new Set<string>(), byPrefix: new Map<string, Set<string>>() };
}
const registry = shared[REGISTRY_KEY] as Registry;
const { secrets, byPrefix } = registry;

function prefixOf(value: string): string {
  return value.slice(0, MIN_SECRET_LENGTH);
}

function forget(value: string): void {
  secrets.delete(value);
  const prefix = prefixOf(value);
  const bucket = byPrefix.get(prefix);
  if (!bucket) return;
  bucket.delete(value);
  if (bucket.size === 0) byPrefix.delete(prefix);
}

/**
 * Remembers a secret value so `redactText` (and everything built on it) replaces it wherever it appears.
 * Ignores non-strings and values shorter than 8 characters. Registering a value again makes it the newest.
 */
export function registerSecret(value: string | null | undefined): void {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
  if (secrets.has(value)) forget(value);
  secrets.add(value);
  const prefix = prefixOf(value);
  let bucket = byPrefix.get(prefix);
  if (!bucket) {
    bucket = new Set();
    byPrefix.set(prefix, bucket);
  }
  bucket.add(value);
  while (secrets.size > MAX_REGISTERED_SECRETS) {
    const oldest = secrets.values().next().value;
    if (oldest === undefined) break;
    forget(oldest);
  }
}

/** Forgets every registered secret. Meant for tests and for processes that want a clean slate. */
export function clearRegisteredSecrets(): void {
  secrets.clear();
  byPrefix.clear();
}

/** How many secrets are registered (at most `MAX_REGISTERED_SECRETS`). */
export function registeredSecretCount(): number {
  return secrets.size;
}

/** Replaces every registered secret in `text` with `[REDACTED]`, longest match first at each position. */
export function redactRegisteredSecrets(text: string): string {
  if (secrets.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
  let out = '';
  let copiedUpTo = 0;
  let i = 0;
  const last = text.length - MIN_SECRET_LENGTH;
  while (i <= last) {
    const bucket = byPrefix.get(text.slice(i, i + MIN_SECRET_LENGTH));
    let match = 0;
    if (bucket) {
      for (const candidate of bucket) {
        if (candidate.length > match && text.startsWith(candidate, i)) match = candidate.length;
      }
    }
    if (match === 0) {
      i += 1;
      continue;
    }
    out += text.slice(copiedUpTo, i) + REDACTED;
    i += match;
    copiedUpTo = i;
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}
