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
