import { z } from 'zod';
import { AccountRefSchema, optionalText, requiredText, TaxCodeRefSchema } from './common';
import { MoneySchema } from './money';
import { parseWith } from './validation';

export const ITEM_TYPES = ['service', 'non_inventory', 'inventory'] as const;
export type ItemType = (typeof ITEM_TYPES)[number];

/** A product or service (QuickBooks Item, Xero Item, FreshBooks Item, Wave Product). */
export const ItemSchema = /* @__PURE__ */ (() =>
  z
    .object({
      name: requiredText(100, 'Item name'),
      description: optionalText(4000),
      /** Stock-keeping unit. Xero uses `Code` (<= 30) as its SKU; Wave has none. */
      sku: optionalText(100),
      /** Default sale price; null when the item has none. */
      unitPrice: MoneySchema.nullish().transform((value) => value ?? null),
      /** Income account sales of this item post to. QuickBooks requires one; FreshBooks has no such field. */
      incomeAccount: AccountRefSchema.nullish().transform((value) => value ?? null),
      taxable: z.boolean().default(false),
      taxCode: TaxCodeRefSchema.nullish().transform((value) => value ?? null),
      type: z.enum(ITEM_TYPES).default('service'),
      active: z.boolean().default(true),
    })
    .superRefine((item, ctx) => {
      if (item.unitPrice && item.unitPrice.amount < 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['unitPrice', 'amount'],
          message: 'Unit price cannot be negative',
        });
      }
    }))();

export type Item = z.infer<typeof ItemSchema>;
export type ItemInput = z.input<typeof ItemSchema>;

/** Validates an item; throws `ValidationError` with paths. */
export function parseItem(input: unknown): Item {
  return parseWith(ItemSchema, input, 'item');
}
