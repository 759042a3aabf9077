import type { SimEntityChange } from './realm-api';

/**
 * Builds and delivers QuickBooks webhooks the way Intuit does: the raw JSON body signed with the app's verifier
 * token, `intuit-signature: base64(HMAC-SHA256(verifierToken, rawBody))`. Two payload formats exist: the legacy
 * `{"eventNotifications":[...]}` object and the CloudEvents array Intuit is migrating every app to.
 */

export type WebhookFormat = 'legacy' | 'cloudevents';

export interface WebhookChange {
  name: string;
  id: string;
  operation: SimEntityChange['operation'] | 'Merge' | 'Emailed';
  lastUpdated?: string;
  /** For Merge: the id that was merged away. */
  deletedId?: string;
}

export interface BuildWebhookInput {
  format: WebhookFormat;
  /** One realm per notification; CloudEvents deliveries may mix realms (pass several groups). */
  notifications: Array<{ realmId: string; changes: WebhookChange[] }>;
  /** Time stamped on CloudEvents (`time`), default now. */
  now?: number;
}

const PAST_TENSE: Record<WebhookChange['operation'], string> = {
  Create: 'created',
  Update: 'updated',
  Delete: 'deleted',
  Void: 'voided',
  Merge: 'merged',
  Emailed: 'emailed',
};

/** The raw body string (sign exactly these bytes). */
export function buildQuickBooksWebhookBody(input: BuildWebhookInput): string {
  const now = input.now ?? Date.now();
  if (input.format === 'legacy') {
    return JSON.stringify({
      eventNotifications: input.notifications.map(({ realmId, changes }) => ({
        realmId,
        dataChangeEvent: {
          entities: changes.map((c) => ({
            name: c.name,
            id: c.id,
            operation: c.operation,
            lastUpdated: c.lastUpdated ?? new Date(now).toISOString(),
            ...(c.deletedId ? { deletedId: c.deletedId } : {}),
          })),
        },
      })),
    });
  }
  const events = input.notifications.flatMap(({ realmId, changes }) =>
    changes.map((c) => ({
      specversion: '1.0',
      id: crypto.randomUUID(),
      source: 'intuit.simulator',
      type: `qbo.${c.name.toLowerCase()}.${PAST_TENSE[c.operation]}.v1`,
      datacontenttype: 'application/json',
      time: c.lastUpdated ? new Date(c.lastUpdated).toISOString() : new Date(now).toISOString(),
      intuitentityid: c.id,
      intuitaccountid: realmId,
      data: c.deletedId ? { deletedid: c.deletedId } : {},
    })),
  );
  return JSON.stringify(events);
}

/** `base64(HMAC-SHA256(verifierToken, rawBody))`, computed with Web Crypto. */
export async function signQuickBooksWebhook(rawBody: string, verifierToken: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(verifierToken),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(rawBody)));
  let binary = '';
  for (const byte of mac) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export interface SendWebhookInput extends BuildWebhookInput {
  url: string;
  verifierToken: string;
  /** Default: global fetch. */
  fetch?: typeof fetch;
  /** Sign with this token instead (to test rejection of a forged delivery). */
  signWith?: string;
}

/** Signs and POSTs a webhook; returns the receiver's response and what was sent. */
export async function sendQuickBooksWebhook(
  input: SendWebhookInput,
): Promise<{ response: Response; body: string; signature: string }> {
  const body = buildQuickBooksWebhookBody(input);
  const signature = await signQuickBooksWebhook(body, input.signWith ?? input.verifierToken);
  const response = await (input.fetch ?? fetch)(input.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'intuit-signature': signature },
    body,
  });
  return { response, body, signature };
}
