import { ValidationError } from '../../errors/index';
import type { ConnectionRecord } from '../connections';
import type { LedgerEntry } from '../ledger';
import type { EntityLink } from '../links';
import type { Lease } from '../locks';
import type { SyncNotification } from '../notifications';
import type { CursorRecord } from '../sync-state';
import type { EpochMs } from '../types';

/**
 * The shared state behind one or more in-memory storages: the in-process stand-in for "one database".
 * Several `createMemoryStorage({ backend })` instances on one backend behave like several processes on one database,
 * which is how the conformance suite exercises cross-instance races.
 */
export interface MemoryBackend {
  /** A JSON dump of everything stored, for tests that check the backing store directly. */
  snapshot(): string;
  /** Forgets everything, including lease fence counters (use between tests only). */
  clear(): void;
}

/** Insertion sequence numbers break createdAt ties so "newest first" is total even within one millisecond. */
export interface Sequenced<T> {
  value: T;
  seq: number;
}

export interface MemoryState {
  connections: Map<string, Sequenced<ConnectionRecord>>;
  /** Current (possibly expired) lease per key. */
  leases: Map<string, Lease>;
  /** Highest fence ever granted per key. Survives release so fences are never reused. */
  fences: Map<string, number>;
  ledger: Map<string, LedgerEntry>;
  /** Keyed by (connectionId, entityType, localId). */
  links: Map<string, EntityLink>;
  /** (connectionId, entityType, providerId) -> key in `links`: the second uniqueness rule. */
  linksByProviderId: Map<string, string>;
  notifications: Map<string, Sequenced<SyncNotification>>;
  cursors: Map<string, CursorRecord>;
  /** (provider, deliveryId) -> when the memory of it expires. */
  deliveries: Map<string, EpochMs>;
  seq: number;
}

function emptyState(): MemoryState {
  return {
    connections: new Map(),
    leases: new Map(),
    fences: new Map(),
    ledger: new Map(),
    links: new Map(),
    linksByProviderId: new Map(),
    notifications: new Map(),
    cursors: new Map(),
    deliveries: new Map(),
    seq: 0,
  };
}

// State lives outside the backend object so callers cannot reach (and mutate) it except through a storage.
const STATES = new WeakMap<MemoryBackend, MemoryState>();

/** Creates an empty backend. Pass it to several `createMemoryStorage` calls to share one store between them. */
export function createMemoryBackend(): MemoryBackend {
  const backend: MemoryBackend = {
    snapshot: () => {
      const state = stateOf(backend);
      return JSON.stringify({
        connections: [...state.connections.values()].map((entry) => entry.value),
        leases: [...state.leases.values()],
        fences: Object.fromEntries(state.fences),
        ledger: [...state.ledger.values()],
        links: [...state.links.values()],
        notifications: [...state.notifications.values()].map((entry) => entry.value),
        cursors: [...state.cursors.values()],
        deliveries: Object.fromEntries(state.deliveries),
      });
    },
    clear: () => {
      STATES.set(backend, emptyState());
    },
  };
  STATES.set(backend, emptyState());
  return backend;
}

export function stateOf(backend: MemoryBackend): MemoryState {
  const state = STATES.get(backend);
  if (!state) {
    throw new ValidationError('Not a memory backend: create one with createMemoryBackend()');
  }
  return state;
}

/** Joins key parts with a separator that cannot appear in ids users pass, so ("a:b","c") and ("a","b:c") differ. */
export function compositeKey(...parts: string[]): string {
  return parts.join('\u0000');
}

/**
 * Deep copy in and out, so neither a caller mutating what it passed nor one mutating what it got back can change
 * stored state (a real database gives the same guarantee for free).
 */
export function copy<T>(value: T, what = 'value'): T {
  try {
    return structuredClone(value);
  } catch {
    throw new ValidationError(`${what} must be plain data (no functions, symbols or class instances)`);
  }
}

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
