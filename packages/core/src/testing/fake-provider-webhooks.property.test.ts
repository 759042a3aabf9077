import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlueClerkError, ValidationError } from '../errors/index';
import {
  FAKE_SIGNATURE_HEADER,
  fakeWebhookBody,
  fakeWebhooks,
  signFakeWebhook,
} from './fake-provider-webhooks';

/*
 * The fake provider's webhooks are the reference other providers' parsers are compared with, so they keep the same
 * promise: any body or headers give events, a boolean or a typed error, quickly (50 ms is a behaviour bound against
 * CPU denial of service, not a benchmark).
 */
const MAX_MS_PER_CASE = 50;
const SECRET = 'fake-webhook-secret-for-properties';

async function settleTyped<T>(fn: () => T | Promise<T>): Promise<{ value?: T; error?: BlueClerkError }> {
  const start = performance.now();
  let outcome: { value?: T; error?: BlueClerkError };
  try {
    outcome = { value: await fn() };
  } catch (error) {
    if (!BlueClerkError.isInstance(error)) throw error;
    outcome = { error };
  }
  expect(performance.now() - start).toBeLessThan(MAX_MS_PER_CASE);
  return outcome;
}

const event = fc.record(
  {
    id: fc.oneof(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 1 })),
    entity: fc.oneof(
      fc.constantFrom('customer', 'item', 'invoice', 'estimate', 'payment', 'vendor'),
      fc.jsonValue(),
    ),
    entityId: fc.oneof(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 1 })),
    operation: fc.oneof(
      fc.constantFrom('create', 'update', 'delete', 'void', 'merge', 'explode'),
      fc.jsonValue(),
    ),
    tenant: fc.oneof(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 1 })),
    at: fc.oneof(fc.integer(), fc.jsonValue({ maxDepth: 1 })),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc
    .array(fc.oneof(event, fc.jsonValue({ maxDepth: 2 })), { maxLength: 4 })
    .map((events) => JSON.stringify({ events })),
  fc.json({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.uint8Array({ maxLength: 200 }),
);
const headers = fc.oneof(
  fc.dictionary(
    fc.oneof(fc.constant(FAKE_SIGNATURE_HEADER), fc.string({ maxLength: 10 })),
    fc.oneof(fc.base64String({ maxLength: 60 }), fc.string({ maxLength: 40 }), fc.anything()),
    { maxKeys: 4 },
  ),
  fc.anything(),
);

describe('fake provider webhooks under hostile input', () => {
  // `null` and `{"events":[null]}` once escaped as TypeErrors (`null.events`, `null.id`).
  it('no body POSTed to a fake webhook endpoint makes parse throw anything but ValidationError or take over 50 ms', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        const { error } = await settleTyped(() => fakeWebhooks.parse(raw));
        if (error) expect(ValidationError.isInstance(error)).toBe(true);
      }),
      { numRuns: 300, examples: [['null'], ['{"events":[null]}']] },
    );
  });

  // `verify(body, null, secret)` once escaped as a TypeError (`null.get`).
  it('a forged x-fake-signature never verifies and no header shape escapes as an untyped error', async () => {
    await fc.assert(
      fc.asyncProperty(body, headers, async (raw, given) => {
        const { value } = await settleTyped(() =>
          fakeWebhooks.verify(raw, given as Record<string, string>, SECRET),
        );
        if (value !== undefined) expect(value).toBe(false);
      }),
      { numRuns: 200, examples: [['{}', null]] },
    );
  });

  it('a forged x-fake-signature never verifies for headers given as a record', async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.base64String({ maxLength: 60 }), async (raw, forged) => {
        const { value } = await settleTyped(() =>
          fakeWebhooks.verify(raw, { [FAKE_SIGNATURE_HEADER]: forged }, SECRET),
        );
        expect(value).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('a genuine delivery still verifies and parses', async () => {
    const raw = fakeWebhookBody([
      { id: 'e1', entity: 'invoice', entityId: 'i1', operation: 'update', tenant: 't1', at: 1 },
    ]);
    const signature = await signFakeWebhook(raw, SECRET);
    expect(await fakeWebhooks.verify(raw, { [FAKE_SIGNATURE_HEADER]: signature }, SECRET)).toBe(true);
    expect(fakeWebhooks.parse(raw)).toHaveLength(1);
  });
});
