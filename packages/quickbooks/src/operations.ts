import type { ProviderHttp } from '@blueclerk/core/provider';
import {
  type Customer,
  type CustomerOperations,
  type Invoice,
  type InvoiceOperations,
  type Item,
  type ItemOperations,
  type ListOptions,
  normalizeEmail,
  type Page,
  type PaymentOperations,
  ProviderError,
  type ProviderRecord,
  ValidationError,
} from '@blueclerk/core/provider';
import { type QboCtx, type QboEntity, type QboObject, type QuickBooksClient, qboLiteral } from './client';
import {
  customerFromQbo,
  customerToQbo,
  invoiceFromQbo,
  invoiceToQbo,
  itemFromQbo,
  itemToQbo,
  linkedPaymentIds,
  paymentFromQbo,
  paymentToQbo,
} from './mappers/index';
import { readRecords } from './read-records';
import { companySettings, type ResolvedQuickBooksSettings } from './settings';

/** Entity operations of the QuickBooks provider: mappers + client, no state, no retries. */

export interface QuickBooksOperations {
  customers: CustomerOperations<ProviderHttp>;
  items: ItemOperations<ProviderHttp>;
  invoices: InvoiceOperations<ProviderHttp>;
  payments: PaymentOperations<ProviderHttp>;
}

function requireVersion(version: string | null, what: string): string {
  if (version === null || version === '') {
    throw new ValidationError(`Updating a QuickBooks ${what} needs its SyncToken (options.version)`, [
      { path: 'version', message: 'required' },
    ]);
  }
  return version;
}

/** The query service rejects a filter on a property it cannot search (Fault 4000/4001): then we scan instead. */
function isUnsupportedFilter(error: unknown): boolean {
  const code = (error as { providerCode?: string }).providerCode;
  return code === '4000' || code === '4001';
}

export function createOperations(
  settings: ResolvedQuickBooksSettings,
  client: QuickBooksClient,
): QuickBooksOperations {
  const mapCustomer = (raw: unknown) => customerFromQbo(raw);
  // Amounts QuickBooks sends without a currency are in the company's home currency: a per-connection setting.
  const mapItem = (ctx: QboCtx) => (raw: unknown) =>
    itemFromQbo(raw, companySettings(ctx, settings).homeCurrency);
  const mapInvoice = (ctx: QboCtx) => (raw: unknown) =>
    invoiceFromQbo(raw, companySettings(ctx, settings).homeCurrency);
  // A voided payment keeps a zero amount; core payments are positive, so it reads as gone.
  const isLivePayment = (raw: QboObject) => Number(raw.TotalAmt) > 0;
  const mapPayment = (ctx: QboCtx) => (raw: unknown) => paymentFromQbo(raw, companySettings(ctx, settings));

  async function listPage<T>(
    ctx: QboCtx,
    entity: QboEntity,
    options: ListOptions,
    map: (raw: unknown) => ProviderRecord<T>,
  ): Promise<Page<T>> {
    const start = options.cursor ? Number.parseInt(options.cursor, 10) : 1;
    if (!Number.isInteger(start) || start < 1) {
      throw new ValidationError('Invalid QuickBooks list cursor', [
        { path: 'cursor', message: 'not a position' },
      ]);
    }
    const size = Math.min(options.pageSize ?? settings.pageSize, 1000);
    const nameList = entity === 'Customer' || entity === 'Item';
    // QuickBooks hides inactive names unless the query mentions Active.
    const where = nameList && options.includeInactive ? 'Active IN (true, false)' : undefined;
    const { entities } = await client.query(
      ctx,
      `select * from ${entity}${where ? ` where ${where}` : ''} orderby MetaData.CreateTime startposition ${start} maxresults ${size}`,
    );
    const total = options.cursor ? null : await client.count(ctx, entity, where);
    const { records, rejected } = readRecords(entity, entities, map);
    return {
      records,
      nextCursor: entities.length === size ? String(start + entities.length) : null,
      total,
      ...(rejected.length > 0 ? { rejected } : {}),
    };
  }

  async function update<T>(
    ctx: QboCtx,
    entity: QboEntity,
    id: string,
    body: Record<string, unknown>,
    version: string | null,
    map: (raw: unknown) => ProviderRecord<T>,
    options: { include?: string } = {},
  ): Promise<ProviderRecord<T>> {
    const SyncToken = requireVersion(version, entity);
    // Sparse: only the fields core's model covers change; QuickBooks keeps the rest as they are.
    return map(await client.write(ctx, entity, { ...body, Id: id, SyncToken, sparse: true }, options));
  }

  const customers: CustomerOperations<ProviderHttp> = {
    list: (ctx, options = {}) => listPage(ctx, 'Customer', options, mapCustomer),
    get: async (ctx, id) => {
      const raw = await client.read(ctx, 'Customer', id);
      return raw ? mapCustomer(raw) : null;
    },
    async findByEmail(ctx, email) {
      const wanted = normalizeEmail(email);
      let candidates: QboObject[];
      try {
        candidates = await client.queryAll(
          ctx,
          `select * from Customer where PrimaryEmailAddr = ${qboLiteral(email.trim())}`,
        );
      } catch (error) {
        // Filtering on PrimaryEmailAddr is not in Intuit's list of documented filters; fall back to a scan.
        if (!isUnsupportedFilter(error)) throw error;
        candidates = await client.queryAll(ctx, 'select * from Customer');
      }
      return candidates
        .map(mapCustomer)
        .filter((record) => record.data.email !== null && normalizeEmail(record.data.email) === wanted);
    },
    create: async (ctx, data: Customer, options = {}) =>
      mapCustomer(
        await client.write(ctx, 'Customer', customerToQbo(data), { requestId: options.idempotencyKey }),
      ),
    update: (ctx, id, data, options) =>
      update(ctx, 'Customer', id, customerToQbo(data), options.version, mapCustomer),
  };

  const items: ItemOperations<ProviderHttp> = {
    list: (ctx, options = {}) => listPage(ctx, 'Item', options, mapItem(ctx)),
    get: async (ctx, id) => {
      const raw = await client.read(ctx, 'Item', id);
      return raw ? mapItem(ctx)(raw) : null;
    },
    async findBySku(ctx, sku) {
      let candidates: QboObject[];
      try {
        candidates = await client.queryAll(ctx, `select * from Item where Sku = ${qboLiteral(sku)}`);
      } catch (error) {
        if (!isUnsupportedFilter(error)) throw error;
        candidates = await client.queryAll(ctx, 'select * from Item');
      }
      return candidates.map(mapItem(ctx)).filter((record) => record.data.sku === sku);
    },
    async findByName(ctx, name) {
      const candidates = await client.queryAll(
        ctx,
        `select * from Item where Name = ${qboLiteral(name.trim())}`,
      );
      const wanted = name.trim().toLowerCase();
      return candidates.map(mapItem(ctx)).filter((record) => record.data.name.toLowerCase() === wanted);
    },
    create: async (ctx, data: Item, options = {}) =>
      mapItem(ctx)(
        await client.write(
          ctx,
          'Item',
          itemToQbo(data, { defaultIncomeAccountId: companySettings(ctx, settings).incomeAccountId }),
          {
            requestId: options.idempotencyKey,
          },
        ),
      ),
    update: (ctx, id, data, options) =>
      update(
        ctx,
        'Item',
        id,
        itemToQbo(data, { defaultIncomeAccountId: companySettings(ctx, settings).incomeAccountId }),
        options.version,
        mapItem(ctx),
      ),
  };

  /**
   * `include=invoiceLink` when the connection allows online payment: QuickBooks returns `InvoiceLink` only when asked
   * (minorversion >= 36; we send 75) and the invoice has a BillEmail and allows card or ACH payment.
   */
  const linkInclude = (ctx: QboCtx) => {
    const online = companySettings(ctx, settings).onlinePayment;
    return online.card || online.ach ? { include: 'invoiceLink' } : {};
  };

  /** The invoice body, with BillEmail (the customer's email, read from QuickBooks) when payment links are on. */
  async function invoiceBody(ctx: QboCtx, data: Invoice): Promise<QboObject> {
    const company = companySettings(ctx, settings);
    const base = { invoiceTaxCodeId: company.invoiceTaxCodeId };
    if (!company.onlinePayment.card && !company.onlinePayment.ach) return invoiceToQbo(data, base);
    const customer = await client.read(ctx, 'Customer', data.customer.id);
    const address = (customer?.PrimaryEmailAddr as { Address?: unknown } | undefined)?.Address;
    return invoiceToQbo(data, {
      ...base,
      billEmail: typeof address === 'string' && address.trim() !== '' ? address.trim() : null,
      onlinePayment: company.onlinePayment,
    });
  }

  const invoices: InvoiceOperations<ProviderHttp> = {
    list: (ctx, options = {}) => listPage(ctx, 'Invoice', options, mapInvoice(ctx)),
    get: async (ctx, id) => {
      const raw = await client.read(ctx, 'Invoice', id, linkInclude(ctx));
      return raw ? mapInvoice(ctx)(raw) : null;
    },
    async findByNumber(ctx, number) {
      const { entities } = await client.query(
        ctx,
        `select * from Invoice where DocNumber = ${qboLiteral(number)}`,
      );
      const match = entities.find((raw) => raw.DocNumber === number);
      return match ? mapInvoice(ctx)(match) : null;
    },
    create: async (ctx, data: Invoice, options = {}) =>
      mapInvoice(ctx)(
        await client.write(ctx, 'Invoice', await invoiceBody(ctx, data), {
          requestId: options.idempotencyKey,
          ...linkInclude(ctx),
        }),
      ),
    update: async (ctx, id, data, options) =>
      update(
        ctx,
        'Invoice',
        id,
        await invoiceBody(ctx, data),
        options.version,
        mapInvoice(ctx),
        linkInclude(ctx),
      ),
    async void(ctx, id, options) {
      const SyncToken = requireVersion(options.version, 'invoice');
      try {
        return mapInvoice(ctx)(
          await client.write(ctx, 'Invoice', { Id: id, SyncToken }, { operation: 'void' }),
        );
      } catch (error) {
        const e = error as { code?: string; message?: string; providerCode?: string };
        if (e.code === 'validation_failed' && /payment/i.test(e.message ?? '')) {
          throw new ProviderError(
            'conflict',
            `QuickBooks refused to void invoice ${id}: payments are applied to it`,
            {
              providerCode: e.providerCode,
              action: 'Remove or void the payments applied to the invoice in QuickBooks first.',
            },
          );
        }
        throw error;
      }
    },
  };

  async function paymentsById(ctx: QboCtx, ids: string[]): Promise<QboObject[]> {
    const out: QboObject[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      const chunk = ids
        .slice(i, i + 100)
        .map(qboLiteral)
        .join(', ');
      out.push(...(await client.queryAll(ctx, `select * from Payment where Id IN (${chunk})`)));
    }
    return out;
  }

  const payments: PaymentOperations<ProviderHttp> = {
    get: async (ctx, id) => {
      const raw = await client.read(ctx, 'Payment', id);
      return raw && isLivePayment(raw) ? mapPayment(ctx)(raw) : null;
    },
    async create(ctx, data, options) {
      let customerId = data.customer?.id;
      if (!customerId && data.invoice) {
        const invoice = await client.read(ctx, 'Invoice', data.invoice.id);
        if (!invoice)
          throw new ProviderError('not_found', `QuickBooks invoice ${data.invoice.id} does not exist`);
        customerId = (invoice.CustomerRef as { value?: string } | undefined)?.value;
      }
      if (!customerId) {
        throw new ValidationError('A QuickBooks payment needs a customer or an invoice', [
          { path: 'customer', message: 'required' },
        ]);
      }
      const body = paymentToQbo(data, {
        customerId,
        reference: options.reference,
        paymentMethodIds: companySettings(ctx, settings).paymentMethodIds,
        depositAccountId: companySettings(ctx, settings).depositAccountId,
      });
      return mapPayment(ctx)(await client.write(ctx, 'Payment', body, { requestId: options.idempotencyKey }));
    },
    async findByReference(ctx, reference, hints = {}) {
      let candidates: QboObject[];
      if (hints.invoiceProviderId) {
        // Reading the invoice's LinkedTxn is read-after-write consistent, unlike a search.
        const invoice = await client.read(ctx, 'Invoice', hints.invoiceProviderId);
        candidates = invoice ? await paymentsById(ctx, linkedPaymentIds(invoice)) : [];
      } else if (hints.customerProviderId) {
        candidates = await client.queryAll(
          ctx,
          `select * from Payment where CustomerRef = ${qboLiteral(hints.customerProviderId)} orderby MetaData.CreateTime desc`,
          { limit: 1000 },
        );
      } else {
        try {
          candidates = await client.queryAll(
            ctx,
            `select * from Payment where PaymentRefNum = ${qboLiteral(reference)}`,
          );
        } catch (error) {
          if (!isUnsupportedFilter(error)) throw error;
          candidates = await client.queryAll(ctx, 'select * from Payment orderby MetaData.CreateTime desc', {
            limit: 1000,
          });
        }
      }
      const match = candidates.find((raw) => raw.PaymentRefNum === reference && isLivePayment(raw));
      return match ? mapPayment(ctx)(match) : null;
    },
    async listForInvoice(ctx, invoiceId) {
      const invoice = await client.read(ctx, 'Invoice', invoiceId);
      if (!invoice) throw new ProviderError('not_found', `QuickBooks invoice ${invoiceId} does not exist`);
      return (await paymentsById(ctx, linkedPaymentIds(invoice))).filter(isLivePayment).map(mapPayment(ctx));
    },
  };

  return { customers, items, invoices, payments };
}
