import { expect } from 'vitest';
import { type ProviderSuite, required } from './harness';

/** Signature checks and normalisation (registered when the provider supports webhooks). */
export function defineWebhookClauses<THttp>(suite: ProviderSuite<THttp>): void {
  if (!suite.caps.webhooks.supported) return;

  suite.test(
    'webhooks: verify accepts a good signature and rejects tampering; parse normalizes',
    async (p, s) => {
      const webhooks = p.webhooks;
      if (!webhooks) throw new Error('webhooks are declared but the provider has no webhooks member');
      const fixture = required(s.webhook, 'webhook fixture (secret, sampleDelivery)');
      const delivery = await fixture.sampleDelivery();
      expect(await webhooks.verify(delivery.rawBody, delivery.headers, fixture.secret)).toBe(true);
      expect(await webhooks.verify(`${delivery.rawBody} `, delivery.headers, fixture.secret)).toBe(false);
      expect(await webhooks.verify(delivery.rawBody, delivery.headers, `${fixture.secret}x`)).toBe(false);
      expect(await webhooks.verify(delivery.rawBody, {}, fixture.secret)).toBe(false);
      const events = webhooks.parse(delivery.rawBody, delivery.headers);
      expect(events.length).toBeGreaterThan(0);
      for (const event of events) {
        expect(event.providerId).toBeTruthy();
        expect(event.tenantId).toBeTruthy();
        expect(event.deliveryId).toBeTruthy();
        expect(Number.isFinite(event.occurredAt)).toBe(true);
      }
    },
  );
}
