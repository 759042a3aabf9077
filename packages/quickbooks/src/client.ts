import {
  type ProviderCallContext,
  type ProviderHttp,
  type ProviderHttpDescription,
  randomId,
} from '@blueclerk/core/provider';
import { z } from 'zod';
import { classifyQuickBooksResponse } from './errors';
import type { ResolvedQuickBooksSettings } from './settings';

/**
 * QuickBooks calls on core's HTTP layer: URL building (`/v3/company/{realmId}/…`, `minorversion`), a `requestid` on
 * every write, query paging, CDC and batch. No retry loop here - `createProviderHttp` owns retries and limits.
 */

/**
 * QuickBooks' HTTP facts besides its capabilities (limits and `requestid` placement live in
 * `QUICKBOOKS_CAPABILITIES`; core derives the client profile from both).
 */
export function quickBooksHttpDescription(settings: ResolvedQuickBooksSettings): ProviderHttpDescription {
  return {
    baseUrl: settings.baseUrl,
    headers: { accept: 'application/json' },
    timeoutMs: settings.timeoutMs,
    classifyResponse: classifyQuickBooksResponse,
  };
}

export type QboCtx = ProviderCallContext<ProviderHttp>;
export type QboObject = Record<string, unknown>;

/** Entity names as the API spells them in paths (lower case) and JSON wrappers (XSD element names). */
export type QboEntity = 'Customer' | 'Item' | 'Invoice' | 'Payment';

const QueryResponseSchema = z.looseObject({
  QueryResponse: z.looseObject({
    startPosition: z.number().optional(),
    maxResults: z.number().optional(),
    totalCount: z.number().optional(),
  }),
});

const CdcResponseSchema = z.looseObject({
  CDCResponse: z.array(z.looseObject({ QueryResponse: z.array(z.looseObject({})).default([]) })).min(1),
});

const BatchResponseSchema = z.looseObject({
  BatchItemResponse: z.array(z.looseObject({ bId: z.string().optional() })),
});

/**
 * Quotes a value for the query language. Backslash is its escape character ("Use backslash (\\) to escape special
 * characters like apostrophe", Intuit blog 2017-02-08), so a backslash in the value is escaped first: `Pipe 1/2\\`
 * would otherwise escape the closing quote and break the query.
 */
export function qboLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Keys QuickBooks accepts as `requestid` on a batch (<= 36 chars): long keys are folded deterministically. */
export function batchRequestId(key: string): string {
  if (key.length <= 36) return key;
  // Two FNV-1a passes with different seeds: stable across retries, collision-resistant enough for request ids.
  const fnv = (seed: number) => {
    let h = seed >>> 0;
    for (let i = 0; i < key.length; i += 1) {
      h ^= key.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h.toString(16).padStart(8, '0');
  };
  return `k${fnv(0x811c9dc5)}${fnv(0x2f9be6cc)}${fnv(0x1b873593)}${fnv(0x7feb352d)}`;
}

export interface QuickBooksClient {
  /** `include`: extra parts of the answer (`invoiceLink`, minorversion >= 36). */
  read(ctx: QboCtx, entity: QboEntity, id: string, options?: { include?: string }): Promise<QboObject | null>;
  /** Create or update (body with Id + SyncToken) - always with a requestid, so the HTTP layer may retry it. */
  write(
    ctx: QboCtx,
    entity: QboEntity,
    body: QboObject,
    options?: { requestId?: string; operation?: 'void' | 'delete'; include?: string },
  ): Promise<QboObject>;
  /** One query page: the entities and whether the page was full. */
  query(ctx: QboCtx, text: string): Promise<{ entities: QboObject[]; totalCount: number | null }>;
  /** `select count(*)` for an entity and optional where clause. */
  count(ctx: QboCtx, entity: QboEntity, where?: string): Promise<number>;
  /** Runs a select page by page (STARTPOSITION/MAXRESULTS) until `limit` entities or the end. */
  queryAll(ctx: QboCtx, select: string, options?: { limit?: number }): Promise<QboObject[]>;
  cdc(ctx: QboCtx, entities: QboEntity[], changedSince: string): Promise<Map<string, QboObject[]>>;
  /** The company's Preferences (home currency in `CurrencyPrefs.HomeCurrency`). */
  preferences(ctx: QboCtx): Promise<QboObject>;
  /** The company's CompanyInfo (`GET /companyinfo/{realmId}`). */
  companyInfo(ctx: QboCtx): Promise<QboObject>;
  batch(ctx: QboCtx, items: QboObject[], requestId?: string): Promise<QboObject[]>;
}

export function createQuickBooksClient(settings: ResolvedQuickBooksSettings): QuickBooksClient {
  const minorversion = settings.minorVersion;
  const companyPath = (ctx: QboCtx, rest: string) =>
    `/v3/company/${encodeURIComponent(ctx.tenantId)}/${rest}`;

  async function query(ctx: QboCtx, text: string) {
    const { data } = await ctx.http.request({
      method: 'GET',
      path: companyPath(ctx, 'query'),
      query: { query: text, minorversion },
      schema: QueryResponseSchema,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const response = data.QueryResponse;
    const entities = Object.values(response).find((v): v is QboObject[] => Array.isArray(v)) ?? [];
    return { entities, totalCount: response.totalCount ?? null };
  }

  return {
    async companyInfo(ctx) {
      const { data } = await ctx.http.request({
        method: 'GET',
        path: companyPath(ctx, `companyinfo/${encodeURIComponent(ctx.tenantId)}`),
        query: { minorversion },
        schema: z.looseObject({ CompanyInfo: z.looseObject({}) }),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      return data.CompanyInfo as QboObject;
    },
    async preferences(ctx) {
      const { data } = await ctx.http.request({
        method: 'GET',
        path: companyPath(ctx, 'preferences'),
        query: { minorversion },
        schema: z.looseObject({ Preferences: z.looseObject({}) }),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      return data.Preferences as QboObject;
    },
    async read(ctx, entity, id, options = {}) {
      try {
        const { data } = await ctx.http.request({
          method: 'GET',
          path: companyPath(ctx, `${entity.toLowerCase()}/${encodeURIComponent(id)}`),
          query: { minorversion, ...(options.include ? { include: options.include } : {}) },
          schema: z.looseObject({ [entity]: z.looseObject({}) }),
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        });
        return data[entity] as QboObject;
      } catch (error) {
        // QuickBooks answers a read of a missing id with Fault 610 (HTTP 400); the contract wants null.
        if ((error as { code?: string }).code === 'not_found') return null;
        throw error;
      }
    },
    async write(ctx, entity, body, options = {}) {
      const { data } = await ctx.http.request({
        method: 'POST',
        path: companyPath(ctx, entity.toLowerCase()),
        query: {
          minorversion,
          ...(options.operation ? { operation: options.operation } : {}),
          ...(options.include ? { include: options.include } : {}),
        },
        json: body,
        idempotencyKey: options.requestId ?? randomId(16),
        schema: z.looseObject({ [entity]: z.looseObject({}) }),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      return data[entity] as QboObject;
    },
    query,
    async count(ctx, entity, where) {
      const { totalCount } = await query(
        ctx,
        `select count(*) from ${entity}${where ? ` where ${where}` : ''}`,
      );
      return totalCount ?? 0;
    },
    async queryAll(ctx, select, options = {}) {
      const limit = options.limit ?? Number.POSITIVE_INFINITY;
      const out: QboObject[] = [];
      let start = 1;
      for (;;) {
        const size = Math.min(settings.pageSize, limit - out.length);
        const { entities } = await query(ctx, `${select} startposition ${start} maxresults ${size}`);
        out.push(...entities);
        if (entities.length < size || out.length >= limit) return out;
        start += entities.length;
      }
    },
    async cdc(ctx, entities, changedSince) {
      const { data } = await ctx.http.request({
        method: 'GET',
        path: companyPath(ctx, 'cdc'),
        query: { entities: entities.join(','), changedSince, minorversion },
        schema: CdcResponseSchema,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      const byEntity = new Map<string, QboObject[]>();
      for (const response of data.CDCResponse[0]?.QueryResponse ?? []) {
        for (const [key, value] of Object.entries(response)) {
          if (Array.isArray(value))
            byEntity.set(key, [...(byEntity.get(key) ?? []), ...(value as QboObject[])]);
        }
      }
      return byEntity;
    },
    async batch(ctx, items, requestId) {
      const { data } = await ctx.http.request({
        method: 'POST',
        path: companyPath(ctx, 'batch'),
        query: { minorversion },
        json: { BatchItemRequest: items },
        // Counted against QuickBooks' separate 40 batches/min window (capabilities.batch.requestsPerMinute).
        batch: true,
        // Batch requestids are limited to 36 characters (Intuit blog 2015-04-06).
        idempotencyKey: batchRequestId(requestId ?? randomId(16)),
        schema: BatchResponseSchema,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      return data.BatchItemResponse as QboObject[];
    },
  };
}
