import type { DemoContext } from './context';
import { today } from './context';
import { formatMoney, type Report } from './report';
import { SHARED_CUSTOMER } from './seed';

/** Steps 8-9: a failure the app can explain and fix, and the closing account of the run. */

export async function stepClassifiedFailure(ctx: DemoContext): Promise<void> {
  const { blueclerk, db } = ctx;
  // Typed explicitly: `check` is an assertion function.
  const report: Report = ctx.report;
  report.step('A classified sync failure, as the app shows it');
  // Added in the app without an income account; this provider has no defaultIncomeAccountId configured.
  const feeId = db.addItem({
    name: 'Emergency call-out fee',
    sku: 'EMRG-FEE',
    unitPrice: { amount: 12_500, currency: 'USD' },
  });
  const invoiceId = db.addInvoice({
    number: 'INV-1004',
    customerId: db.customerIdByName(SHARED_CUSTOMER.displayName),
    issueDate: today(),
    status: 'OPEN',
    lines: [
      { itemId: feeId, quantity: 1, unitPrice: 12_500 },
      { itemId: db.itemIdBySku('LAB-HR'), quantity: 1, unitPrice: 8500 },
    ],
  });
  report.detail(
    'app invoice',
    `INV-1004 for ${SHARED_CUSTOMER.displayName} with a new item "Emergency call-out fee"`,
  );
  const failed = await blueclerk.engine.syncInvoice(ctx.connectionId, invoiceId);
  report.check(failed.status === 'failed', 'the sync failed, and said why in its result');
  if (failed.status !== 'failed') return;
  const { failure } = failed;
  report.detail('category', failure.category);
  report.detail('code', failure.code);
  report.detail('message', failure.message);
  report.detail('action', failure.action);
  report.detail('retryable', String(failure.retryable));
  report.check(
    failure.category === 'missing_field' && !failure.retryable,
    'classified as missing_field, not retryable',
  );

  // Notifications are written by a listener on the event bus; wait for it before reading the feed.
  await blueclerk.notifier.drain();
  const banner = await blueclerk.notifier.recentFailuresBanner({ ownerId: ctx.ownerId });
  const item = banner.items[0];
  report.detail('banner', `${banner.count} recent failure(s)`);
  if (item) {
    report.detail('  title', item.title);
    report.detail('  action', item.action ?? '(none)');
  }
  report.check(
    banner.count === 1 && item?.category === 'missing_field',
    'the "recent sync failures" banner shows it',
  );
  const health = await blueclerk.notifier.getConnectionHealth(ctx.connectionId, { ownerId: ctx.ownerId });
  report.detail(
    'connection health',
    `${health?.status}, ${health?.consecutiveFailures} consecutive failure(s)`,
  );
  report.detail(
    '  last error',
    health?.lastError ? `${health.lastError.category}: ${health.lastError.message}` : '(none)',
  );
  report.check(
    health?.status === 'degraded' && health.lastError?.category === 'missing_field',
    'the connection is degraded, not disconnected',
  );

  // The bookkeeper picks the income account in the app; the same sync now goes through.
  db.updateItem(feeId, { incomeAccount: { id: '1', name: 'Services' } });
  const fixed = await blueclerk.engine.syncInvoice(ctx.connectionId, invoiceId);
  report.check(
    fixed.status === 'synced' && fixed.action === 'created',
    'after setting the income account the invoice syncs',
  );
  await blueclerk.notifier.drain();
  const healed = await blueclerk.notifier.getConnectionHealth(ctx.connectionId, { ownerId: ctx.ownerId });
  report.check(healed?.status === 'healthy', 'and the connection is healthy again');
}

export async function stepSummary(ctx: DemoContext): Promise<{ requests: number; secretsChecked: number }> {
  const { sim, db } = ctx;
  // Typed explicitly: `check` is an assertion function.
  const report: Report = ctx.report;
  report.step('Summary');
  const stats = sim.stats();
  const operations = Object.entries(stats.requestsByOperation)
    .sort(([, a], [, b]) => b - a)
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');
  report.detail('QuickBooks API requests', String(stats.requests));
  report.line(`   (${operations})`);
  const tokenCalls = Object.entries(stats.tokenRequests)
    .map(([grant, n]) => `${grant} ${n}`)
    .join(', ');
  report.detail('OAuth token requests', tokenCalls);
  report.detail('throttled / replayed', `${stats.throttled} / ${stats.replayed}`);

  const quickBooksPayments = sim.realm(ctx.realmId).list('Payment');
  const pushed = ctx.ids.pushedPaymentProviderIds;
  const postedOnce = pushed.every((id) => quickBooksPayments.filter((p) => p.Id === id).length === 1);
  const refNums = quickBooksPayments.map((p) => p.PaymentRefNum).filter((r) => typeof r === 'string');
  report.detail(
    'payments in QuickBooks',
    `${quickBooksPayments.length} (${pushed.length} pushed by the app, 1 entered in QuickBooks)`,
  );
  report.check(
    postedOnce && new Set(pushed).size === pushed.length,
    `each app payment is in QuickBooks once (${pushed.join(', ')})`,
  );
  report.check(
    quickBooksPayments.length === pushed.length + 1 && stats.created.Payment === pushed.length,
    `QuickBooks received ${pushed.length} payment creates for ${pushed.length} app payments: nothing posted twice`,
  );
  report.check(
    new Set(refNums).size === refNums.length,
    'every pushed payment carries its own ledger reference',
  );
  const local = [...db.invoices.values()]
    .filter((i) => i.number)
    .map((i) => `${i.number} ${i.status} ${formatMoney(i.total)} (balance ${formatMoney(i.balance)})`);
  for (const line of local) report.line(`   ${line}`);

  const secrets = await ctx.watch.secrets();
  const leaks = await ctx.watch.leaksIn(report.transcript());
  report.detail(
    'secrets checked',
    `${secrets.length} (tokens, auth code, client secret, key, verifier, state secret)`,
  );
  report.check(
    leaks.length === 0,
    `no secret appears in this output${leaks.length ? ` (found: ${leaks.join(', ')})` : ''}`,
  );
  return { requests: stats.requests, secretsChecked: secrets.length };
}
