import type { SimFault } from './faults';
import { faults } from './faults';
import { type RealmState, recordsOf, type SimEntityName, type SimRecord, type WireObject } from './state';
import type { CompanyTimeZone } from './wire-values';

/** Outcome of a write: the stored record, or the Fault the real API would answer. */
export type WriteResult = { ok: true; record: SimRecord } | { ok: false; fault: SimFault };
export type BuildResult = { ok: true; data: WireObject } | { ok: false; fault: SimFault };

export interface WriteContext {
  realm: RealmState;
  now: number;
  /** QuickBooks' "warn if duplicate document number" preference, on by default in the simulator. */
  uniqueDocNumbers: boolean;
  timeZone: CompanyTimeZone;
}

export function isObject(value: unknown): value is WireObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The id inside a ReferenceType (`{"value":"58","name":"Acme"}`); tolerates a bare string. */
export function refValue(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  if (isObject(value) && (typeof value.value === 'string' || typeof value.value === 'number')) {
    const id = String(value.value);
    return id === '' ? undefined : id;
  }
  return undefined;
}

export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A live (not deleted) record, or undefined. */
export function liveRecord(realm: RealmState, entity: SimEntityName, id: string): SimRecord | undefined {
  const record = recordsOf(realm, entity).get(id);
  return record && !record.deleted ? record : undefined;
}

/** Strips what a client may not set: QuickBooks ignores these on input and computes them. */
export function writableFields(input: WireObject): WireObject {
  const { Id: _id, SyncToken: _sync, MetaData: _meta, domain: _domain, sparse: _sparse, ...rest } = input;
  return rest;
}

/**
 * The update preamble every entity shares: Id and SyncToken present, record exists, SyncToken current.
 * A stale SyncToken is how QuickBooks detects a lost update (someone edited the record in the UI meanwhile).
 */
export function loadForUpdate(
  realm: RealmState,
  entity: SimEntityName,
  input: WireObject,
): { ok: true; previous: SimRecord } | { ok: false; fault: SimFault } {
  const id = refValue(input.Id);
  if (id === undefined) return { ok: false, fault: faults.requiredParam('Id') };
  const previous = liveRecord(realm, entity, id);
  if (!previous) return { ok: false, fault: faults.notFound(entity, id) };
  if (input.SyncToken === undefined || input.SyncToken === null) {
    return { ok: false, fault: faults.requiredParam('SyncToken') };
  }
  if (String(input.SyncToken) !== previous.data.SyncToken) return { ok: false, fault: faults.stale() };
  return { ok: true, previous };
}

/** Sparse update merges over the stored object; a full update replaces every writable field. */
export function mergeForUpdate(previous: SimRecord, input: WireObject): WireObject {
  const incoming = writableFields(input);
  return input.sparse === true ? { ...writableFields(previous.data), ...incoming } : incoming;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
export function isDate(value: unknown): value is string {
  return typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value));
}

export const USD = { value: 'USD', name: 'United States Dollar' } as const;
