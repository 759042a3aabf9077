import {
  ConfigurationError,
  type EntityType,
  type NormalizedWebhookEvent,
  type ProviderWebhooks,
  ValidationError,
  type WebhookHeaders,
  type WebhookOperation,
} from '@blueclerk/core/provider';
import { z } from 'zod';

/**
 * QuickBooks webhooks: `intuit-signature` is base64(HMAC-SHA256(verifier token, raw body)) (Intuit Java SDK
 * WebhooksService). Two payloads exist and both are accepted: the legacy `{"eventNotifications":[…]}` object and the
 * CloudEvents array Intuit is migrating apps to (`type: "qbo.invoice.updated.v1"`, `intuitaccountid` = realmId).
 */

export const QUICKBOOKS_SIGNATURE_HEADER = 'intuit-signature';

const ENTITY_TYPES: Readonly<Record<string, EntityType>> = {
  customer: 'customer',
  item: 'item',
  invoice: 'invoice',
  payment: 'payment',
};

const OPERATIONS: Readonly<Record<string, WebhookOperation>> = {
  create: 'create',
  created: 'create',
  update: 'update',
  updated: 'update',
  // An emailed invoice is a change worth re-reading, nothing more.
  emailed: 'update',
  delete: 'delete',
  deleted: 'delete',
  void: 'void',
  voided: 'void',
  merge: 'merge',
  merged: 'merge',
};

const LegacySchema = z.object({
  eventNotifications: z.array(
    z.object({
      realmId: z.string().min(1),
      dataChangeEvent: z.object({
        entities: z.array(
          z.looseObject({
            name: z.string(),
            id: z.union([z.string(), z.number()]).transform(String),
            operation: z.string(),
            lastUpdated: z.string().optional(),
            // Merge: the record merged away (Intuit, managing webhooks notifications).
            deletedId: z.union([z.string(), z.number()]).transform(String).optional(),
          }),
        ),
      }),
    }),
  ),
});

const CloudEventsSchema = z.array(
  z.looseObject({
    specversion: z.string(),
    id: z.string().min(1),
    type: z.string(),
    time: z.string().optional(),
    intuitentityid: z.union([z.string(), z.number()]).transform(String),
    intuitaccountid: z.union([z.string(), z.number()]).transform(String),
    // Merge: `data.deletedid` names the record merged away; other events carry `{}`.
    data: z.unknown().optional(),
  }),
);

/**
 * A QuickBooks event: core's `NormalizedWebhookEvent`. After "merge A into B" it names B (`providerId`, the
 * surviving record) and `mergedFromProviderId` names A; core's engine re-points a local record linked to A at B.
 */
export type QuickBooksWebhookEvent = NormalizedWebhookEvent;

/** A header value as a string; anything else a framework might hand over (a number, an object) counts as absent. */
function headerValue(headers: WebhookHeaders, name: string): string | null {
  if (typeof headers !== 'object' || headers === null) {
    throw new ValidationError(
      'QuickBooks webhook headers must be a Headers object or a record of header values',
      [{ path: 'headers', message: 'not an object' }],
    );
  }
  if (typeof (headers as Headers).get === 'function') {
    const value: unknown = (headers as Headers).get(name);
    return typeof value === 'string' ? value : null;
  }
  const record = headers as Readonly<Record<string, unknown>>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : null;
}

/**
 * The raw body as bytes. A parsed object here is the common mistake of verifying after a JSON body parser ran:
 * say so instead of failing inside Web Crypto with a TypeError.
 */
function toBytes(body: unknown): Uint8Array {
  if (typeof body === 'string') return new TextEncoder().encode(body);
  // isView rather than instanceof: a Buffer or a Uint8Array from another realm (a VM, an edge sandbox) is bytes too.
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  throw new ValidationError(
    'QuickBooks webhook body must be the raw request body (a string or Uint8Array), not a parsed object; ' +
      'read it with express.raw() or request.text() before any JSON parser',
    [{ path: 'rawBody', message: 'not a string or Uint8Array' }],
  );
}

function base64ToBytes(value: string): Uint8Array | null {
  try {
    const binary = atob(value.trim());
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** Constant-time for equal lengths; a length mismatch leaks only the length, which is public (32 bytes). */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** `lastUpdated` in the legacy payload may be `2015-10-05T14:42:19-0700` (no colon in the offset). */
function parseTime(value: string | undefined, fallback: number): number {
  if (!value) return fallback;
  const normalized = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(normalized);
  return Number.isNaN(ms) ? fallback : ms;
}

export async function verifyQuickBooksWebhook(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  verifierToken: string,
): Promise<boolean> {
  const body = toBytes(rawBody);
  const signature = headerValue(headers, QUICKBOOKS_SIGNATURE_HEADER);
  if (verifierToken !== undefined && verifierToken !== null && typeof verifierToken !== 'string') {
    throw new ConfigurationError('verifierToken', 'The QuickBooks webhook verifier token must be a string');
  }
  if (!signature || !verifierToken) return false;
  const expected = base64ToBytes(signature);
  if (!expected) return false;
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(verifierToken),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, body as Uint8Array<ArrayBuffer>));
  return equalBytes(mac, expected);
}

/** Normalizes either payload format; entities the SDK does not sync (Account, Vendor ...) are skipped. */
export function parseQuickBooksWebhook(
  rawBody: string | Uint8Array,
  now = Date.now(),
): QuickBooksWebhookEvent[] {
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new ValidationError('parseQuickBooksWebhook: now must be a finite number of epoch milliseconds', [
      { path: 'now', message: 'not a finite number' },
    ]);
  }
  const text = typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(toBytes(rawBody));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ValidationError('QuickBooks webhook body is not JSON', [
      { path: '(root)', message: 'not JSON' },
    ]);
  }
  if (Array.isArray(json)) {
    const parsed = CloudEventsSchema.safeParse(json);
    if (!parsed.success) throw invalid(parsed.error);
    const events: QuickBooksWebhookEvent[] = [];
    for (const event of parsed.data) {
      const [, entity, operation] = /^qbo\.([a-z]+)\.([a-z]+)\.v\d+$/i.exec(event.type) ?? [];
      const entityType = entity ? ENTITY_TYPES[entity.toLowerCase()] : undefined;
      const op = operation ? OPERATIONS[operation.toLowerCase()] : undefined;
      if (!entityType || !op) continue;
      events.push({
        entityType,
        providerId: event.intuitentityid,
        operation: op,
        tenantId: event.intuitaccountid,
        occurredAt: parseTime(event.time, now),
        deliveryId: event.id,
        ...mergedFrom(op, deletedIdOf(event.data)),
      });
    }
    return events;
  }
  const parsed = LegacySchema.safeParse(json);
  if (!parsed.success) throw invalid(parsed.error);
  const events: QuickBooksWebhookEvent[] = [];
  for (const notification of parsed.data.eventNotifications) {
    for (const entity of notification.dataChangeEvent.entities) {
      const entityType = ENTITY_TYPES[entity.name.toLowerCase()];
      const op = OPERATIONS[entity.operation.toLowerCase()];
      if (!entityType || !op) continue;
      events.push({
        entityType,
        providerId: entity.id,
        operation: op,
        tenantId: notification.realmId,
        occurredAt: parseTime(entity.lastUpdated, now),
        // Legacy deliveries carry no event id; this tuple is stable across Intuit's retries of the same event.
        deliveryId: `qbo:${notification.realmId}:${entity.name}:${entity.id}:${entity.operation}:${entity.lastUpdated ?? ''}`,
        ...mergedFrom(op, entity.deletedId),
      });
    }
  }
  return events;
}

function deletedIdOf(data: unknown): string | undefined {
  const id =
    typeof data === 'object' && data !== null ? (data as { deletedid?: unknown }).deletedid : undefined;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

function mergedFrom(operation: WebhookOperation, deletedId: string | undefined) {
  return operation === 'merge' && deletedId ? { mergedFromProviderId: deletedId } : {};
}

function invalid(error: z.ZodError): ValidationError {
  return new ValidationError(
    'QuickBooks webhook body is neither an eventNotifications object nor a CloudEvents array',
    error.issues.map((issue) => ({ path: issue.path.join('.') || '(root)', message: issue.message })),
  );
}

export const quickBooksWebhooks: ProviderWebhooks = {
  signatureHeader: QUICKBOOKS_SIGNATURE_HEADER,
  verify: verifyQuickBooksWebhook,
  parse: (rawBody) => parseQuickBooksWebhook(rawBody),
};
