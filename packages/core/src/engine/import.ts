import type { AccountRef, TaxCodeRef } from '../model/common';
import { normalizeEmail } from '../model/common';
import { type Customer, parseCustomer } from '../model/customer';
import { type Item, parseItem } from '../model/item';
import type { Page, ProviderRecord } from '../provider/records';
import type { EntityLink } from '../storage/links';
import type { LocalRecord, RecordOrigin } from './host';
import type { ImportSummary } from './results';
import type { ConnectionScope, EngineRuntime } from './runtime';

export interface ImportOptions {
  /** Records per provider page (the provider caps it). */
  pageSize?: number;
  /** Stop after this many pages; the cursor is stored, so the next call resumes there. */
  maxPages?: number;
  /** Start from the first page even when an unfinished import's cursor is stored. */
  restart?: boolean;
  signal?: AbortSignal;
}

export interface ItemImportOptions extends ImportOptions {
  /** Maps the provider's income account onto the app's (e.g. by code). Default: keep as is. Null: none. */
  mapIncomeAccount?: (account: AccountRef | null, item: Item) => AccountRef | null;
  /** Maps the provider's tax code onto the app's. Default: keep as is. */
  mapTaxCode?: (taxCode: TaxCodeRef | null, item: Item) => TaxCodeRef | null;
}

type Handled = 'created' | 'linked' | 'skipped';

interface ImportSpec<T> {
  entityType: 'customer' | 'item';
  list(cursor: string | null): Promise<Page<T>>;
  /** Finds the local record this provider record should be linked to, if any. */
  matchLocal(data: T): Promise<LocalRecord<T> | null>;
  createLocal(data: T, origin: RecordOrigin): Promise<LocalRecord<T>>;
  parse(data: unknown): T;
}

/** Stored import position: resumable until `done`. */
interface ImportCursor {
  next: string | null;
  done: boolean;
}

function readCursor(raw: string | null): ImportCursor | null {
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as ImportCursor;
    return typeof parsed === 'object' && parsed !== null ? parsed : null;
  } catch {
    return null;
  }
}

async function runImport<THttp, T>(
  rt: EngineRuntime<THttp>,
  scope: ConnectionScope<THttp>,
  spec: ImportSpec<T>,
  options: ImportOptions,
): Promise<ImportSummary> {
  const { connection } = scope;
  const scopeKey = `import:${spec.entityType}`;
  const summary: ImportSummary = {
    entityType: spec.entityType,
    created: 0,
    linked: 0,
    skipped: 0,
    failed: 0,
    processed: 0,
    complete: false,
    failures: [],
  };
  const stored = readCursor(await rt.storage.syncState.getCursor(connection.id, scopeKey));
  let cursor = options.restart || !stored || stored.done ? null : stored.next;
  let pages = 0;

  const link = (localId: string, record: ProviderRecord<T>): Promise<EntityLink> =>
    rt.storage.links.upsertLink({
      connectionId: connection.id,
      entityType: spec.entityType,
      localId,
      providerId: record.providerId,
      providerVersion: record.version,
      contentHash: null,
      lastSyncedAt: rt.clock.now(),
    });

  const handle = async (record: ProviderRecord<T>): Promise<Handled> => {
    const linked = await rt.storage.links.findLinkByProviderId(
      connection.id,
      spec.entityType,
      record.providerId,
    );
    if (linked) return 'skipped';
    const data = spec.parse(record.data);
    const match = await spec.matchLocal(data);
    if (match) {
      const existing = await rt.storage.links.findLinkByLocalId(
        connection.id,
        spec.entityType,
        match.localId,
      );
      // The local record already mirrors another provider record (a duplicate in the provider): leave both alone.
      if (existing && existing.providerId !== record.providerId) return 'skipped';
      await link(match.localId, record);
      return 'linked';
    }
    const created = await spec.createLocal(data, {
      connectionId: connection.id,
      provider: connection.provider,
      providerId: record.providerId,
    });
    await link(created.localId, record);
    return 'created';
  };

  while (!options.signal?.aborted && (options.maxPages === undefined || pages < options.maxPages)) {
    let page: Page<T>;
    try {
      page = await spec.list(cursor);
    } catch (error) {
      summary.failed++;
      summary.failures.push({ providerId: '', failure: rt.fail(connection, spec.entityType, null, error) });
      return summary;
    }
    pages++;
    for (const bad of page.rejected ?? []) {
      summary.processed++;
      summary.failed++;
      summary.failures.push({
        providerId: bad.providerId ?? '',
        failure: rt.fail(connection, spec.entityType, null, bad.error),
      });
    }
    for (const record of page.records) {
      summary.processed++;
      try {
        summary[await handle(record)]++;
      } catch (error) {
        summary.failed++;
        summary.failures.push({
          providerId: record.providerId,
          failure: rt.fail(connection, spec.entityType, null, error),
        });
      }
    }
    // Stored after the page is handled: a crash re-reads this page (links make that harmless), never skips it.
    cursor = page.nextCursor;
    await rt.storage.syncState.setCursor(
      connection.id,
      scopeKey,
      JSON.stringify({ next: cursor, done: cursor === null } satisfies ImportCursor),
    );
    rt.emit(connection, {
      type: 'import.progress',
      entityType: spec.entityType,
      processed: summary.processed,
      total: page.total,
    });
    if (cursor === null) {
      summary.complete = true;
      break;
    }
  }
  return summary;
}

/**
 * Imports provider customers into the app. A provider customer whose email (trimmed, case-insensitive) matches a
 * local customer is linked to it instead of duplicated; already-linked ones are skipped; the rest are created.
 */
export function importCustomers<THttp>(
  rt: EngineRuntime<THttp>,
  scope: ConnectionScope<THttp>,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  return runImport<THttp, Customer>(
    rt,
    scope,
    {
      entityType: 'customer',
      list: (cursor) =>
        rt.call(scope, (ctx) => rt.provider.customers.list(ctx, { cursor, pageSize: options.pageSize })),
      matchLocal: (data) =>
        data.email ? rt.host.findCustomerByEmail(normalizeEmail(data.email)) : Promise.resolve(null),
      createLocal: (data, origin) => rt.host.createCustomer(data, origin),
      parse: parseCustomer,
    },
    options,
  );
}

/**
 * Imports provider items, mapping income accounts and tax codes onto the app's. Matches local items by SKU, then by
 * name, before creating.
 */
export function importItems<THttp>(
  rt: EngineRuntime<THttp>,
  scope: ConnectionScope<THttp>,
  options: ItemImportOptions = {},
): Promise<ImportSummary> {
  const mapItem = (item: Item): Item => ({
    ...item,
    incomeAccount: options.mapIncomeAccount
      ? options.mapIncomeAccount(item.incomeAccount, item)
      : item.incomeAccount,
    taxCode: options.mapTaxCode ? options.mapTaxCode(item.taxCode, item) : item.taxCode,
  });
  return runImport<THttp, Item>(
    rt,
    scope,
    {
      entityType: 'item',
      list: (cursor) =>
        rt.call(scope, (ctx) => rt.provider.items.list(ctx, { cursor, pageSize: options.pageSize })),
      matchLocal: async (data) => {
        const bySku = data.sku && rt.host.findItemBySku ? await rt.host.findItemBySku(data.sku) : null;
        return bySku ?? rt.host.findItemByName(data.name);
      },
      createLocal: (data, origin) => rt.host.createItem(data, origin),
      parse: (data) => mapItem(parseItem(data)),
    },
    options,
  );
}
