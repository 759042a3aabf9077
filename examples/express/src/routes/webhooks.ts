import { BlueClerkError } from '@blueclerk/core';
import express, { Router } from 'express';
import { errorBody } from '../http-errors';
import { presentWebhookOutcome } from '../present';
import type { RouteContext } from './context';

export const QUICKBOOKS_WEBHOOK_PATH = '/webhooks/quickbooks';

/**
 * `POST /webhooks/quickbooks`. The body stays raw bytes (`express.raw`): Intuit signs the exact bytes it sent, and
 * JSON parsed and re-serialised does not match `intuit-signature` any more. Mount this router before
 * `express.json()`, or the JSON parser consumes the body first.
 */
export function webhookRoutes(ctx: RouteContext): Router {
  const router = Router();

  router.post(QUICKBOOKS_WEBHOOK_PATH, express.raw({ type: '*/*', limit: '1mb' }), async (req, res) => {
    const rawBody = Buffer.isBuffer(req.body) ? new Uint8Array(req.body) : new Uint8Array();
    try {
      const result = await ctx.blueclerk.engine.handleWebhook('quickbooks', {
        rawBody,
        headers: req.headers,
        secret: ctx.config.quickbooks.webhookVerifier,
      });
      if (!result.verified) {
        // Nothing was parsed or processed. No detail: the sender is either Intuit with a wrong verifier or not Intuit.
        res.status(401).json({
          error: { code: 'webhook_signature_invalid', message: 'Signature did not verify', action: null },
        });
        return;
      }
      // A retryable failure (provider throttling, a network blip while fetching the record) answers 503 so the
      // provider re-delivers; the engine forgets such deliveries, so the re-delivery is applied. Anything else is
      // acknowledged: it is in the notifications, and a scheduled pull picks the change up.
      const retryable = result.events.some((event) => event.status === 'failed' && event.failure.retryable);
      res.status(retryable ? 503 : 200).json({ events: result.events.map(presentWebhookOutcome) });
    } catch (error) {
      if (BlueClerkError.isInstance(error) && error.code === 'validation_failed') {
        res.status(400).json(errorBody(error));
        return;
      }
      throw error;
    }
  });

  return router;
}
