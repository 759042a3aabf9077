import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildQuickBooksWebhookBody } from './testing/webhook-sender';
import { parseQuickBooksWebhook, quickBooksWebhooks, verifyQuickBooksWebhook } from './webhooks';

const verifier = 'a1b2c3-verifier-token';
// A legacy payload as Intuit documents it (offset without a colon in lastUpdated).
const legacyBody =
  '{"eventNotifications":[{"realmId":"1185883450","dataChangeEvent":{"entities":[' +
  '{"name":"Payment","id":"142","operation":"Create","lastUpdated":"2026-01-05T14:42:19-0700"},' +
  '{"name":"Invoice","id":"130","operation":"Update","lastUpdated":"2026-01-05T14:42:19-0700"},' +
  '{"name":"Vendor","id":"3","operation":"Create","lastUpdated":"2026-01-05T14:42:19-0700"}]}}]}';

describe('QuickBooks webhooks', () => {
  it('verifies intuit-signature over the raw body and rejects tampering', async () => {
    const signature = createHmac('sha256', verifier).update(legacyBody).digest('base64');
    expect(await verifyQuickBooksWebhook(legacyBody, { 'intuit-signature': signature }, verifier)).toBe(true);
    expect(
      await quickBooksWebhooks.verify(
        new TextEncoder().encode(legacyBody),
        new Headers({ 'Intuit-Signature': signature }),
        verifier,
      ),
    ).toBe(true);
    const tampered = legacyBody.replace('"142"', '"143"');
    expect(await verifyQuickBooksWebhook(tampered, { 'intuit-signature': signature }, verifier)).toBe(false);
    expect(await verifyQuickBooksWebhook(legacyBody, { 'intuit-signature': signature }, 'other-token')).toBe(
      false,
    );
    expect(await verifyQuickBooksWebhook(legacyBody, {}, verifier)).toBe(false);
    expect(await verifyQuickBooksWebhook(legacyBody, { 'intuit-signature': 'not base64 !!' }, verifier)).toBe(
      false,
    );
    // Re-serialised JSON is not the raw body, so it does not verify.
    const reserialised = JSON.stringify(JSON.parse(legacyBody), null, 2);
    expect(await verifyQuickBooksWebhook(reserialised, { 'intuit-signature': signature }, verifier)).toBe(
      false,
    );
  });

  it('normalizes the legacy eventNotifications payload, skipping entities the SDK does not sync', () => {
    const events = parseQuickBooksWebhook(legacyBody);
    expect(events).toEqual([
      {
        entityType: 'payment',
        providerId: '142',
        operation: 'create',
        tenantId: '1185883450',
        occurredAt: Date.parse('2026-01-05T21:42:19Z'),
        deliveryId: 'qbo:1185883450:Payment:142:Create:2026-01-05T14:42:19-0700',
      },
      expect.objectContaining({ entityType: 'invoice', providerId: '130', operation: 'update' }),
    ]);
  });

  it('normalizes the CloudEvents array payload, using the event id for de-duplication', () => {
    const body = JSON.stringify([
      {
        specversion: '1.0',
        id: '88cd52aa-1111',
        source: 'intuit.dsnBgbseZK',
        type: 'qbo.payment.created.v1',
        datacontenttype: 'application/json',
        time: '2026-01-05T21:31:25.179851517Z',
        intuitentityid: '142',
        intuitaccountid: '310687',
        data: {},
      },
      {
        specversion: '1.0',
        id: 'x2',
        type: 'qbo.invoice.voided.v1',
        intuitentityid: '130',
        intuitaccountid: '310687',
      },
      {
        specversion: '1.0',
        id: 'x3',
        type: 'qbo.account.created.v1',
        intuitentityid: '1',
        intuitaccountid: '310687',
      },
    ]);
    expect(parseQuickBooksWebhook(body)).toEqual([
      {
        entityType: 'payment',
        providerId: '142',
        operation: 'create',
        tenantId: '310687',
        occurredAt: Date.parse('2026-01-05T21:31:25.179Z'),
        deliveryId: '88cd52aa-1111',
      },
      expect.objectContaining({ entityType: 'invoice', operation: 'void', deliveryId: 'x2' }),
    ]);
  });

  it('accepts what the simulator sends in both formats and refuses foreign bodies', () => {
    for (const format of ['legacy', 'cloudevents'] as const) {
      const body = buildQuickBooksWebhookBody({
        format,
        notifications: [{ realmId: '9', changes: [{ name: 'Invoice', id: '7', operation: 'Update' }] }],
      });
      expect(parseQuickBooksWebhook(body)).toMatchObject([
        { entityType: 'invoice', providerId: '7', tenantId: '9' },
      ]);
    }
    expect(() => parseQuickBooksWebhook('{"events":[]}')).toThrow(/neither/);
    expect(() => parseQuickBooksWebhook('nope')).toThrow(/not JSON/);
  });
});

describe('QuickBooks merge webhooks', () => {
  it.each(['legacy', 'cloudevents'] as const)(
    'carry the merged-away id (%s) next to the surviving record',
    async (format) => {
      const { createQuickBooksSimulator } = await import('./testing/index');
      const sim = createQuickBooksSimulator();
      const realm = sim.realm();
      const a = realm.create('Customer', { DisplayName: 'Acme Plumbing' });
      const b = realm.create('Customer', { DisplayName: 'Acme Plumbing Ltd' });
      const change = realm.merge('Customer', a.Id as string, b.Id as string);
      expect(realm.get('Customer', a.Id as string)).toBeUndefined();
      const body = buildQuickBooksWebhookBody({
        format,
        notifications: [{ realmId: sim.defaultRealmId, changes: [change] }],
      });
      expect(body).toContain(format === 'legacy' ? '"deletedId"' : '"deletedid"');
      const [event] = parseQuickBooksWebhook(body);
      expect(event).toMatchObject({
        entityType: 'customer',
        operation: 'merge',
        providerId: b.Id,
        mergedFromProviderId: a.Id,
        tenantId: sim.defaultRealmId,
      });
    },
  );

  it('carries no merged-away id on other operations', () => {
    const body = buildQuickBooksWebhookBody({
      format: 'legacy',
      notifications: [{ realmId: '1', changes: [{ name: 'Customer', id: '5', operation: 'Update' }] }],
    });
    expect(parseQuickBooksWebhook(body)[0]).not.toHaveProperty('mergedFromProviderId');
  });
});
