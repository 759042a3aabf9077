import { createHmac } from 'node:crypto';
import { BlueClerkError, ValidationError } from '@blueclerk/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseQuickBooksWebhook, QUICKBOOKS_SIGNATURE_HEADER, verifyQuickBooksWebhook } from './webhooks';

/*
 * A webhook endpoint is public: anyone can POST any body with any headers. Whatever arrives, parse and verify answer
 * with events, a boolean or a typed error, and quickly. The 50 ms bound is a behaviour bound against CPU denial of
 * service, not a benchmark.
 */
const MAX_MS_PER_CASE = 50;
const NUM_RUNS = 300;
const VERIFIER = 'a1b2c3-verifier-token-for-properties';

const ENTITY_TYPES = ['customer', 'item', 'invoice', 'estimate', 'payment'];
const OPERATIONS = ['create', 'update', 'delete', 'void', 'merge'];

function signature(body: string | Uint8Array, token = VERIFIER): string {
  return createHmac('sha256', token).update(body).digest('base64');
}

/** Runs `fn` (sync or async) and rethrows anything that is not a BlueClerkError; fails past the time bound. */
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

// Garbage that still serialises as JSON, for the inside of otherwise plausible bodies.
const junk = fc.jsonValue({ maxDepth: 3 });

/**
 * Bodies shaped like Intuit's, in two flavours: well-formed (every field of the right type, values still arbitrary)
 * and garbled (any field may be junk or missing), so the properties reach the normalising code as well as the
 * schema's refusals.
 */
function webhookBodies(garbled: boolean) {
  const maybe = <T>(valid: fc.Arbitrary<T>) =>
    garbled ? fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: junk }) : valid;
  const keys = <const K extends string>(all: readonly K[]): { requiredKeys: K[] } => ({
    requiredKeys: garbled ? [] : [...all],
  });
  const entityName = fc.constantFrom('Invoice', 'Payment', 'Customer', 'Item', 'Vendor', 'invoice', '');
  const operation = fc.constantFrom('Create', 'Update', 'Delete', 'Void', 'Merge', 'Emailed', 'Frobnicate');
  const time = fc.oneof(
    fc.constantFrom('2026-01-05T14:42:19-0700', '2026-01-05T21:31:25.179851517Z', 'yesterday', ''),
    fc.string({ maxLength: 40 }),
  );
  const id = fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.integer());
  const legacy = fc.record(
    {
      eventNotifications: maybe(
        fc.array(
          fc.record(
            {
              realmId: maybe(fc.string({ minLength: 1, maxLength: 20 })),
              dataChangeEvent: maybe(
                fc.record({
                  entities: maybe(
                    fc.array(
                      fc.record(
                        {
                          name: maybe(entityName),
                          id: maybe(id),
                          operation: maybe(operation),
                          lastUpdated: maybe(time),
                        },
                        keys(['name', 'id', 'operation']),
                      ),
                      { maxLength: 5 },
                    ),
                  ),
                }),
              ),
            },
            keys(['realmId', 'dataChangeEvent']),
          ),
          { maxLength: 3 },
        ),
      ),
    },
    keys(['eventNotifications']),
  );
  const eventType = fc.oneof(
    fc
      .tuple(
        fc.constantFrom('invoice', 'payment', 'customer', 'item', 'account', ''),
        fc.constantFrom('created', 'updated', 'deleted', 'voided', 'merged', 'emailed', 'frobbed'),
      )
      .map(([entity, op]) => `qbo.${entity}.${op}.v1`),
    fc.string({ maxLength: 40 }),
  );
  const cloudEvents = fc.array(
    fc.record(
      {
        specversion: maybe(fc.constant('1.0')),
        id: maybe(fc.string({ minLength: 1, maxLength: 20 })),
        type: maybe(eventType),
        time: maybe(time),
        intuitentityid: maybe(id),
        intuitaccountid: maybe(id),
      },
      keys(['specversion', 'id', 'type', 'intuitentityid', 'intuitaccountid']),
    ),
    { maxLength: 5 },
  );
  return fc.oneof(legacy, cloudEvents).map((body) => JSON.stringify(body));
}

const textBody = fc.oneof(
  webhookBodies(false),
  webhookBodies(true),
  fc.json({ maxDepth: 4 }),
  fc.string({ unit: 'binary', maxLength: 500 }),
  fc.constantFrom('', 'null', '[]', '{}', '[null]', '{"eventNotifications":[null]}', '[[[[[[[[[[]]]]]]]]]]'),
);
const anyBody = fc.oneof(
  { weight: 4, arbitrary: textBody },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  { weight: 1, arbitrary: textBody.map((text) => new TextEncoder().encode(text)) },
  { weight: 1, arbitrary: fc.anything() },
);

const headerName = fc.oneof(
  fc.constantFrom(QUICKBOOKS_SIGNATURE_HEADER, 'Intuit-Signature', 'INTUIT-SIGNATURE'),
  fc.string({ maxLength: 20 }),
);
const headerValue = fc.oneof(
  fc.base64String({ maxLength: 60 }),
  fc.string({ maxLength: 80 }),
  fc.array(fc.string({ maxLength: 60 }), { maxLength: 3 }),
  fc.anything(),
);
const anyHeaders = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(headerName, headerValue, { maxKeys: 5 }) },
  { weight: 1, arbitrary: fc.anything() },
);
const anyToken = fc.oneof(
  { weight: 4, arbitrary: fc.constant(VERIFIER) },
  { weight: 1, arbitrary: fc.anything() },
);

describe('QuickBooks webhooks under hostile input', () => {
  it('no body POSTed to the webhook endpoint makes parseQuickBooksWebhook throw anything but ValidationError or take over 50 ms', async () => {
    await fc.assert(
      fc.asyncProperty(anyBody, async (body) => {
        const { value, error } = await settleTyped(() => parseQuickBooksWebhook(body as string));
        if (error) {
          expect(ValidationError.isInstance(error)).toBe(true);
          return;
        }
        for (const event of value ?? []) {
          expect(ENTITY_TYPES).toContain(event.entityType);
          expect(OPERATIONS).toContain(event.operation);
          expect(typeof event.providerId).toBe('string');
          expect(typeof event.tenantId).toBe('string');
          expect(typeof event.deliveryId).toBe('string');
          expect(Number.isFinite(event.occurredAt)).toBe(true);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('a forged intuit-signature never verifies and no body, header or token shape escapes as an untyped error', async () => {
    await verifyQuickBooksWebhook('{}', { [QUICKBOOKS_SIGNATURE_HEADER]: signature('{}') }, VERIFIER); // warm up
    await fc.assert(
      fc.asyncProperty(anyBody, anyHeaders, anyToken, async (body, headers, token) => {
        const { value } = await settleTyped(() =>
          verifyQuickBooksWebhook(body as string, headers as Record<string, string>, token as string),
        );
        if (value === undefined) return;
        expect(typeof value).toBe('boolean');
        // A random header matching the HMAC of a random body would be a forgery (probability 2^-256).
        expect(value).toBe(false);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('the genuine signature still verifies for every body, as a string or as bytes', async () => {
    await fc.assert(
      fc.asyncProperty(textBody, fc.boolean(), async (body, asBytes) => {
        const raw = asBytes ? new TextEncoder().encode(body) : body;
        const { value } = await settleTyped(() =>
          verifyQuickBooksWebhook(raw, new Headers({ 'Intuit-Signature': signature(raw) }), VERIFIER),
        );
        expect(value).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('a parsed JSON object handed over instead of the raw body is a ValidationError saying so, not a TypeError from Web Crypto', async () => {
    const { error } = await settleTyped(() =>
      verifyQuickBooksWebhook({ eventNotifications: [] } as never, {}, VERIFIER),
    );
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error?.message).toMatch(/raw request body/);
    expect(() => parseQuickBooksWebhook({} as never)).toThrow(/raw request body/);
  });
});
