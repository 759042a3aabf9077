import { faults } from './faults';
import { type BuildResult, isDate, isObject, liveRecord, refValue, USD, type WriteContext } from './records';
import { recordsOf, type SimRecord, type WireObject } from './state';
import { centsToDecimal, decimalToCents, formatQboDate, lineAmountCents } from './wire-values';

/** Invoice and Payment: amounts are checked and totalled in cents; payments drive invoice balances. */

function customerFor(ctx: WriteContext, input: WireObject) {
  const customerId = refValue(input.CustomerRef);
  if (!customerId) return { ok: false as const, fault: faults.requiredParam('CustomerRef') };
  const customer = liveRecord(ctx.realm, 'Customer', customerId);
  if (!customer) return { ok: false as const, fault: faults.invalidReference('CustomerRef', customerId) };
  if (customer.data.Active === false)
    return { ok: false as const, fault: faults.notFound('Customer', customerId) };
  return { ok: true as const, customer };
}

/** Cents applied to an invoice by live payments, optionally ignoring one payment (the one being rewritten). */
export function appliedToInvoice(ctx: WriteContext, invoiceId: string, exceptPaymentId?: string): number {
  let total = 0;
  for (const payment of recordsOf(ctx.realm, 'Payment').values()) {
    if (payment.deleted || payment.id === exceptPaymentId) continue;
    for (const application of paymentApplications(payment.data)) {
      if (application.invoiceId === invoiceId) total += application.cents;
    }
  }
  return total;
}

export function paymentApplications(data: WireObject): Array<{ invoiceId: string; cents: number }> {
  const lines = Array.isArray(data.Line) ? data.Line : [];
  const out: Array<{ invoiceId: string; cents: number }> = [];
  for (const line of lines) {
    if (!isObject(line) || !Array.isArray(line.LinkedTxn)) continue;
    const link = line.LinkedTxn.find((l) => isObject(l) && l.TxnType === 'Invoice');
    const invoiceId = isObject(link) ? refValue(link.TxnId) : undefined;
    const cents = decimalToCents(line.Amount);
    if (invoiceId && cents !== null) out.push({ invoiceId, cents });
  }
  return out;
}

export function buildInvoice(ctx: WriteContext, input: WireObject, previous?: SimRecord): BuildResult {
  const party = customerFor(ctx, input);
  if (!party.ok) return party;
  if (!Array.isArray(input.Line) || input.Line.length === 0)
    return { ok: false, fault: faults.requiredParam('Line') };

  const lines: WireObject[] = [];
  let subtotal = 0;
  let taxable = 0;
  for (const raw of input.Line) {
    if (!isObject(raw)) return { ok: false, fault: faults.badRequest('Line must be an object') };
    if (raw.DetailType === 'SubTotalLineDetail') continue; // computed by QuickBooks, ignored on input
    const lineNum = lines.length + 1;
    if (raw.DetailType === 'DescriptionOnly') {
      lines.push({ ...raw, Id: String(lineNum), LineNum: lineNum, Amount: 0, DescriptionLineDetail: {} });
      continue;
    }
    if (raw.DetailType !== 'SalesItemLineDetail') {
      return {
        ok: false,
        fault: faults.badRequest(`Line.DetailType ${String(raw.DetailType)} is not supported`),
      };
    }
    const amount = decimalToCents(raw.Amount);
    if (amount === null) return { ok: false, fault: faults.requiredParam('Line.Amount') };
    const detail = isObject(raw.SalesItemLineDetail) ? raw.SalesItemLineDetail : {};
    const outDetail: WireObject = { ...detail };
    const itemId = refValue(detail.ItemRef);
    if (itemId) {
      const item = liveRecord(ctx.realm, 'Item', itemId);
      if (!item)
        return { ok: false, fault: faults.invalidReference('Line.SalesItemLineDetail.ItemRef', itemId) };
      if (item.data.Active === false) return { ok: false, fault: faults.notFound('Item', itemId) };
      outDetail.ItemRef = { value: itemId, name: item.data.Name };
    }
    if (typeof detail.Qty === 'number' && typeof detail.UnitPrice === 'number') {
      const expected = lineAmountCents(detail.UnitPrice, detail.Qty);
      if (expected !== amount) {
        return {
          ok: false,
          fault: faults.invalidAmount(
            `Amount is not equal to UnitPrice * Qty. Supplied value:${centsToDecimal(amount)} Expected:${centsToDecimal(expected)}`,
          ),
        };
      }
    }
    const taxCode = refValue(detail.TaxCodeRef) ?? 'NON';
    if (!liveRecord(ctx.realm, 'TaxCode', taxCode)) {
      return { ok: false, fault: faults.invalidReference('Line.SalesItemLineDetail.TaxCodeRef', taxCode) };
    }
    outDetail.TaxCodeRef = { value: taxCode };
    if (taxCode !== 'NON') taxable += amount;
    subtotal += amount;
    lines.push({
      ...raw,
      Id: String(lineNum),
      LineNum: lineNum,
      Amount: centsToDecimal(amount),
      SalesItemLineDetail: outDetail,
    });
  }
  lines.push({ Amount: centsToDecimal(subtotal), DetailType: 'SubTotalLineDetail', SubTotalLineDetail: {} });

  const taxDetail = isObject(input.TxnTaxDetail) ? input.TxnTaxDetail : undefined;
  let tax = 0;
  const outTax: WireObject = {};
  const txnTaxCode = refValue(taxDetail?.TxnTaxCodeRef);
  if (txnTaxCode) {
    const rate = ctx.realm.taxRates.get(txnTaxCode);
    if (rate === undefined)
      return { ok: false, fault: faults.invalidReference('TxnTaxDetail.TxnTaxCodeRef', txnTaxCode) };
    tax = Math.round((taxable * rate) / 100);
    outTax.TxnTaxCodeRef = { value: txnTaxCode };
    outTax.TaxLine = [
      {
        Amount: centsToDecimal(tax),
        DetailType: 'TaxLineDetail',
        TaxLineDetail: { PercentBased: true, TaxPercent: rate, NetAmountTaxable: centsToDecimal(taxable) },
      },
    ];
  } else if (taxDetail?.TotalTax !== undefined) {
    const given = decimalToCents(taxDetail.TotalTax);
    if (given === null || given < 0)
      return { ok: false, fault: faults.badRequest('TxnTaxDetail.TotalTax is invalid') };
    tax = given;
  }
  outTax.TotalTax = centsToDecimal(tax);
  const total = subtotal + tax;

  const applied = previous ? appliedToInvoice(ctx, previous.id) : 0;
  if (total < applied) {
    return {
      ok: false,
      fault: faults.business('The invoice total cannot be less than the payments applied to it.'),
    };
  }

  let docNumber = typeof input.DocNumber === 'string' && input.DocNumber !== '' ? input.DocNumber : undefined;
  if (docNumber === undefined) docNumber = previous?.data.DocNumber as string | undefined;
  if (docNumber === undefined) docNumber = nextDocNumber(ctx);
  if (docNumber.length > 21) return { ok: false, fault: faults.stringLength('DocNumber', 21) };
  if (ctx.uniqueDocNumbers) {
    for (const other of recordsOf(ctx.realm, 'Invoice').values()) {
      if (!other.deleted && other.id !== previous?.id && other.data.DocNumber === docNumber) {
        return { ok: false, fault: faults.duplicateDocNumber(docNumber, other.id) };
      }
    }
  }
  if (input.BillEmail !== undefined) {
    const address = isObject(input.BillEmail) ? input.BillEmail.Address : undefined;
    if (typeof address !== 'string' || !/^[^\s@,;]+@[^\s@,;]+$/.test(address)) {
      return { ok: false, fault: faults.badRequest('BillEmail.Address is not a valid email address') };
    }
  }
  for (const flag of ['AllowOnlineCreditCardPayment', 'AllowOnlineACHPayment'] as const) {
    if (input[flag] !== undefined && typeof input[flag] !== 'boolean') {
      return { ok: false, fault: faults.badRequest(`${flag} must be true or false`) };
    }
  }
  const txnDate = input.TxnDate ?? formatQboDate(ctx.now, ctx.timeZone);
  if (!isDate(txnDate)) return { ok: false, fault: faults.badRequest('TxnDate must be a date (YYYY-MM-DD)') };
  const dueDate = input.DueDate ?? txnDate;
  if (!isDate(dueDate)) return { ok: false, fault: faults.badRequest('DueDate must be a date (YYYY-MM-DD)') };

  return {
    ok: true,
    data: {
      EmailStatus: 'NotSet',
      PrintStatus: 'NotSet',
      ...input,
      CustomerRef: { value: party.customer.id, name: party.customer.data.DisplayName },
      Line: lines,
      TxnTaxDetail: outTax,
      TotalAmt: centsToDecimal(total),
      Balance: centsToDecimal(total - applied),
      DocNumber: docNumber,
      TxnDate: txnDate,
      DueDate: dueDate,
      CurrencyRef: input.CurrencyRef ?? USD,
      LinkedTxn: previous?.data.LinkedTxn ?? [],
    },
  };
}

function nextDocNumber(ctx: WriteContext): string {
  const used = new Set<unknown>();
  for (const r of recordsOf(ctx.realm, 'Invoice').values()) if (!r.deleted) used.add(r.data.DocNumber);
  let candidate: string;
  do {
    ctx.realm.counters.DocNumber += 1;
    candidate = String(ctx.realm.counters.DocNumber);
  } while (used.has(candidate));
  return candidate;
}

export function buildPayment(ctx: WriteContext, input: WireObject, previous?: SimRecord): BuildResult {
  const party = customerFor(ctx, input);
  if (!party.ok) return party;
  const total = decimalToCents(input.TotalAmt);
  if (total === null) return { ok: false, fault: faults.requiredParam('TotalAmt') };
  if (total < 0) return { ok: false, fault: faults.business('The payment amount cannot be negative.') };
  if (input.PaymentRefNum !== undefined) {
    if (typeof input.PaymentRefNum !== 'string')
      return { ok: false, fault: faults.badRequest('PaymentRefNum must be a string') };
    // Intuit documents PaymentRefNum as at most 21 characters; longer values are rejected, not truncated.
    if (input.PaymentRefNum.length > 21)
      return { ok: false, fault: faults.stringLength('PaymentRefNum', 21) };
  }
  if (input.Line !== undefined && !Array.isArray(input.Line))
    return { ok: false, fault: faults.badRequest('Line must be an array') };

  const lines: WireObject[] = [];
  const perInvoice = new Map<string, number>();
  let applied = 0;
  for (const raw of (input.Line as unknown[] | undefined) ?? []) {
    if (!isObject(raw)) return { ok: false, fault: faults.badRequest('Line must be an object') };
    const amount = decimalToCents(raw.Amount);
    if (amount === null || amount < 0) return { ok: false, fault: faults.requiredParam('Line.Amount') };
    const link = Array.isArray(raw.LinkedTxn) ? raw.LinkedTxn[0] : undefined;
    if (!isObject(link)) return { ok: false, fault: faults.requiredParam('Line.LinkedTxn') };
    if (link.TxnType !== 'Invoice') {
      return {
        ok: false,
        fault: faults.badRequest(`LinkedTxn.TxnType ${String(link.TxnType)} is not supported`),
      };
    }
    const invoiceId = refValue(link.TxnId);
    if (!invoiceId) return { ok: false, fault: faults.requiredParam('Line.LinkedTxn.TxnId') };
    const invoice = liveRecord(ctx.realm, 'Invoice', invoiceId);
    if (!invoice) return { ok: false, fault: faults.invalidReference('Line.LinkedTxn.TxnId', invoiceId) };
    if (refValue(invoice.data.CustomerRef) !== party.customer.id) {
      return { ok: false, fault: faults.business(`Invoice ${invoiceId} belongs to another customer.`) };
    }
    perInvoice.set(invoiceId, (perInvoice.get(invoiceId) ?? 0) + amount);
    applied += amount;
    lines.push({ Amount: centsToDecimal(amount), LinkedTxn: [{ TxnId: invoiceId, TxnType: 'Invoice' }] });
  }
  if (applied > total)
    return { ok: false, fault: faults.business('The amount applied exceeds the payment amount.') };
  for (const [invoiceId, cents] of perInvoice) {
    const invoice = liveRecord(ctx.realm, 'Invoice', invoiceId) as SimRecord;
    const open =
      (decimalToCents(invoice.data.TotalAmt) ?? 0) - appliedToInvoice(ctx, invoiceId, previous?.id);
    if (cents > open) {
      return {
        ok: false,
        fault: faults.business(
          `The payment amount ${centsToDecimal(cents)} exceeds the open balance ${centsToDecimal(open)} of invoice ${invoiceId}.`,
        ),
      };
    }
  }
  const depositId = refValue(input.DepositToAccountRef) ?? '4';
  const deposit = liveRecord(ctx.realm, 'Account', depositId);
  if (!deposit) return { ok: false, fault: faults.invalidReference('DepositToAccountRef', depositId) };
  const txnDate = input.TxnDate ?? formatQboDate(ctx.now, ctx.timeZone);
  if (!isDate(txnDate)) return { ok: false, fault: faults.badRequest('TxnDate must be a date (YYYY-MM-DD)') };
  return {
    ok: true,
    data: {
      ProcessPayment: false,
      ...input,
      CustomerRef: { value: party.customer.id, name: party.customer.data.DisplayName },
      TotalAmt: centsToDecimal(total),
      UnappliedAmt: centsToDecimal(total - applied),
      Line: lines,
      DepositToAccountRef: { value: depositId, name: deposit.data.Name },
      TxnDate: txnDate,
      CurrencyRef: input.CurrencyRef ?? USD,
    },
  };
}
