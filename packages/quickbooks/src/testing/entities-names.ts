import { faults } from './faults';
import {
  type BuildResult,
  isDate,
  isObject,
  liveRecord,
  nonEmptyString,
  refValue,
  USD,
  type WriteContext,
} from './records';
import { recordsOf, type SimRecord, type WireObject } from './state';
import { centsToDecimal, decimalToCents } from './wire-values';

/** Name-list entities (Customer, Vendor, Employee, Item): unique names among active records, `Active:false` instead of delete. */

/** Customers, vendors and employees share one name space: a DisplayName is unique across all three (Fault 6240). */
const PEOPLE = ['Customer', 'Vendor', 'Employee'] as const;
type Person = (typeof PEOPLE)[number];

function nameTaken(
  ctx: WriteContext,
  entities: readonly ('Customer' | 'Item' | 'Vendor' | 'Employee')[],
  field: string,
  name: string,
  self?: { entity: string; id: string },
) {
  const wanted = name.toLowerCase();
  for (const entity of entities) {
    for (const record of recordsOf(ctx.realm, entity).values()) {
      if (record.deleted || record.data.Active === false) continue;
      if (self && record.id === self.id && entity === self.entity) continue;
      const other = record.data[field];
      if (typeof other === 'string' && other.trim().toLowerCase() === wanted) return true;
    }
  }
  return false;
}

/** The DisplayName rules every person shares: composed from name parts when absent, at most 500 characters, unique. */
function personName(
  ctx: WriteContext,
  entity: Person,
  input: WireObject,
  previous?: SimRecord,
):
  | { ok: true; displayName: string; active: boolean }
  | { ok: false; fault: ReturnType<typeof faults.stale> } {
  const composed = [input.Title, input.GivenName, input.MiddleName, input.FamilyName, input.Suffix]
    .map(nonEmptyString)
    .filter(Boolean)
    .join(' ');
  const displayName =
    nonEmptyString(input.DisplayName) ?? (nonEmptyString(composed) || nonEmptyString(input.CompanyName));
  if (!displayName) return { ok: false, fault: faults.requiredParam('DisplayName') };
  if (displayName.length > 500) return { ok: false, fault: faults.stringLength('DisplayName', 500) };
  const active = input.Active !== false;
  const self = previous ? { entity, id: previous.id } : undefined;
  if (active && nameTaken(ctx, PEOPLE, 'DisplayName', displayName, self)) {
    return { ok: false, fault: faults.duplicateName(displayName, 'Customer') };
  }
  return { ok: true, displayName, active };
}

/** Vendors and employees exist so that names collide across them as in QuickBooks; nothing else is modelled. */
export function buildPerson(entity: 'Vendor' | 'Employee') {
  return (ctx: WriteContext, input: WireObject, previous?: SimRecord): BuildResult => {
    const named = personName(ctx, entity, input, previous);
    if (!named.ok) return named;
    return {
      ok: true,
      data: {
        ...input,
        DisplayName: named.displayName,
        PrintOnCheckName: named.displayName,
        Active: named.active,
      },
    };
  };
}

export function buildCustomer(ctx: WriteContext, input: WireObject, previous?: SimRecord): BuildResult {
  const named = personName(ctx, 'Customer', input, previous);
  if (!named.ok) return named;
  const { displayName, active } = named;
  // QuickBooks keeps a customer with money owed active: settle or write off the balance first.
  const balance = decimalToCents(previous?.data.Balance) ?? 0;
  if (previous && previous.data.Active !== false && !active && balance !== 0) {
    return {
      ok: false,
      fault: faults.business(
        `This customer has an open balance of ${centsToDecimal(balance)} and cannot be made inactive. Settle the balance first.`,
      ),
    };
  }
  if (input.PrimaryEmailAddr !== undefined) {
    const address = isObject(input.PrimaryEmailAddr) ? input.PrimaryEmailAddr.Address : undefined;
    if (typeof address !== 'string' || (address !== '' && !/^[^\s@]+@[^\s@]+$/.test(address))) {
      return { ok: false, fault: faults.badRequest('PrimaryEmailAddr.Address is not a valid email address') };
    }
  }
  const data: WireObject = {
    Taxable: true,
    Job: false,
    BillWithParent: false,
    PreferredDeliveryMethod: 'Print',
    ...input,
    DisplayName: displayName,
    FullyQualifiedName: displayName,
    PrintOnCheckName: nonEmptyString(input.PrintOnCheckName) ?? displayName,
    Active: active,
    CurrencyRef: input.CurrencyRef ?? previous?.data.CurrencyRef ?? USD,
    Balance: previous?.data.Balance ?? 0,
    BalanceWithJobs: previous?.data.BalanceWithJobs ?? 0,
  };
  return { ok: true, data };
}

const ITEM_TYPES = new Set(['Service', 'NonInventory', 'Inventory', 'Category']);

export function buildItem(ctx: WriteContext, input: WireObject, previous?: SimRecord): BuildResult {
  const name = nonEmptyString(input.Name);
  if (!name) return { ok: false, fault: faults.requiredParam('Name') };
  if (name.length > 100) return { ok: false, fault: faults.stringLength('Name', 100) };
  const type = input.Type === undefined ? 'Service' : input.Type;
  if (typeof type !== 'string' || !ITEM_TYPES.has(type)) {
    return { ok: false, fault: faults.badRequest(`Item.Type ${String(type)} is not supported`) };
  }
  if (typeof input.Sku === 'string' && input.Sku.length > 100) {
    return { ok: false, fault: faults.stringLength('Sku', 100) };
  }
  const data: WireObject = { Taxable: false, ...input, Name: name, FullyQualifiedName: name, Type: type };
  if (type !== 'Category') {
    // Sales items post revenue to an income account; QuickBooks refuses an item without one.
    const incomeId = refValue(input.IncomeAccountRef);
    if (!incomeId) return { ok: false, fault: faults.requiredParam('IncomeAccountRef') };
    const income = liveRecord(ctx.realm, 'Account', incomeId);
    if (!income || income.data.Active === false) {
      return { ok: false, fault: faults.invalidReference('IncomeAccountRef', incomeId) };
    }
    data.IncomeAccountRef = { value: incomeId, name: income.data.Name };
    const price = input.UnitPrice === undefined ? 0 : decimalToCents(input.UnitPrice);
    if (price === null || price < 0)
      return { ok: false, fault: faults.badRequest('Item.UnitPrice must be >= 0') };
    data.UnitPrice = centsToDecimal(price);
  }
  if (type === 'Inventory') {
    const assetId = refValue(input.AssetAccountRef);
    if (!assetId) return { ok: false, fault: faults.requiredParam('AssetAccountRef') };
    if (!liveRecord(ctx.realm, 'Account', assetId)) {
      return { ok: false, fault: faults.invalidReference('AssetAccountRef', assetId) };
    }
    if (!isDate(input.InvStartDate)) return { ok: false, fault: faults.requiredParam('InvStartDate') };
    if (typeof input.QtyOnHand !== 'number') return { ok: false, fault: faults.requiredParam('QtyOnHand') };
    data.TrackQtyOnHand = true;
  }
  const active = input.Active !== false;
  if (
    active &&
    nameTaken(ctx, ['Item'], 'Name', name, previous ? { entity: 'Item', id: previous.id } : undefined)
  ) {
    return { ok: false, fault: faults.duplicateName(name, 'Item') };
  }
  data.Active = active;
  return { ok: true, data };
}

/** Accounts only need what items and payments reference: a name, a type and uniqueness of the name. */
export function buildAccount(ctx: WriteContext, input: WireObject, previous?: SimRecord): BuildResult {
  const name = nonEmptyString(input.Name);
  if (!name) return { ok: false, fault: faults.requiredParam('Name') };
  if (!nonEmptyString(input.AccountType)) return { ok: false, fault: faults.requiredParam('AccountType') };
  for (const record of recordsOf(ctx.realm, 'Account').values()) {
    if (record.id !== previous?.id && String(record.data.Name).toLowerCase() === name.toLowerCase()) {
      return {
        ok: false,
        fault: faults.business(
          `Another account is already using this name (${name}). Please use a different name.`,
        ),
      };
    }
  }
  return {
    ok: true,
    data: {
      CurrentBalance: 0,
      CurrencyRef: USD,
      ...input,
      Name: name,
      FullyQualifiedName: name,
      Active: input.Active !== false,
    },
  };
}
