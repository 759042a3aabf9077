import {
  type EntityType,
  type ProviderChange,
  ProviderError,
  type ProviderHttp,
  type PullChanges,
  type PullChangesResult,
  ValidationError,
} from '@blueclerk/core/provider';
import type { QboEntity, QboObject, QuickBooksClient } from './client';
import { customerFromQbo, invoiceFromQbo, itemFromQbo, paymentFromQbo } from './mappers/index';
import { readRecords } from './read-records';
import { type CompanySettings, companySettings, type ResolvedQuickBooksSettings } from './settings';

/**
 * Incremental pull over Change Data Capture. Intuit keeps 30 days of changes and answers at most 1,000 objects per
 * call, with no upper time bound - so the cursor is the newest LastUpdatedTime seen plus the ids delivered at that
 * exact second (QuickBooks times have second precision; `changedSince` is inclusive). A full answer means "more may
 * be waiting". A cursor older than the CDC window falls back to a LastUpdatedTime query (inactive names included),
 * which cannot report deletes; so does a full CDC answer stuck in one second, paged with STARTPOSITION.
 */

const ENTITY_BY_TYPE: Partial<Record<EntityType, QboEntity>> = {
  customer: 'Customer',
  item: 'Item',
  invoice: 'Invoice',
  payment: 'Payment',
};
const DAY_MS = 24 * 3600 * 1000;
const LOOKBACK_MS = 30 * DAY_MS;
/** Stay clear of the 30-day edge so a request built now is still inside the window when Intuit checks it. */
const LOOKBACK_MARGIN_MS = 10 * 60 * 1000;
const CDC_CAP = 1000;

interface Cursor {
  /** Epoch ms of the newest change delivered. */
  t: number;
  /** `Id:SyncToken` of changes delivered at exactly `t`, so they are not delivered again. */
  seen: string[];
}

function encodeCursor(cursor: Cursor): string {
  return JSON.stringify(cursor);
}

function decodeCursor(raw: string): Cursor {
  try {
    const parsed = JSON.parse(raw) as Cursor;
    if (typeof parsed.t === 'number' && Array.isArray(parsed.seen)) return parsed;
  } catch {
    // fall through
  }
  throw new ValidationError('Invalid QuickBooks pull cursor', [
    { path: 'cursor', message: 'not a QuickBooks cursor' },
  ]);
}

/** `2026-01-02T03:04:05Z`: QuickBooks times have second precision. */
function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function lastUpdated(raw: QboObject): number | null {
  const meta = raw.MetaData as { LastUpdatedTime?: string } | undefined;
  const ms = meta?.LastUpdatedTime ? Date.parse(meta.LastUpdatedTime) : Number.NaN;
  return Number.isNaN(ms) ? null : ms;
}

function secondOf(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** Name lists hide inactive records unless the query mentions `Active`; a pull must see deactivations too. */
const NAME_LISTS: ReadonlySet<QboEntity> = new Set(['Customer', 'Item']);

/**
 * How far back of the delivered count the next page within one second starts: rows of that second that changed
 * again meanwhile move to a later second and shift positions down; the overlap (deduplicated by `seen`) absorbs up
 * to this many such moves.
 */
const PAGE_OVERLAP = 100;

/**
 * Changes since the cursor from the query service (`MetaData.LastUpdatedTime >=`, oldest first), used where CDC
 * cannot answer: beyond its 30 days, or for more than 1,000 changes within one second. The cursor's `seen` changes
 * sort first, so the page starts after them (STARTPOSITION) instead of returning them again.
 */
async function queryFrom(
  ctx: Parameters<QuickBooksClient['query']>[0],
  client: QuickBooksClient,
  entity: QboEntity,
  cursor: Cursor,
): Promise<{ raws: QboObject[]; saturated: boolean }> {
  const active = NAME_LISTS.has(entity) ? ' and Active IN (true, false)' : '';
  const start = Math.max(1, cursor.seen.length + 1 - PAGE_OVERLAP);
  const { entities } = await client.query(
    ctx,
    `select * from ${entity} where MetaData.LastUpdatedTime >= '${isoSeconds(cursor.t)}'${active} orderby MetaData.LastUpdatedTime startposition ${start} maxresults ${CDC_CAP}`,
  );
  return { raws: entities, saturated: entities.length >= CDC_CAP };
}

export function createPullChanges(
  settings: ResolvedQuickBooksSettings,
  client: QuickBooksClient,
): PullChanges<ProviderHttp> {
  const toChange = (company: CompanySettings, entityType: EntityType, raw: QboObject): ProviderChange => {
    const home = company.homeCurrency;
    const id = String(raw.Id);
    if (raw.status === 'Deleted') return { entityType, deleted: true, providerId: id };
    switch (entityType) {
      case 'customer':
        return { entityType, deleted: false, record: customerFromQbo(raw) };
      case 'item':
        return { entityType, deleted: false, record: itemFromQbo(raw, home) };
      case 'invoice':
        return { entityType, deleted: false, record: invoiceFromQbo(raw, home) };
      case 'payment':
        // A voided payment has a zero amount: for core it no longer exists. Anything else that is not a positive
        // amount ("NaN", negative, an object) is unreadable, and unreadable is not deleted: the mapper refuses it.
        if (typeof raw.TotalAmt === 'number' ? raw.TotalAmt === 0 : raw.TotalAmt === '0')
          return { entityType, deleted: true, providerId: id };
        return {
          entityType,
          deleted: false,
          record: paymentFromQbo(raw, company),
        };
      default:
        throw new ProviderError('unsupported', `QuickBooks pulls do not cover ${entityType}`);
    }
  };

  return async (ctx, request): Promise<PullChangesResult> => {
    const entity = ENTITY_BY_TYPE[request.entityType];
    if (!entity) {
      throw new ProviderError('unsupported', `QuickBooks pulls do not cover ${request.entityType}`);
    }
    const now = settings.clock.now();
    const cursor: Cursor = request.cursor
      ? decodeCursor(request.cursor)
      : { t: Math.max(request.since ?? 0, now - LOOKBACK_MS + LOOKBACK_MARGIN_MS), seen: [] };

    let raws: QboObject[];
    let saturated: boolean;
    const inCdcWindow = cursor.t >= now - LOOKBACK_MS + LOOKBACK_MARGIN_MS;
    if (inCdcWindow) {
      const byEntity = await client.cdc(ctx, [entity], isoSeconds(cursor.t));
      raws = byEntity.get(entity) ?? [];
      saturated = raws.length >= CDC_CAP;
    } else {
      ({ raws, saturated } = await queryFrom(ctx, client, entity, cursor));
    }
    // CDC has no paging: a full answer whose every change sits in the cursor's own second cannot move the cursor, and
    // asking again returns the same 1,000. Page through that second with the query service instead.
    if (
      inCdcWindow &&
      saturated &&
      raws.every((raw) => secondOf(lastUpdated(raw) ?? cursor.t) === secondOf(cursor.t))
    ) {
      ({ raws, saturated } = await queryFrom(ctx, client, entity, cursor));
    }

    const seen = new Set(cursor.seen);
    const fresh = raws
      .map((raw) => ({
        raw,
        at: lastUpdated(raw) ?? cursor.t,
        key: `${String(raw.Id)}:${String(raw.SyncToken ?? raw.status ?? '')}`,
      }))
      .filter((entry) => !(Math.floor(entry.at / 1000) * 1000 === cursor.t && seen.has(entry.key)))
      .sort((a, b) => a.at - b.at);
    if (fresh.length === 0) {
      return { changes: [], nextCursor: encodeCursor(cursor), hasMore: false };
    }
    const newest = Math.floor((fresh.at(-1) as { at: number }).at / 1000) * 1000;
    const atNewest = fresh.filter((entry) => Math.floor(entry.at / 1000) * 1000 === newest).map((e) => e.key);
    const nextSeen = newest === cursor.t ? [...cursor.seen, ...atNewest] : atNewest;
    const company = companySettings(ctx, settings);
    const { records: changes, rejected } = readRecords(
      ENTITY_BY_TYPE[request.entityType] ?? request.entityType,
      fresh.map((entry) => entry.raw),
      (raw) => toChange(company, request.entityType, raw),
    );
    return {
      changes,
      nextCursor: encodeCursor({ t: newest, seen: nextSeen }),
      hasMore: saturated,
      ...(rejected.length > 0
        ? { rejected: rejected.map((bad) => ({ entityType: request.entityType, ...bad })) }
        : {}),
    };
  };
}
