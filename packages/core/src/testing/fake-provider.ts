import { z } from 'zod';
import { ProviderError } from '../errors/index';
import type { Customer } from '../model/customer';
import type { Invoice } from '../model/invoice';
import type { Item } from '../model/item';
import type { Payment } from '../model/payment';
import type { BatchOperationResult } from '../provider/batch';
import type { ProviderCapabilities } from '../provider/capabilities';
import type { ProviderChange } from '../provider/changes';
import type { ProviderCallContext } from '../provider/context';
import type { Page } from '../provider/records';
import { type AccountingProvider, defineProvider } from '../provider/spec';
import { type Clock, systemClock } from '../runtime/clock';
import type { ProviderId } from '../storage/types';
import type { TokenPolicy } from '../tokens/policy';
import {
  classifyFakeError,
  classifyFakeResponse,
  type FakeFault,
  FakeFaults,
  type FakeOperation,
  lostResponseError,
  preCallError,
} from './fake-provider-faults';
import { FakeStore, type StoredRecord } from './fake-provider-store';
import {
  type FakeWebhookEvent,
  fakeWebhookBody,
  fakeWebhooks,
  signFakeWebhook,
} from './fake-provider-webhooks';

export {
  classifyFakeError,
  classifyFakeResponse,
  type FakeFault,
  FakeFaults,
  type FakeOperation,
  fakeWireResponse,
} from './fake-provider-faults';
export { FakeStore, FakeWireError, type StoredRecord } from './fake-provider-store';
export {
  FAKE_SIGNATURE_HEADER,
  type FakeWebhookEvent,
  fakeWebhookBody,
  fakeWebhooks,
  signFakeWebhook,
} from './fake-provider-webhooks';

/** Token lifetimes of the fake (QuickBooks-like: 1 h access tokens, rotation after 60 of 100 days). */
export const FAKE_TOKEN_POLICY: TokenPolicy = {
  accessTokenTtlSec: 3600,
  refreshAheadSec: 300,
  refreshTokenTtlDays: 100,
  rotateRefreshTokenAfterDays: 60,
  refreshTokenReuseGraceSec: 24 * 3600,
};

/**
 * The fake's per-connection settings: an income account for items that name none (as QuickBooks needs) and the
 * company currency. Strict, so a misspelt setting is refused like a real provider's would be.
 */
export const FakeConnectionSettingsSchema = z.strictObject({
  incomeAccountId: z.string().min(1).optional(),
  homeCurrency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'a three-letter ISO currency code')
    .default('USD'),
});
export type FakeConnectionSettings = z.output<typeof FakeConnectionSettingsSchema>;

export interface FakeProviderOptions {
  /** Provider id the fake poses as. Default `quickbooks`. */
  id?: ProviderId;
  /** Display name. Default `Fake Books`. */
  displayName?: string;
  /** `manual` poses as Wave: no payment operations. Default `api`. */
  payments?: 'api' | 'manual';
  /** SyncToken-style versions. Default true. */
  versionedUpdates?: boolean;
  /** Batch size, or null for no batch endpoint. Default null. */
  batchSize?: number | null;
  /** Idempotency key support. Default QuickBooks' `requestid` (<= 50). */
  idempotencyKey?: ProviderCapabilities['idempotencyKey'];
  /** Webhook support. Default true, with payment events. */
  webhooks?: boolean;
  /** Refuse items without an income account (QuickBooks). Default false. */
  requireIncomeAccount?: boolean;
  /** Records per list page. Default 2, so paging is exercised. */
  pageSize?: number;
  /** Rate / concurrency limits the fake declares. */
  limits?: Partial<ProviderCapabilities['limits']>;
  voidInvoices?: boolean;
  /** Artificial latency per call, in ms (real timers). Default 0. */
  latencyMs?: number;
  clock?: Clock;
}

export interface FakeProvider {
  provider: AccountingProvider<unknown>;
  store: FakeStore;
  faults: FakeFaults;
  /** Every call made, in order (faulted ones included). */
  readonly calls: FakeOperation[];
  /** Calls of one operation. */
  count(op: FakeOperation): number;
  /** Most calls that were in flight at once. */
  readonly maxInFlight: number;
  /** Shorthands for `faults.inject`. */
  failNext(op: FakeOperation, error: unknown): void;
  loseNextResponse(op: FakeOperation): void;
  hangNextAfterCommit(op: FakeOperation): void;
  rateLimitNext(op: FakeOperation, retryAfterMs?: number): void;
  staleVersionNext(op: FakeOperation): void;
  duplicateNext(op: FakeOperation): void;
  /** A context for direct calls (tests, conformance), with the given (validated) connection settings. */
  context(tenantId?: string, settings?: Record<string, unknown>): ProviderCallContext<unknown>;
  /** Signs and builds a webhook delivery: `{ rawBody, headers }`. */
  webhook(
    events: FakeWebhookEvent[],
    secret: string,
  ): Promise<{ rawBody: string; headers: Record<string, string> }>;
}

/**
 * A scripted, stateful, in-memory provider for engine tests and as a reference for provider authors. Faults are
 * injected per operation (`failNext`, `loseNextResponse`, `hangNextAfterCommit`, `rateLimitNext`,
 * `staleVersionNext`, `duplicateNext`); state is inspectable directly through `store`.
 */
export function createFakeProvider(options: FakeProviderOptions = {}): FakeProvider {
  const clock = options.clock ?? systemClock;
  const versionedUpdates = options.versionedUpdates ?? true;
  const pageSize = options.pageSize ?? 2;
  const store = new FakeStore({
    clock,
    versionedUpdates,
    requireIncomeAccount: options.requireIncomeAccount ?? false,
    paymentReferenceMaxLength: 21,
  });
  const faults = new FakeFaults();
  const calls: FakeOperation[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  async function run<T>(
    op: FakeOperation,
    commit: () => T,
    stale?: { kind: 'customer' | 'item' | 'invoice'; id: string },
  ): Promise<T> {
    calls.push(op);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await (options.latencyMs ? new Promise((r) => setTimeout(r, options.latencyMs)) : Promise.resolve());
      const fault = faults.take(op);
      if (fault) {
        const error = preCallError(fault, op);
        if (error) throw error;
        if (fault.kind === 'stale-version' && stale) store.editExternally(stale.kind, stale.id);
      }
      const result = commit();
      if (fault?.kind === 'lose-response') throw lostResponseError(op);
      if (fault?.kind === 'hang-after-commit') return await new Promise<T>(() => {});
      return result;
    } finally {
      inFlight--;
    }
  }

  function page<T>(
    kind: 'customer' | 'item' | 'invoice',
    cursor: string | null | undefined,
    size?: number,
  ): Page<T> {
    const all = store.list<T>(kind);
    const offset = cursor ? Number(cursor) : 0;
    const take = Math.min(size ?? pageSize, pageSize);
    const slice = all.slice(offset, offset + take);
    const next = offset + take < all.length ? String(offset + take) : null;
    return { records: slice.map((r) => store.toRecord(r)), nextCursor: next, total: all.length };
  }

  const one = <T>(stored: StoredRecord<T> | undefined) => (stored ? store.toRecord(stored) : null);

  function createInvoice(data: Invoice, key?: string) {
    const computed = store.computeInvoice(data);
    return store.toRecord(store.insert('invoice', computed, key));
  }
  function updateInvoice(id: string, data: Invoice, version: string | null) {
    store.require('invoice', id);
    return store.toRecord(store.replace('invoice', id, store.computeInvoice(data, id), version));
  }
  function createCustomer(data: Customer, key?: string) {
    const replay = store.replayed<Customer>('customer', key);
    if (replay) return store.toRecord(replay);
    store.checkCustomer(data);
    return store.toRecord(store.insert('customer', data, key));
  }
  function createItem(data: Item, key?: string, settings?: Readonly<Record<string, unknown>>) {
    const replay = store.replayed<Item>('item', key);
    if (replay) return store.toRecord(replay);
    const account = settings?.incomeAccountId;
    if (!data.incomeAccount && typeof account === 'string')
      data = { ...data, incomeAccount: { id: account, code: null, name: null } };
    store.checkItem(data);
    return store.toRecord(store.insert('item', data, key));
  }

  const capabilities: ProviderCapabilities = {
    payments: options.payments ?? 'api',
    webhooks:
      options.webhooks === false
        ? { supported: false }
        : { supported: true, entities: ['customer', 'item', 'invoice', 'payment'], paymentEvents: 'push' },
    batch: options.batchSize ? { maxOperations: options.batchSize, requestsPerMinute: null } : null,
    idempotencyKey:
      options.idempotencyKey === undefined
        ? { in: 'query', name: 'requestid', maxLength: 50 }
        : options.idempotencyKey,
    incrementalPull: {
      strategy: 'cdc',
      maxLookbackDays: 30,
      entities: ['customer', 'item', 'invoice', 'payment'],
    },
    versionedUpdates,
    voidInvoices: options.voidInvoices ?? true,
    paymentReference: options.payments === 'manual' ? null : { field: 'reference', maxLength: 21 },
    limits: { requestsPerMinute: 500, concurrency: 10, requestsPerDay: null, ...options.limits },
  };

  const provider = defineProvider<unknown>({
    specVersion: 'v1',
    id: options.id ?? 'quickbooks',
    displayName: options.displayName ?? 'Fake Books',
    capabilities,
    oauth: {
      endpoints: {
        authorizeUrl: 'https://fake.test/authorize',
        tokenUrl: 'https://fake.test/token',
        revokeUrl: null,
      },
      defaultScopes: ['accounting'],
      pkce: 'S256',
      clientAuthentication: 'basic',
      revokeToken: 'refresh_token',
    },
    tokenPolicy: FAKE_TOKEN_POLICY,
    // Operations never touch `ctx.http` (the fake keeps state in memory); the description exists because every
    // provider declares one, and createBlueClerk builds a client from it. Its classifier reads the fake's error
    // bodies, so an app wired to a fake HTTP API gets the same typed errors the operations throw.
    http: { baseUrl: 'https://fake.test/api', timeoutMs: 10_000, classifyResponse: classifyFakeResponse },
    connectionSettings: {
      schema: FakeConnectionSettingsSchema,
      discover: async () => ({ homeCurrency: 'USD' }),
    },
    customers: {
      list: (_ctx, o = {}) => run('customers.list', () => page<Customer>('customer', o.cursor, o.pageSize)),
      get: (_ctx, id) => run('customers.get', () => one(store.customers.get(id))),
      findByEmail: (_ctx, email) =>
        run('customers.findByEmail', () => store.findCustomersByEmail(email).map((c) => store.toRecord(c))),
      create: (_ctx, data, o = {}) => run('customers.create', () => createCustomer(data, o.idempotencyKey)),
      update: (_ctx, id, data, o) =>
        run(
          'customers.update',
          () => {
            store.checkCustomer(data, id);
            return store.toRecord(store.replace('customer', id, data, o.version));
          },
          { kind: 'customer', id },
        ),
    },
    items: {
      list: (_ctx, o = {}) => run('items.list', () => page<Item>('item', o.cursor, o.pageSize)),
      get: (_ctx, id) => run('items.get', () => one(store.items.get(id))),
      findBySku: (_ctx, sku) =>
        run('items.findBySku', () =>
          store
            .list<Item>('item')
            .filter((i) => i.data.sku === sku)
            .map((i) => store.toRecord(i)),
        ),
      findByName: (_ctx, name) =>
        run('items.findByName', () =>
          store
            .list<Item>('item')
            .filter((i) => i.data.name.toLowerCase() === name.toLowerCase())
            .map((i) => store.toRecord(i)),
        ),
      create: (ctx, data, o = {}) =>
        run('items.create', () => createItem(data, o.idempotencyKey, ctx.settings)),
      update: (_ctx, id, data, o) =>
        run(
          'items.update',
          () => {
            store.checkItem(data);
            return store.toRecord(store.replace('item', id, data, o.version));
          },
          { kind: 'item', id },
        ),
    },
    invoices: {
      list: (_ctx, o = {}) => run('invoices.list', () => page<Invoice>('invoice', o.cursor, o.pageSize)),
      get: (_ctx, id) => run('invoices.get', () => one(store.invoices.get(id))),
      findByNumber: (_ctx, number) =>
        run('invoices.findByNumber', () =>
          one([...store.invoices.values()].find((i) => i.data.number === number)),
        ),
      create: (_ctx, data, o = {}) => run('invoices.create', () => createInvoice(data, o.idempotencyKey)),
      update: (_ctx, id, data, o) =>
        run('invoices.update', () => updateInvoice(id, data, o.version), { kind: 'invoice', id }),
      void: (_ctx, id, o) =>
        run(
          'invoices.void',
          () => {
            const stored = store.require<Invoice>('invoice', id);
            if (store.paidOn(id) > 0) {
              throw new ProviderError('conflict', `Invoice ${id} has payments applied`, { status: 400 });
            }
            const data = {
              ...stored.data,
              status: 'VOID' as const,
              balance: { ...stored.data.balance, amount: 0 },
            };
            return store.toRecord(store.replace('invoice', id, data, o.version));
          },
          { kind: 'invoice', id },
        ),
    },
    payments:
      options.payments === 'manual'
        ? null
        : {
            get: (_ctx, id) => run('payments.get', () => one(store.payments.get(id))),
            create: (_ctx, data, o) =>
              run('payments.create', () => {
                const replay = o.idempotencyKey
                  ? store.idempotency.get(`payment:${o.idempotencyKey}`)
                  : undefined;
                if (replay) return store.toRecord(store.require<Payment>('payment', replay));
                const withRef: Payment = { ...data, reference: o.reference };
                const invoice = store.checkPayment(withRef);
                const stored = store.insert('payment', withRef, o.idempotencyKey);
                store.applyPaymentToInvoice(invoice, withRef.amount.amount);
                return store.toRecord(stored);
              }),
            findByReference: (_ctx, reference) =>
              run('payments.findByReference', () =>
                one([...store.payments.values()].find((p) => p.data.reference === reference)),
              ),
            listForInvoice: (_ctx, invoiceId) =>
              run('payments.listForInvoice', () =>
                store
                  .list<Payment>('payment')
                  .filter((p) => p.data.invoice?.id === invoiceId)
                  .map((p) => store.toRecord(p)),
              ),
          },
    batch: options.batchSize
      ? (ctx, operations) =>
          run('batch', () => {
            if (operations.length > (options.batchSize ?? 0)) {
              throw new ProviderError(
                'validation_failed',
                `Batch of ${operations.length} exceeds ${options.batchSize}`,
              );
            }
            return operations.map((operation): BatchOperationResult => {
              try {
                let record: BatchOperationResult & { ok: true };
                if (operation.entityType === 'invoice') {
                  const r =
                    operation.op === 'create'
                      ? createInvoice(operation.data)
                      : updateInvoice(operation.providerId, operation.data, operation.version);
                  record = { id: operation.id, ok: true, record: r };
                } else if (operation.entityType === 'customer') {
                  const r =
                    operation.op === 'create'
                      ? createCustomer(operation.data)
                      : store.toRecord(
                          store.replace('customer', operation.providerId, operation.data, operation.version),
                        );
                  record = { id: operation.id, ok: true, record: r };
                } else {
                  const r =
                    operation.op === 'create'
                      ? createItem(operation.data, undefined, ctx.settings)
                      : store.toRecord(
                          store.replace('item', operation.providerId, operation.data, operation.version),
                        );
                  record = { id: operation.id, ok: true, record: r };
                }
                return record;
              } catch (error) {
                return { id: operation.id, ok: false, error: classifyFakeError(error) };
              }
            });
          })
      : undefined,
    pullChanges: (_ctx, request) =>
      run('pullChanges', () => {
        const after = request.cursor ? Number(request.cursor) : 0;
        const pending = store.log.filter(
          (e) =>
            e.seq > after &&
            e.entityType === request.entityType &&
            (request.cursor !== null || request.since === undefined || e.at >= request.since),
        );
        const batch = pending.slice(0, pageSize);
        const changes = batch.map((e): ProviderChange => {
          const stored = store.require(e.entityType as 'customer', e.providerId);
          return {
            entityType: e.entityType,
            deleted: false,
            record: store.toRecord(stored),
          } as ProviderChange;
        });
        const last = batch.at(-1)?.seq ?? after;
        return { changes, nextCursor: String(last), hasMore: pending.length > batch.length };
      }),
    webhooks: options.webhooks === false ? null : fakeWebhooks,
    classifyError: classifyFakeError,
  });

  const inject = (op: FakeOperation, fault: FakeFault) => faults.inject(op, fault);
  return {
    provider,
    store,
    faults,
    calls,
    count: (op) => calls.filter((c) => c === op).length,
    get maxInFlight() {
      return maxInFlight;
    },
    failNext: (op, error) => inject(op, { kind: 'fail', error }),
    loseNextResponse: (op) => inject(op, { kind: 'lose-response' }),
    hangNextAfterCommit: (op) => inject(op, { kind: 'hang-after-commit' }),
    rateLimitNext: (op, retryAfterMs) => inject(op, { kind: 'rate-limit', retryAfterMs }),
    staleVersionNext: (op) => inject(op, { kind: 'stale-version' }),
    duplicateNext: (op) => inject(op, { kind: 'duplicate' }),
    context: (tenantId = 'tenant-1', settings = {}) => ({
      connectionId: 'fake-connection',
      tenantId,
      http: null,
      settings: FakeConnectionSettingsSchema.parse(settings),
    }),
    async webhook(events, secret) {
      const rawBody = fakeWebhookBody(events);
      return { rawBody, headers: { 'x-fake-signature': await signFakeWebhook(rawBody, secret) } };
    },
  };
}
