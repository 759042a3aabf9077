import {
  type BatchOperation,
  type BatchOperationResult,
  BlueClerkError,
  ProviderError,
  type ProviderHttp,
  type RunBatch,
  ValidationError,
} from '@blueclerk/core/provider';
import type { QboEntity, QboObject, QuickBooksClient } from './client';
import { classifyQuickBooksError, classifyQuickBooksFault, parseQuickBooksFault } from './errors';
import {
  customerFromQbo,
  customerToQbo,
  invoiceFromQbo,
  invoiceToQbo,
  itemFromQbo,
  itemToQbo,
} from './mappers/index';
import { type CompanySettings, companySettings, type ResolvedQuickBooksSettings } from './settings';

/** Intuit's batch ceiling (blog 2023-07-19): 30 operations per request, 40 batch requests per minute. */
export const QUICKBOOKS_BATCH_MAX = 30;

const ENTITY: Record<BatchOperation['entityType'], QboEntity> = {
  customer: 'Customer',
  item: 'Item',
  invoice: 'Invoice',
};

/**
 * Runs up to 30 creates/updates in one `POST /batch`. Items are correlated by short positional `bId`s (Intuit allows
 * at most 10 characters when a requestid is used), mapped back to the caller's ids; each item's Fault is classified
 * on its own, so one duplicate does not fail its neighbours.
 */
export function createRunBatch(
  settings: ResolvedQuickBooksSettings,
  client: QuickBooksClient,
): RunBatch<ProviderHttp> {
  const fromWire = (company: CompanySettings, entityType: BatchOperation['entityType'], raw: unknown) =>
    entityType === 'customer'
      ? customerFromQbo(raw)
      : entityType === 'item'
        ? itemFromQbo(raw, company.homeCurrency)
        : invoiceFromQbo(raw, company.homeCurrency);

  function toWire(company: CompanySettings, op: BatchOperation): QboObject {
    const body =
      op.entityType === 'customer'
        ? customerToQbo(op.data)
        : op.entityType === 'item'
          ? itemToQbo(op.data, { defaultIncomeAccountId: company.incomeAccountId })
          : invoiceToQbo(op.data, { invoiceTaxCodeId: company.invoiceTaxCodeId });
    if (op.op === 'create') return body;
    if (!op.version) {
      throw new ValidationError(`Updating a QuickBooks ${op.entityType} needs its SyncToken`, [
        { path: 'version', message: 'required' },
      ]);
    }
    return { ...body, Id: op.providerId, SyncToken: op.version, sparse: true };
  }

  return async (ctx, operations, options = {}) => {
    const company = companySettings(ctx, settings);
    if (operations.length > QUICKBOOKS_BATCH_MAX) {
      throw new ValidationError(`A QuickBooks batch takes at most ${QUICKBOOKS_BATCH_MAX} operations`, [
        { path: 'operations', message: `${operations.length} given` },
      ]);
    }
    const results: BatchOperationResult[] = [];
    const sent: Array<{ bId: string; op: BatchOperation }> = [];
    const items: QboObject[] = [];
    for (const op of operations) {
      try {
        const bId = String(sent.length + 1);
        items.push({ bId, operation: op.op, [ENTITY[op.entityType]]: toWire(company, op) });
        sent.push({ bId, op });
      } catch (error) {
        // Refused before sending (missing income account, missing version): only this operation fails.
        results.push({ id: op.id, ok: false, error: classifyQuickBooksError(error) });
      }
    }
    if (items.length === 0) return results;
    const responses = await client.batch(ctx, items, options.idempotencyKey);
    const byBId = new Map(responses.map((r) => [String(r.bId), r]));
    for (const { bId, op } of sent) {
      const response = byBId.get(bId);
      const entity = ENTITY[op.entityType];
      if (!response) {
        results.push({
          id: op.id,
          ok: false,
          error: new ProviderError(
            'provider_error',
            `QuickBooks batch returned no answer for operation ${op.id}`,
            {
              retryable: true,
            },
          ),
        });
        continue;
      }
      const fault = response.Fault ? parseQuickBooksFault({ Fault: response.Fault }) : null;
      if (fault) {
        results.push({
          id: op.id,
          ok: false,
          error: classifyQuickBooksFault(fault, { status: 400, where: `batch ${op.op} ${entity}` }),
        });
        continue;
      }
      try {
        results.push({ id: op.id, ok: true, record: fromWire(company, op.entityType, response[entity]) });
      } catch (error) {
        results.push({
          id: op.id,
          ok: false,
          error: BlueClerkError.isInstance(error) ? error : classifyQuickBooksError(error),
        });
      }
    }
    return results;
  };
}
