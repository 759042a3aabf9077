import { runCdc } from './cdc';
import { bump, type SimCore } from './core';
import { type WriteOperation, writeBody, writeEntity } from './entities';
import { faults, type SimFault } from './faults';
import { parseQuery, runQuery, unfilterableField } from './query';
import { isObject, type WriteContext } from './records';
import { SIM_ENTITIES, type WireObject } from './state';

/** Intuit's documented batch ceiling: 30 operations per request. */
export const MAX_BATCH_ITEMS = 30;

/**
 * `POST /batch`: each `BatchItemRequest` runs on its own and answers a `BatchItemResponse` with the same `bId`,
 * carrying either the entity, a QueryResponse, or its own Fault (HTTP 200 overall).
 */
/** A batch sent with a `requestid` may name its items with `bId`s of at most 10 characters [Intuit blog 2015-04-06]. */
export const MAX_BATCH_ITEM_ID = 10;

export function runBatch(
  core: SimCore,
  ctx: WriteContext,
  body: unknown,
  options: { withRequestId?: boolean } = {},
): { ok: true; body: WireObject } | { ok: false; fault: SimFault } {
  const items = isObject(body) ? body.BatchItemRequest : undefined;
  if (!Array.isArray(items) || items.length === 0)
    return { ok: false, fault: faults.requiredParam('BatchItemRequest') };
  if (items.length > MAX_BATCH_ITEMS) {
    return {
      ok: false,
      fault: faults.badRequest(`Batch request has ${items.length} items; the maximum is ${MAX_BATCH_ITEMS}.`),
    };
  }
  if (options.withRequestId) {
    const long = items.find(
      (item) => isObject(item) && typeof item.bId === 'string' && item.bId.length > MAX_BATCH_ITEM_ID,
    );
    if (long) return { ok: false, fault: faults.stringLength('bId', MAX_BATCH_ITEM_ID) };
  }
  const responses = items.map((item): WireObject => {
    if (!isObject(item)) return { Fault: faults.badRequest('BatchItemRequest must be an object').fault };
    const bId = typeof item.bId === 'string' ? item.bId : undefined;
    const withId = (payload: WireObject): WireObject => (bId === undefined ? payload : { bId, ...payload });
    if (typeof item.Query === 'string') {
      const parsed = parseQuery(item.Query);
      if (!parsed.ok) return withId({ Fault: parsed.fault.fault });
      const refused = core.strictQueryFilters ? unfilterableField(parsed.query) : null;
      if (refused) return withId({ Fault: faults.notQueryable(parsed.query.entity, refused).fault });
      return withId({ QueryResponse: runQuery(ctx.realm, parsed.query) });
    }
    if (isObject(item.CDCQuery)) {
      const q = item.CDCQuery;
      const result = runCdc(
        ctx.realm,
        typeof q.Entities === 'string' ? q.Entities : null,
        typeof q.ChangedSince === 'string' ? q.ChangedSince : null,
        ctx.now,
      );
      return withId(
        result.ok
          ? { CDCResponse: (result.body.CDCResponse as unknown[])[0] }
          : { Fault: result.fault.fault },
      );
    }
    const entity = SIM_ENTITIES.find((name) => isObject(item[name]));
    if (!entity)
      return withId({ Fault: faults.badRequest('BatchItemRequest has no entity, Query or CDCQuery').fault });
    const operation = batchOperation(item);
    if (!operation) return withId({ Fault: faults.unsupportedOperation(String(item.operation)).fault });
    const result = writeEntity(ctx, entity, operation, item[entity]);
    if (!result.ok) return withId({ Fault: result.fault.fault });
    if (operation === 'create') bump(core.stats.created, entity);
    return withId({ [entity]: writeBody(result.record) });
  });
  return { ok: true, body: { BatchItemResponse: responses } };
}

function batchOperation(item: WireObject): WriteOperation | null {
  const op = typeof item.operation === 'string' ? item.operation.toLowerCase() : 'create';
  // Void in a batch is an update with optionsData "void".
  if (op === 'update' && typeof item.optionsData === 'string' && item.optionsData.toLowerCase() === 'void')
    return 'void';
  if (op === 'create' || op === 'update' || op === 'delete') return op;
  return null;
}
