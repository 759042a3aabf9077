import { ValidationError } from '../errors/index';
import type {
  NormalizedWebhookEvent,
  ProviderWebhooks,
  WebhookHeaders,
  WebhookOperation,
} from '../provider/webhooks';
import type { EntityType } from '../storage/types';

/** Header the fake signs deliveries with: base64(HMAC-SHA256(secret, raw body)), like QuickBooks and Xero. */
export const FAKE_SIGNATURE_HEADER = 'x-fake-signature';

/** One event in a fake delivery body. */
export interface FakeWebhookEvent {
  id: string;
  entity: EntityType;
  entityId: string;
  operation: WebhookOperation;
  tenant: string;
  /** Epoch ms. */
  at: number;
  /** For `merge`: the record merged away into `entityId`. */
  mergedFrom?: string;
}

const encoder = new TextEncoder();

function bytesOf(body: string | Uint8Array): Uint8Array<ArrayBuffer> {
  return typeof body === 'string' ? encoder.encode(body) : new Uint8Array(body);
}

function toBase64(bytes: ArrayBuffer): string {
  let text = '';
  for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
  return btoa(text);
}

function fromBase64(value: string): Uint8Array<ArrayBuffer> | null {
  try {
    const text = atob(value.trim());
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    usage,
  ]);
}

/** Reads a header from either a `Headers` object or a plain record, case-insensitively. */
export function readHeader(headers: WebhookHeaders, name: string): string | null {
  if (typeof headers !== 'object' || headers === null) return null;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() !== wanted) continue;
    const first = Array.isArray(value) ? value[0] : value;
    return typeof first === 'string' ? first : null;
  }
  return null;
}

/** Signs a raw body the way the fake provider does. */
export async function signFakeWebhook(rawBody: string | Uint8Array, secret: string): Promise<string> {
  const key = await hmacKey(secret, 'sign');
  return toBase64(await crypto.subtle.sign('HMAC', key, bytesOf(rawBody)));
}

/** Builds a delivery body. */
export function fakeWebhookBody(events: FakeWebhookEvent[]): string {
  return JSON.stringify({ events });
}

const ENTITY_TYPES: readonly string[] = ['customer', 'item', 'invoice', 'estimate', 'payment'];
const OPERATIONS: readonly string[] = ['create', 'update', 'delete', 'void', 'merge'];

export const fakeWebhooks: ProviderWebhooks = {
  signatureHeader: FAKE_SIGNATURE_HEADER,

  async verify(rawBody, headers, secret) {
    if (typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array)) return false;
    const header = readHeader(headers, FAKE_SIGNATURE_HEADER);
    if (!header || typeof secret !== 'string' || !secret) return false;
    const signature = fromBase64(header);
    if (!signature) return false;
    // subtle.verify compares in constant time.
    return crypto.subtle.verify('HMAC', await hmacKey(secret, 'verify'), signature, bytesOf(rawBody));
  },

  parse(rawBody) {
    let parsed: unknown;
    try {
      if (typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array)) throw new TypeError('not a body');
      parsed = JSON.parse(typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody));
    } catch {
      throw new ValidationError('Webhook body is not JSON', [{ path: '(root)', message: 'invalid JSON' }]);
    }
    const events =
      typeof parsed === 'object' && parsed !== null ? (parsed as { events?: unknown }).events : undefined;
    if (!Array.isArray(events)) {
      throw new ValidationError('Webhook body has no events array', [
        { path: 'events', message: 'required' },
      ]);
    }
    return events.map((raw, index): NormalizedWebhookEvent => {
      const e = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<FakeWebhookEvent>;
      if (
        typeof e.id !== 'string' ||
        typeof e.entityId !== 'string' ||
        typeof e.tenant !== 'string' ||
        typeof e.at !== 'number' ||
        !ENTITY_TYPES.includes(String(e.entity)) ||
        !OPERATIONS.includes(String(e.operation))
      ) {
        throw new ValidationError(`Webhook event ${index} is malformed`, [
          { path: `events.${index}`, message: 'malformed' },
        ]);
      }
      return {
        entityType: e.entity as EntityType,
        providerId: e.entityId,
        operation: e.operation as WebhookOperation,
        tenantId: e.tenant,
        occurredAt: e.at,
        deliveryId: e.id,
        ...(e.operation === 'merge' && typeof e.mergedFrom === 'string'
          ? { mergedFromProviderId: e.mergedFrom }
          : {}),
      };
    });
  },
};
