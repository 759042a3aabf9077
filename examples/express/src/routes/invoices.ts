import { AuthError, BlueClerkError, INVOICE_STATUSES, PAYMENT_METHODS } from '@blueclerk/core';
import { Router } from 'express';
import { z } from 'zod';
import { parseIdempotencyKey } from '../idempotency';
import { presentInvoiceSync, presentPaymentSync } from '../present';
import { param, parseInput, type RouteContext } from './context';

/**
 * Invoices and payments, the way the app's own screens change them: every status change syncs (the engine decides
 * what that means: DRAFT is skipped, OPEN/SENT push, VOID voids a synced invoice), "Resync to QuickBooks" pushes
 * again, and a payment is recorded once per Idempotency-Key and then posted to QuickBooks exactly once.
 */
const Minor = z.number().int().nonnegative();
const NewInvoiceBody = z.object({
  customerId: z.string().min(1),
  number: z.string().min(1).max(21).optional(),
  issueDate: z.string().optional(),
  dueDate: z.string().nullish(),
  currency: z.string().length(3).optional(),
  status: z.enum(['DRAFT', 'OPEN', 'SENT']).optional(),
  memo: z.string().max(4000).nullish(),
  lines: z
    .array(
      z.object({
        itemId: z.string().min(1).nullish(),
        description: z.string().max(4000).nullish(),
        quantity: z.union([z.number().positive(), z.string().min(1)]),
        unitPrice: Minor,
      }),
    )
    .min(1),
});
const StatusBody = z.object({ status: z.enum(INVOICE_STATUSES) });
const PaymentBody = z.object({
  amount: z.number().int().positive(),
  date: z.string().optional(),
  method: z.enum(PAYMENT_METHODS).optional(),
  reference: z.string().max(100).nullish(),
  memo: z.string().max(4000).nullish(),
});

export function invoiceRoutes(ctx: RouteContext): Router {
  const router = Router();
  const { engine, storage } = ctx.blueclerk;

  /** Syncs to the account's QuickBooks connection, if there is one. */
  async function syncInvoice(accountId: string, invoiceId: string) {
    const target = await ctx.syncTarget(accountId);
    if (!target) return { status: 'not_connected' as const, localId: invoiceId };
    return presentInvoiceSync(await engine.syncInvoice(target.id, invoiceId));
  }

  async function invoiceView(accountId: string, invoiceId: string) {
    const invoice = await ctx.db.getInvoice(invoiceId);
    if (!invoice) return null;
    const payments = await ctx.db.listInvoicePayments(invoiceId);
    const target = await ctx.syncTarget(accountId);
    const link = target ? await storage.links.findLinkByLocalId(target.id, 'invoice', invoiceId) : null;
    return {
      id: invoice.localId,
      ...invoice.data,
      payments: payments.map((p) => ({ id: p.localId, ...p.data })),
      quickbooks: link ? { invoiceId: link.providerId, lastSyncedAt: link.lastSyncedAt } : null,
    };
  }

  router.get('/customers', (_req, res) => {
    res.json({ customers: ctx.db.listCustomers().map((c) => ({ id: c.localId, ...c.data })) });
  });

  router.get('/items', (_req, res) => {
    res.json({ items: ctx.db.listItems().map((i) => ({ id: i.localId, ...i.data })) });
  });

  router.post('/invoices', async (req, res) => {
    const accountId = ctx.accountOf(req);
    const invoice = ctx.db.createInvoice(parseInput(NewInvoiceBody, req.body, 'invoice'));
    const sync = await syncInvoice(accountId, invoice.localId);
    res.status(201).json({ invoice: await invoiceView(accountId, invoice.localId), sync });
  });

  router.get('/invoices/:id', async (req, res) => {
    const view = await invoiceView(ctx.accountOf(req), param(req, 'id'));
    if (!view) {
      res.status(404).json({ error: { code: 'not_found', message: 'No such invoice', action: null } });
      return;
    }
    res.json({ invoice: view });
  });

  router.patch('/invoices/:id/status', async (req, res) => {
    const accountId = ctx.accountOf(req);
    const { status } = parseInput(StatusBody, req.body);
    const invoice = ctx.db.setInvoiceStatus(param(req, 'id'), status);
    const sync = await syncInvoice(accountId, invoice.localId);
    res.json({ invoice: await invoiceView(accountId, invoice.localId), sync });
  });

  // "Resync to QuickBooks": the button on an invoice whose last sync failed.
  router.post('/invoices/:id/resync', async (req, res) => {
    const accountId = ctx.accountOf(req);
    const invoiceId = param(req, 'id');
    // The engine reports an invoice the app does not have as a failed sync (and a sync.failed notification); to the
    // client it is a missing resource, so it is answered before the engine is asked.
    if (!(await ctx.db.getInvoice(invoiceId))) {
      throw new BlueClerkError('not_found', `Invoice ${invoiceId} does not exist`);
    }
    const target = await ctx.syncTarget(accountId);
    if (!target) {
      throw new AuthError('needs_reconnect', 'QuickBooks is not connected', {
        action: 'Connect QuickBooks in Settings > Integrations.',
      });
    }
    const sync = presentInvoiceSync(await engine.syncInvoice(target.id, invoiceId));
    res.json({ invoice: await invoiceView(accountId, invoiceId), sync });
  });

  router.post('/invoices/:id/payments', async (req, res) => {
    const accountId = ctx.accountOf(req);
    const invoiceId = param(req, 'id');
    const key = parseIdempotencyKey(req.get('idempotency-key'));
    const input = parseInput(PaymentBody, req.body, 'payment');
    const { value: payment, replayed } = await ctx.idempotency.once(
      `${accountId}:payment:${invoiceId}`,
      key,
      JSON.stringify(input),
      async () => ctx.db.addPayment(invoiceId, input),
    );
    // Synced on the replay too: if the first attempt's push failed, the retry pushes it; if it worked, the engine
    // answers `already_synced` from its ledger without calling QuickBooks.
    const target = await ctx.syncTarget(accountId);
    const sync = target
      ? presentPaymentSync(await engine.syncPayment(target.id, payment.localId))
      : { status: 'not_connected' as const, localId: payment.localId };
    if (replayed) res.set('Idempotent-Replayed', 'true');
    res.status(replayed ? 200 : 201).json({ payment: { id: payment.localId, ...payment.data }, sync });
  });

  return router;
}
