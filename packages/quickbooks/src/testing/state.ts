import type { Clock } from '@blueclerk/core';
import { createReplayCache, type ReplayCache } from '@blueclerk/core/testing/simulator';
import { type CompanyTimeZone, formatQboDateTime } from './wire-values';

/** Entities the simulator stores. Names are the XSD element names (the JSON wrapper keys). */
export const SIM_ENTITIES = [
  'Customer',
  'Item',
  'Invoice',
  'Payment',
  'Account',
  'TaxCode',
  'Vendor',
  'Employee',
] as const;
export type SimEntityName = (typeof SIM_ENTITIES)[number];

/** URL segment (`/v3/company/{realmId}/invoice`) to entity name. */
export const ENTITY_BY_PATH: Readonly<Record<string, SimEntityName>> = {
  customer: 'Customer',
  item: 'Item',
  invoice: 'Invoice',
  payment: 'Payment',
  account: 'Account',
  taxcode: 'TaxCode',
  vendor: 'Vendor',
  employee: 'Employee',
};

export type WireObject = Record<string, unknown>;

/** One stored entity. `data` is exactly the JSON the API returns; times are kept in ms beside it for CDC/query. */
export interface SimRecord {
  entity: SimEntityName;
  id: string;
  data: WireObject;
  createdMs: number;
  updatedMs: number;
  deleted: boolean;
}

/** A write's answer, replayed for a repeated `requestid`. */
export interface CachedResponse {
  status: number;
  body: unknown;
  /** Whether the first request changed state (a replay never does). */
  wrote: boolean;
}

export interface RealmState {
  realmId: string;
  records: Map<SimEntityName, Map<string, SimRecord>>;
  /** Customer, Item and Account ids count separately; Invoice and Payment share the transaction id space like QBO. */
  counters: { Customer: number; Item: number; Account: number; Txn: number; DocNumber: number };
  /** `requestid` -> first answer; `requestid`s are unique per company. */
  requestIds: ReplayCache<CachedResponse>;
  /** Tax code id -> combined rate percent (QBO keeps rates in TaxRate entities; the simulator needs only the sum). */
  taxRates: Map<string, number>;
  /** The company's home currency, as Preferences `CurrencyPrefs.HomeCurrency` reports it. */
  homeCurrency: string;
  /** The company's clock: MetaData times carry its offset at that instant, as QuickBooks' do. */
  timeZone: CompanyTimeZone;
  /** `InvoiceLink` per invoice id, stable once made (the customer's link does not change with each read). */
  invoiceLinks: Map<string, string>;
}

export function createRealmState(
  realmId: string,
  replay: { clock: Clock; windowMs: number },
  homeCurrency = 'USD',
  timeZone: CompanyTimeZone = -480,
): RealmState {
  const records = new Map<SimEntityName, Map<string, SimRecord>>();
  for (const entity of SIM_ENTITIES) records.set(entity, new Map());
  return {
    realmId,
    records,
    counters: { Customer: 0, Item: 0, Account: 100, Txn: 100, DocNumber: 1000 },
    requestIds: createReplayCache(replay),
    taxRates: new Map(),
    homeCurrency,
    timeZone,
    invoiceLinks: new Map(),
  };
}

export function recordsOf(realm: RealmState, entity: SimEntityName): Map<string, SimRecord> {
  const map = realm.records.get(entity);
  if (!map) throw new Error(`Unknown simulator entity ${entity}`);
  return map;
}

export function nextId(realm: RealmState, entity: SimEntityName): string {
  const key =
    entity === 'Invoice' || entity === 'Payment'
      ? 'Txn'
      : entity === 'TaxCode'
        ? 'Account'
        : entity === 'Vendor' || entity === 'Employee'
          ? 'Customer'
          : entity;
  realm.counters[key] += 1;
  return String(realm.counters[key]);
}

/** Builds the MetaData block the API returns. */
export function metaData(createdMs: number, updatedMs: number, zone: CompanyTimeZone = -480): WireObject {
  return {
    CreateTime: formatQboDateTime(createdMs, zone),
    LastUpdatedTime: formatQboDateTime(updatedMs, zone),
  };
}

/** Inserts or replaces a record, stamping Id/SyncToken/MetaData the way QuickBooks does. */
export function putRecord(
  realm: RealmState,
  entity: SimEntityName,
  id: string,
  data: WireObject,
  now: number,
  previous?: SimRecord,
): SimRecord {
  const createdMs = previous?.createdMs ?? now;
  const syncToken = previous ? String(Number(previous.data.SyncToken ?? '0') + 1) : '0';
  const stamped: WireObject = {
    ...data,
    domain: 'QBO',
    sparse: false,
    Id: id,
    SyncToken: syncToken,
    MetaData: metaData(createdMs, now, realm.timeZone),
  };
  const record: SimRecord = { entity, id, data: stamped, createdMs, updatedMs: now, deleted: false };
  recordsOf(realm, entity).set(id, record);
  return record;
}

/** Seeds the chart-of-accounts and tax codes a new sandbox company has (ids as in Intuit's sample company). */
export function seedDefaults(realm: RealmState, now: number): void {
  const accounts: Array<[string, string, string, string]> = [
    ['1', 'Services', 'Income', 'ServiceFeeIncome'],
    ['79', 'Sales of Product Income', 'Income', 'SalesOfProductIncome'],
    ['4', 'Undeposited Funds', 'Other Current Asset', 'UndepositedFunds'],
    ['35', 'Checking', 'Bank', 'Checking'],
    ['84', 'Accounts Receivable (A/R)', 'Accounts Receivable', 'AccountsReceivable'],
    ['81', 'Inventory Asset', 'Other Current Asset', 'Inventory'],
    ['80', 'Cost of Goods Sold', 'Cost of Goods Sold', 'SuppliesMaterialsCogs'],
  ];
  for (const [id, name, type, subType] of accounts) {
    putRecord(
      realm,
      'Account',
      id,
      {
        Name: name,
        FullyQualifiedName: name,
        AccountType: type,
        AccountSubType: subType,
        Active: true,
        Classification: type === 'Income' ? 'Revenue' : 'Asset',
        CurrentBalance: 0,
        CurrencyRef: { value: 'USD', name: 'United States Dollar' },
      },
      now,
    );
  }
  // US companies put TAX/NON on lines and a tax code with rates on the transaction (TxnTaxCodeRef).
  putRecord(realm, 'TaxCode', 'TAX', { Name: 'TAX', Description: 'TAX', Taxable: true, Active: true }, now);
  putRecord(realm, 'TaxCode', 'NON', { Name: 'NON', Description: 'NON', Taxable: false, Active: true }, now);
  putRecord(
    realm,
    'TaxCode',
    '2',
    {
      Name: 'California',
      Description: 'California sales tax',
      Taxable: true,
      Active: true,
      SalesTaxRateList: {
        TaxRateDetail: [
          { TaxRateRef: { value: '3', name: 'California' }, TaxTypeApplicable: 'TaxOnAmount', TaxOrder: 0 },
        ],
      },
    },
    now,
  );
  realm.taxRates.set('2', 8);
}
