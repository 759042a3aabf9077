import { type Item, MissingFieldError, type ProviderRecord, parseItem } from '@blueclerk/core/provider';
import { z } from 'zod';
import {
  compact,
  DecimalSchema,
  EntityBaseSchema,
  fromProviderData,
  parseWire,
  RefSchema,
  toDecimal,
  toMoney,
  updatedAtOf,
} from './common';

/** Item <-> QuickBooks `Item` (Finance.xsd Item). */

export const QboItemSchema = EntityBaseSchema.extend({
  Name: z.string(),
  Sku: z.string().optional(),
  Description: z.string().optional(),
  Active: z.boolean().optional(),
  Taxable: z.boolean().optional(),
  UnitPrice: DecimalSchema.optional(),
  Type: z.string().optional(),
  IncomeAccountRef: RefSchema.optional(),
  SalesTaxCodeRef: RefSchema.optional(),
});

const TYPE_TO_QBO = { service: 'Service', non_inventory: 'NonInventory', inventory: 'Inventory' } as const;

/**
 * The body for create/update. QuickBooks refuses a sales item without an income account, so one is required here
 * (from the item or the provider's `defaultIncomeAccountId`) before any call is made.
 */
export function itemToQbo(
  item: Item,
  options: { defaultIncomeAccountId?: string | undefined } = {},
): Record<string, unknown> {
  const incomeId = item.incomeAccount?.id ?? options.defaultIncomeAccountId;
  if (!incomeId) {
    throw new MissingFieldError(
      'item.incomeAccount',
      `QuickBooks needs an income account for item "${item.name}"; set item.incomeAccount or defaultIncomeAccountId`,
    );
  }
  return compact({
    Name: item.name,
    Description: item.description ?? undefined,
    Sku: item.sku ?? undefined,
    Type: TYPE_TO_QBO[item.type],
    UnitPrice: item.unitPrice ? toDecimal(item.unitPrice) : undefined,
    IncomeAccountRef: item.incomeAccount?.name
      ? { value: incomeId, name: item.incomeAccount.name }
      : { value: incomeId },
    Taxable: item.taxable,
    SalesTaxCodeRef: item.taxCode ? { value: item.taxCode.id } : undefined,
    Active: item.active,
  });
}

export function itemFromQbo(raw: unknown, homeCurrency: string): ProviderRecord<Item> {
  const wire = parseWire(QboItemSchema, raw, 'item');
  const type =
    wire.Type === 'Inventory' ? 'inventory' : wire.Type === 'NonInventory' ? 'non_inventory' : 'service';
  const data = fromProviderData('item', raw, () =>
    parseItem({
      name: wire.Name,
      description: wire.Description ?? null,
      sku: wire.Sku ?? null,
      // Items carry no currency in QuickBooks: prices are in the company's home currency.
      unitPrice:
        wire.UnitPrice === undefined
          ? null
          : toMoney(wire.UnitPrice, homeCurrency, 'half-up', 'Item.UnitPrice'),
      incomeAccount: wire.IncomeAccountRef
        ? { id: wire.IncomeAccountRef.value, name: wire.IncomeAccountRef.name ?? null }
        : null,
      taxable: wire.Taxable ?? false,
      taxCode: wire.SalesTaxCodeRef
        ? { id: wire.SalesTaxCodeRef.value, name: wire.SalesTaxCodeRef.name ?? null }
        : null,
      type,
      active: wire.Active !== false,
    }),
  );
  return {
    providerId: wire.Id,
    version: wire.SyncToken ?? null,
    updatedAt: updatedAtOf(wire.MetaData),
    data,
  };
}
