import { faults, type SimFault } from './faults';
import {
  type RealmState,
  recordsOf,
  SIM_ENTITIES,
  type SimEntityName,
  type SimRecord,
  type WireObject,
} from './state';
import { formatQboDateTime } from './wire-values';

/** Change Data Capture: Intuit keeps 30 days of changes and answers at most 1,000 objects per response. */
export const CDC_LOOKBACK_MS = 30 * 24 * 3600 * 1000;
export const CDC_MAX_OBJECTS = 1000;

export function runCdc(
  realm: RealmState,
  entitiesParam: string | null,
  changedSinceParam: string | null,
  now: number,
): { ok: true; body: WireObject } | { ok: false; fault: SimFault } {
  if (!entitiesParam) return { ok: false, fault: faults.requiredParam('entities') };
  if (!changedSinceParam) return { ok: false, fault: faults.requiredParam('changedSince') };
  const since = Date.parse(changedSinceParam);
  if (Number.isNaN(since))
    return { ok: false, fault: faults.badRequest(`changedSince ${changedSinceParam} is not a date-time`) };
  if (since < now - CDC_LOOKBACK_MS) {
    return {
      ok: false,
      fault: faults.badRequest(
        `Operation cdc with changedSince date ${changedSinceParam} which is older than fixed days (30) is not supported.`,
      ),
    };
  }
  const entities: SimEntityName[] = [];
  for (const name of entitiesParam
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const entity = SIM_ENTITIES.find((e) => e.toLowerCase() === name.toLowerCase());
    if (!entity || entity === 'TaxCode') {
      return { ok: false, fault: faults.badRequest(`Entity ${name} is not supported by cdc`) };
    }
    entities.push(entity);
  }
  // The 1,000-object cap is shared by every requested entity; the oldest changes win so a client that advances its
  // cursor to the newest returned LastUpdatedTime never skips anything.
  const changed: SimRecord[] = [];
  for (const entity of entities) {
    for (const record of recordsOf(realm, entity).values())
      if (record.updatedMs >= since) changed.push(record);
  }
  changed.sort((a, b) => a.updatedMs - b.updatedMs);
  const kept = new Set(changed.slice(0, CDC_MAX_OBJECTS));
  const responses = entities.map((entity) => {
    const objects = changed
      .filter((r) => r.entity === entity && kept.has(r))
      .map((r) =>
        r.deleted
          ? {
              domain: 'QBO',
              status: 'Deleted',
              Id: r.id,
              MetaData: { LastUpdatedTime: formatQboDateTime(r.updatedMs, realm.timeZone) },
            }
          : r.data,
      );
    if (objects.length === 0) return {};
    return { [entity]: objects, startPosition: 1, maxResults: objects.length, totalCount: objects.length };
  });
  return { ok: true, body: { CDCResponse: [{ QueryResponse: responses }] } };
}
