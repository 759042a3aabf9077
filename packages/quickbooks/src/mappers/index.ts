export { addressFromWire, addressToWire, toDecimal, toMoney, updatedAtOf } from './common';
export { customerFromQbo, customerToQbo, QboCustomerSchema } from './customer';
export { invoiceFromQbo, invoiceToQbo, isVoidedInvoice, linkedPaymentIds, QboInvoiceSchema } from './invoice';
export { itemFromQbo, itemToQbo, QboItemSchema } from './item';
export { PAYMENT_REF_NUM_MAX, paymentFromQbo, paymentToQbo, QboPaymentSchema } from './payment';
