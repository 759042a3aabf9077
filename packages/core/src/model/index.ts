export {
  type AccountRef,
  type AccountRefInput,
  AccountRefSchema,
  type Address,
  AddressSchema,
  EmailSchema,
  type EntityRef,
  EntityRefSchema,
  ExternalIdsSchema,
  type IsoDate,
  IsoDateSchema,
  normalizeEmail,
  type TaxCodeRef,
  type TaxCodeRefInput,
  TaxCodeRefSchema,
} from './common';
export { type CurrencyCode, CurrencyCodeSchema, currencyExponent } from './currency';
export { type Customer, type CustomerInput, CustomerSchema, parseCustomer } from './customer';
export { parseDecimal, type Rounding, type ScaledDecimal } from './decimal';
export {
  ESTIMATE_STATUSES,
  type Estimate,
  type EstimateInput,
  EstimateSchema,
  type EstimateStatus,
  parseEstimate,
} from './estimate';
export {
  INVOICE_STATUSES,
  type Invoice,
  type InvoiceInput,
  InvoiceSchema,
  type InvoiceStatus,
  parseInvoice,
} from './invoice';
export { ITEM_TYPES, type Item, type ItemInput, ItemSchema, type ItemType, parseItem } from './item';
export {
  type DocumentLine,
  type DocumentLineInput,
  DocumentLineSchema,
  lineAmount,
  MAX_QUANTITY_DECIMALS,
  QuantitySchema,
} from './line';
export {
  addMoney,
  fromMinorUnits,
  fromMinorUnitsToNumber,
  type Money,
  MoneySchema,
  money,
  moneyFromDecimal,
  multiplyMoney,
  subtractMoney,
  sumMoney,
  type ToMinorUnitsOptions,
  toMinorUnits,
} from './money';
export {
  PAYMENT_METHODS,
  type Payment,
  type PaymentInput,
  type PaymentMethod,
  PaymentSchema,
  parsePayment,
} from './payment';
export { parseWith, toValidationIssues } from './validation';
