import { money, toMinorUnits } from '@blueclerk/core';
import { buildQuickBooksWebhookBody, signQuickBooksWebhook, type WireObject } from '../src/testing/index';
import { type DemoContext, today } from './context';
import { formatMoney, type Report } from './report';
import { SHARED_ITEM_SKU } from './seed';

/** Steps 4-7: push invoices, push payments exactly once, resync, and a payment coming back from QuickBooks. */

const usd = (amount: number) => money(amount, 'USD');

/** A QuickBooks decimal amount (`"1234.5"`, `1234.5`) as integer cents, exactly. */
function cents(value: unknown): number {
  return toMinorUnits(String(value ?? '0'), 'USD');
}

function quickBooksInvoice(ctx: DemoContext, providerId: string): WireObject {
  const invoice = ctx.sim.realm(ctx.realmId).get('Invoice', providerId);
  if (!invoice) throw new Error(`Invoice ${providerId} is missing from the simulated company`);
  return invoice;
}

export async function stepDraftAndOpenInvoice(ctx: DemoContext): Promise<void> {
  const { blueclerk, db, sim } = ctx;
  // Typed explicitly: `check` is an assertion function.
  const report: Report = ctx.report;
  report.step('Push an OPEN invoice; a DRAFT one is skipped');
  const oakridge = db.customerIdByName('Oakridge Property Management');
  const invoiceId = db.addInvoice({
    number: 'INV-1001',
    customerId: oakridge,
    issueDate: today(),
    dueDate: today(30),
    status: 'OPEN',
    memo: 'Boiler room: replace leaking valves, flush water heater.',
    lines: [
      { itemId: db.itemIdBySku('SVC-CALL'), quantity: 1, unitPrice: 9500 },
      { itemId: db.itemIdBySku(SHARED_ITEM_SKU), quantity: 2.5, unitPrice: 8500 },
      { itemId: db.itemIdBySku('WH-FLUSH'), quantity: 1, unitPrice: 12900 },
    ],
  });
  ctx.ids.openInvoice = invoiceId;
  const local = db.invoices.get(invoiceId);
  report.detail(
    'app invoice',
    `${local?.number} for ${local?.customer.name}, ${local?.lines.length} lines, ${local ? formatMoney(local.total) : ''}`,
  );

  const result = await blueclerk.engine.syncInvoice(ctx.connectionId, invoiceId);
  if (result.status === 'failed') report.line(`failed: ${result.failure.message}`);
  report.check(
    result.status === 'synced' && result.action === 'created',
    'the invoice was created in QuickBooks',
  );
  for (const dep of result.dependencies) {
    report.detail(`  ${dep.entityType} ${dep.localId}`, `QuickBooks Id ${dep.providerId} (${dep.action})`);
  }
  report.check(
    result.dependencies.some((d) => d.entityType === 'customer' && d.action === 'created') &&
      result.dependencies.filter((d) => d.entityType === 'item').every((d) => d.action === 'existing'),
    'the new customer was pushed first; the items were already linked by the import',
  );
  const remote = quickBooksInvoice(ctx, result.providerId);
  report.detail('QuickBooks Id', result.providerId);
  report.detail('DocNumber', String(remote.DocNumber));
  report.detail('TotalAmt', formatMoney(usd(cents(remote.TotalAmt))));
  report.check(
    remote.DocNumber === 'INV-1001' && local !== undefined && cents(remote.TotalAmt) === local.total.amount,
    `QuickBooks computed the same total as the app (${local ? formatMoney(local.total) : '?'})`,
  );

  const draftId = db.addInvoice({
    number: 'INV-1002',
    customerId: db.customerIdByName('Priya Natarajan'),
    issueDate: today(),
    status: 'DRAFT',
    lines: [{ itemId: db.itemIdBySku('LK-DET'), quantity: 1, unitPrice: 17500 }],
  });
  const before = sim.stats().requests;
  const draft = await blueclerk.engine.syncInvoice(ctx.connectionId, draftId);
  report.check(
    draft.status === 'skipped' && draft.reason === 'draft',
    'the DRAFT invoice INV-1002 was skipped',
  );
  if (draft.status === 'skipped') report.detail('reason', draft.message);
  report.check(sim.stats().requests === before, 'no QuickBooks request was made for it');
}

export async function stepPayment(ctx: DemoContext): Promise<void> {
  const { blueclerk, db, sim } = ctx;
  // Typed explicitly: `check` is an assertion function.
  const report: Report = ctx.report;
  report.step('Record a payment in the app and push it (exactly once)');
  const invoiceId = ctx.ids.openInvoice as string;
  const paymentId = db.addPayment({
    amount: usd(20_000),
    date: today(),
    method: 'check',
    invoice: { id: invoiceId },
    memo: 'Check #1042',
  });
  ctx.ids.firstPayment = paymentId;
  report.detail('app payment', `${paymentId}: ${formatMoney(usd(20_000))} by check on INV-1001`);

  const first = await blueclerk.engine.syncPayment(ctx.connectionId, paymentId);
  if (first.status === 'failed') report.line(`failed: ${first.failure.message}`);
  report.check(
    first.status === 'synced' && first.action === 'created',
    'the payment was posted to QuickBooks',
  );
  if (first.status !== 'synced') return;
  ctx.ids.pushedPaymentProviderIds.push(first.providerId);
  const remote = ctx.sim.realm(ctx.realmId).get('Payment', first.providerId);
  report.detail('QuickBooks Payment Id', first.providerId);
  report.detail('PaymentRefNum', `${remote?.PaymentRefNum} (the engine's ledger reference)`);
  const invoiceLink = await ctx.storage.links.findLinkByLocalId(ctx.connectionId, 'invoice', invoiceId);
  const invoice = quickBooksInvoice(ctx, invoiceLink?.providerId ?? '');
  report.detail('invoice balance in QB', formatMoney(usd(cents(invoice.Balance))));

  const before = sim.stats();
  const again = await blueclerk.engine.syncPayment(ctx.connectionId, paymentId);
  const after = sim.stats();
  report.check(
    again.status === 'already_synced' && again.providerId === first.providerId,
    `syncing it again returns QuickBooks Id ${first.providerId} from the ledger`,
  );
  report.detail('simulator requests', `${before.requests} before, ${after.requests} after`);
  report.check(after.requests === before.requests, 'without any HTTP call');
}

export async function stepResync(ctx: DemoContext): Promise<void> {
  const { blueclerk, db, sim } = ctx;
  // Typed explicitly: `check` is an assertion function.
  const report: Report = ctx.report;
  report.step('Change the invoice and resync (SyncToken, token refresh, the next payment)');
  const invoiceId = ctx.ids.openInvoice as string;
  const link = await ctx.storage.links.findLinkByLocalId(ctx.connectionId, 'invoice', invoiceId);
  const providerId = link?.providerId ?? '';
  const oldSyncToken = String(quickBooksInvoice(ctx, providerId).SyncToken);
  const stale = link?.providerVersion !== oldSyncToken;
  db.addInvoiceLine(invoiceId, {
    itemId: db.itemIdBySku('PRT-CART'),
    description: 'Faucet cartridges, kitchen and utility sink',
    quantity: 2,
    unitPrice: 3850,
  });
  const secondPayment = db.addPayment({
    amount: usd(15_000),
    date: today(),
    method: 'card',
    invoice: { id: invoiceId },
  });
  ctx.ids.secondPayment = secondPayment;
  const local = db.invoices.get(invoiceId);
  report.detail(
    'app invoice',
    `INV-1001 now ${local?.lines.length} lines, ${local ? formatMoney(local.total) : ''}`,
  );
  report.detail('app payment', `${secondPayment}: ${formatMoney(usd(15_000))} by card, not pushed yet`);
  // Applying the first payment changed the invoice in QuickBooks (Balance, LinkedTxn), so its SyncToken moved on
  // since the engine stored it: the update is refused as stale (Fault 5010), re-read, and retried once.
  report.detail('SyncToken stored', `${link?.providerVersion} (from the create)`);
  report.detail(
    'SyncToken in QuickBooks',
    !stale ? oldSyncToken : `${oldSyncToken} (the payment changed the invoice's balance)`,
  );

  // An hour has passed as far as Intuit is concerned: the access token no longer works.
  const refreshesBefore = sim.stats().tokenRequests.refresh_token ?? 0;
  const rereadsBefore = sim.stats().requestsByOperation['GET invoice'] ?? 0;
  const sealedBefore = (await ctx.storage.connections.getConnection(ctx.connectionId))?.tokens;
  sim.oauth.expireAccessTokens();
  report.line('(the simulator expires the access token: the next call gets 401)');

  const result = await blueclerk.engine.syncInvoice(ctx.connectionId, invoiceId);
  if (result.status === 'failed') report.line(`failed: ${result.failure.message}`);
  report.check(
    result.status === 'synced' && result.action === 'updated',
    'the invoice was updated in QuickBooks',
  );
  if (result.status !== 'synced') return;
  const remote = quickBooksInvoice(ctx, providerId);
  const updatedLink = await ctx.storage.links.findLinkByLocalId(ctx.connectionId, 'invoice', invoiceId);
  const rereads = (sim.stats().requestsByOperation['GET invoice'] ?? 0) - rereadsBefore;
  report.detail(
    'SyncToken',
    `${oldSyncToken} -> ${updatedLink?.providerVersion}` +
      (stale ? ` (stale ${link?.providerVersion} refused with 5010, ${rereads} re-read)` : ''),
  );
  report.check(
    Number(updatedLink?.providerVersion) === Number(oldSyncToken) + 1 && rereads === (stale ? 1 : 0),
    stale
      ? 'QuickBooks took the update with its current SyncToken after one re-read'
      : 'QuickBooks took the update with the stored SyncToken',
  );
  report.detail('TotalAmt', formatMoney(usd(cents(remote.TotalAmt))));
  report.check(
    local !== undefined && cents(remote.TotalAmt) === local.total.amount,
    'the new line is in QuickBooks',
  );

  const refreshes = (sim.stats().tokenRequests.refresh_token ?? 0) - refreshesBefore;
  const sealedAfter = (await ctx.storage.connections.getConnection(ctx.connectionId))?.tokens;
  report.detail('token refreshes', String(refreshes));
  report.check(
    refreshes === 1 && sealedAfter?.refreshToken !== sealedBefore?.refreshToken,
    'the token manager refreshed once and stored the rotated refresh token (sealed)',
  );

  for (const payment of result.payments) {
    const providerPart = 'providerId' in payment ? ` -> QuickBooks Id ${payment.providerId}` : '';
    report.detail(`  payment ${payment.localId}`, `${payment.status}${providerPart}`);
  }
  const pushed = result.payments.find((p) => p.localId === secondPayment);
  const kept = result.payments.find((p) => p.localId === ctx.ids.firstPayment);
  report.check(
    pushed?.status === 'synced' && kept?.status === 'already_synced',
    'the resync pushed the new payment and left the first one alone',
  );
  if (pushed?.status === 'synced') ctx.ids.pushedPaymentProviderIds.push(pushed.providerId);
  report.detail(
    'invoice balance in QB',
    `${formatMoney(usd(cents(remote.Balance)))} (SyncToken now ${remote.SyncToken})`,
  );
  report.check(
    local !== undefined && cents(remote.Balance) === local.balance.amount,
    'QuickBooks and the app agree on the balance',
  );
}

export async function stepPaymentInQuickBooks(ctx: DemoContext): Promise<void> {
  const { blueclerk, db, sim } = ctx;
  // Typed explicitly: `check` is an assertion function.
  const report: Report = ctx.report;
  report.step('A payment made in QuickBooks arrives by webhook');
  const invoiceId = db.addInvoice({
    number: 'INV-1003',
    customerId: db.customerIdByName('Marcus Chen'),
    issueDate: today(),
    dueDate: today(14),
    status: 'OPEN',
    lines: [
      { itemId: db.itemIdBySku('SVC-CALL'), quantity: 1, unitPrice: 9500 },
      { itemId: db.itemIdBySku('DRN-CLN'), quantity: 1, unitPrice: 14900 },
    ],
  });
  const pushed = await blueclerk.engine.syncInvoice(ctx.connectionId, invoiceId);
  report.check(pushed.status === 'synced', 'INV-1003 (Marcus Chen, imported customer) was pushed');
  if (pushed.status !== 'synced') return;
  report.detail(
    'INV-1003',
    `QuickBooks Id ${pushed.providerId}, ${formatMoney(db.invoices.get(invoiceId)?.total ?? usd(0))}`,
  );

  // The bookkeeper records the customer's card payment directly in QuickBooks.
  const since = Date.now();
  const realm = sim.realm(ctx.realmId);
  const payment = realm.recordPayment({ invoiceId: pushed.providerId });
  report.detail(
    'paid in QuickBooks',
    `Payment ${String(payment.Id)}, ${formatMoney(usd(cents(payment.TotalAmt)))}`,
  );
  const changes = realm.changesSince(since).filter((c) => c.name === 'Payment');
  const body = buildQuickBooksWebhookBody({
    format: 'legacy',
    notifications: [{ realmId: ctx.realmId, changes }],
  });
  const signature = await signQuickBooksWebhook(body, ctx.webhookVerifier);
  report.detail('webhook body', `${body.length} bytes, eventNotifications for realm ${ctx.realmId}`);

  const tampered = body.replace('"operation":"Create"', '"operation":"Delete"');
  const refused = await blueclerk.engine.handleWebhook('quickbooks', {
    rawBody: tampered,
    headers: { 'intuit-signature': signature, 'content-type': 'application/json' },
    secret: ctx.webhookVerifier,
  });
  report.check(
    tampered !== body && !refused.verified && refused.events.length === 0,
    'a tampered copy (same signature) is refused: verified=false, answer 401',
  );
  report.check(db.invoices.get(invoiceId)?.status === 'OPEN', 'and it changed nothing');

  const delivered = await blueclerk.engine.handleWebhook('quickbooks', {
    rawBody: body,
    headers: { 'intuit-signature': signature, 'content-type': 'application/json' },
    secret: ctx.webhookVerifier,
  });
  const outcome = delivered.events[0];
  report.detail('delivery', `verified=${delivered.verified}, ${outcome?.status ?? 'no events'}`);
  report.check(
    delivered.verified && outcome?.status === 'applied',
    'the signed webhook was verified and applied',
  );
  const local = db.invoices.get(invoiceId);
  const recorded = [...db.payments.entries()].find(
    ([id]) => db.origins.get(id)?.providerId === String(payment.Id),
  );
  report.detail(
    'app invoice INV-1003',
    `${local?.status}, balance ${local ? formatMoney(local.balance) : '?'}`,
  );
  report.detail(
    'app payment',
    recorded ? `${recorded[0]}: ${formatMoney(recorded[1].amount)} from QuickBooks` : 'none',
  );
  report.check(
    local?.status === 'PAID' && recorded !== undefined,
    'the local invoice is marked PAID with the payment recorded',
  );

  const again = await blueclerk.engine.handleWebhook('quickbooks', {
    rawBody: body,
    headers: { 'intuit-signature': signature },
    secret: ctx.webhookVerifier,
  });
  report.check(
    again.events[0]?.status === 'duplicate',
    "Intuit's re-delivery of the same event is recognised as a duplicate",
  );
}
