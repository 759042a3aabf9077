import {
  AuthError,
  BlueClerkError,
  type ClassifyError,
  defaultClassifyError,
  MissingFieldError,
  NetworkError,
  ProviderError,
  RateLimitError,
} from '@blueclerk/core/provider';
import { z } from 'zod';

/**
 * QuickBooks Fault parsing and classification into core's error codes. Codes from Intuit's "handling common errors"
 * page and error list: 6240 duplicate name, 6140 duplicate document number, 610 object not found, 2500 invalid
 * reference, 5010 stale object (SyncToken), 3001 throttled, 3200/100 authentication, 3100/120 authorization,
 * 2020 required parameter, 6000 business validation, 10000 system failure.
 */

// Every member is nullish: QuickBooks' gateway sends `"detail": null, "element": null` in its 403 bodies.
const FaultErrorSchema = z.looseObject({
  Message: z.string().nullish(),
  Detail: z.string().nullish(),
  code: z
    .union([z.string(), z.number()])
    .nullish()
    .transform((v) => (v === null || v === undefined ? '' : String(v))),
  element: z.string().nullish(),
});
export const QboFaultSchema = z.looseObject({
  Error: z
    .array(FaultErrorSchema)
    .nullish()
    .transform((v) => v ?? []),
  type: z.string().nullish(),
});
export type QboFault = z.infer<typeof QboFaultSchema>;

export interface ParsedFault {
  type: string | null;
  errors: Array<{ code: string; message: string; detail: string | null; element: string | null }>;
}

/**
 * Reads a Fault from a QuickBooks body, in any of the three forms it arrives in: the documented JSON envelope
 * `{"Fault":{"Error":[{"Message","Detail","code","element"}],"type"}}`, the gateway's lower-case one with nulls
 * (`{"fault":{"error":[{"message","detail":null,"code":"3100","element":null}],"type":"SERVICE"}}`, seen on 403),
 * and XML `<IntuitResponse><Fault type="..."><Error code="...">` (throttling and 401s, even when JSON was asked for).
 */
export function parseQuickBooksFault(body: unknown): ParsedFault | null {
  if (typeof body === 'string') {
    const text = body.trim();
    if (text.startsWith('{')) {
      try {
        return parseQuickBooksFault(JSON.parse(text));
      } catch {
        return null;
      }
    }
    if (text.startsWith('<')) return parseXmlFault(text);
    return null;
  }
  if (typeof body !== 'object' || body === null) return null;
  const record = body as Record<string, unknown>;
  const raw = record.Fault ?? record.fault;
  if (typeof raw !== 'object' || raw === null) return null;
  const parsed = QboFaultSchema.safeParse(normalizeFaultCase(raw as Record<string, unknown>));
  if (!parsed.success) return null;
  return {
    type: parsed.data.type ?? null,
    errors: parsed.data.Error.map((e) => ({
      code: e.code,
      message: e.Message ?? '',
      detail: e.Detail ? e.Detail : null,
      element: e.element ? e.element : null,
    })),
  };
}

/** The lower-case envelope's members under the documented names (`error`->`Error`, `message`->`Message` ...). */
function normalizeFaultCase(raw: Record<string, unknown>): Record<string, unknown> {
  const list = raw.Error ?? raw.error;
  return {
    type: raw.type,
    Error: Array.isArray(list)
      ? list.map((e) => {
          const item = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
          return {
            Message: item.Message ?? item.message,
            Detail: item.Detail ?? item.detail,
            code: item.code ?? item.Code,
            element: item.element ?? item.Element,
          };
        })
      : list,
  };
}

const XML_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

function xmlText(value: string | undefined): string | null {
  if (value === undefined) return null;
  const text = value
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => XML_ENTITIES[name] ?? '')
    .trim();
  return text === '' ? null : text;
}

function parseXmlFault(text: string): ParsedFault | null {
  // Namespace prefixes are allowed in XML (`<ns2:Fault>`); the element names are what matter.
  const plain = text.replace(/<(\/?)[A-Za-z0-9_]+:/g, '<$1');
  const type = /<Fault\b[^>]*\btype="([^"]*)"/.exec(plain)?.[1] ?? null;
  const errors = [...plain.matchAll(/<Error\b([^>]*)>([\s\S]*?)<\/Error>/g)].map((m) => {
    const attributes = m[1] as string;
    const inner = m[2] as string;
    return {
      code: /\bcode="([^"]*)"/.exec(attributes)?.[1] ?? '',
      message: xmlText(/<Message>([\s\S]*?)<\/Message>/.exec(inner)?.[1]) ?? '',
      detail: xmlText(/<Detail>([\s\S]*?)<\/Detail>/.exec(inner)?.[1]),
      element: /\belement="([^"]*)"/.exec(attributes)?.[1] || null,
    };
  });
  return errors.length > 0 ? { type, errors } : null;
}

/** QuickBooks element names (as in 2020 "Required parameter X") -> core model field names. */
const FIELD_BY_ELEMENT: Readonly<Record<string, string>> = {
  IncomeAccountRef: 'item.incomeAccount',
  CustomerRef: 'invoice.customer',
  DisplayName: 'customer.displayName',
  Name: 'item.name',
  Line: 'invoice.lines',
  'Line.Amount': 'invoice.lines.amount',
  TotalAmt: 'payment.amount',
  'Line.LinkedTxn': 'payment.invoice',
  'Line.LinkedTxn.TxnId': 'payment.invoice',
};

export interface FaultContext {
  status: number;
  /** e.g. `POST /v3/company/1/invoice`: kept in `details` for logs, never in the message. */
  where: string;
}

/** `message=ThrottleExceeded; errorCode=003001; statusCode=429`: a gateway code line, not words for a person. */
const GATEWAY_LINE = /^\s*message=[^;]*;\s*errorCode=\d+;\s*statusCode=\d+\s*$/i;

/** What a business user reads when QuickBooks' own text is only a code line. */
const PLAIN_TEXT_BY_CODE: Readonly<Record<string, string>> = {
  '3001': 'QuickBooks is receiving too many requests from this app; the sync will try again shortly',
  '3100': 'QuickBooks no longer authorizes this app for the company',
  '120': 'QuickBooks no longer authorizes this app for the company',
  '3200': 'QuickBooks did not accept the sign-in for this company',
  '100': 'QuickBooks did not accept the sign-in for this company',
  '10000': 'QuickBooks had an internal error; the sync will try again',
};

/** `invoice` from `POST /v3/company/1/invoice?...`, for "could not save the invoice". */
function subjectOf(where: string): { action: string; entity: string | null } {
  const [method = '', path = ''] = where.split(' ');
  const resource = /\/v3\/company\/[^/]+\/([A-Za-z]+)/.exec(path)?.[1]?.toLowerCase() ?? null;
  if (resource === 'query' || resource === 'cdc') return { action: 'search', entity: null };
  if (resource === 'batch') return { action: 'save', entity: 'batch of changes' };
  if (resource === null || resource === 'companyinfo' || resource === 'preferences')
    return { action: method === 'GET' ? 'read' : 'save', entity: 'company settings' };
  return { action: method === 'GET' ? 'read' : 'save', entity: resource };
}

/**
 * The words of a Fault for a person: Message and Detail without the repeat QuickBooks adds (`Detail` usually starts
 * with `Message` and " : "), without gateway code lines, and without any API path or realm id.
 */
export function faultText(
  error: { code: string; message: string; detail: string | null } | undefined,
  realmId: string | null,
): string {
  const message = (error?.message ?? '').trim();
  let detail = (error?.detail ?? '').trim();
  const usable = (text: string) => text !== '' && !GATEWAY_LINE.test(text);
  const parts: string[] = [];
  if (usable(message)) parts.push(message.replace(/\s*[:.]\s*$/, ''));
  if (usable(detail)) {
    // "Duplicate Document Number Error : You must ..." -> "You must ..." when Message already says the first half.
    for (const part of parts) {
      if (detail.toLowerCase().startsWith(part.toLowerCase())) {
        detail = detail.slice(part.length).replace(/^\s*[:.-]\s*/, '');
      }
    }
    if (detail !== '' && !parts.some((p) => p.toLowerCase() === detail.toLowerCase())) parts.push(detail);
  }
  let text = parts.join(': ') || PLAIN_TEXT_BY_CODE[error?.code ?? ''] || '';
  text = text.replace(/\/v3\/company\/[^\s/]+(\/[^\s]*)?/g, 'QuickBooks');
  // Realm ids are long numbers (9130 3500 0000 0001); a short one would match ordinary numbers in the text.
  if (realmId && /^\d{6,}$/.test(realmId))
    text = text.replace(new RegExp(`\\b${realmId}\\b`, 'g'), 'this company');
  return text.replace(/\s{2,}/g, ' ').trim();
}

function realmOf(where: string): string | null {
  const realm = /\/v3\/company\/([^/?\s]+)/.exec(where)?.[1];
  return realm ? decodeURIComponent(realm) : null;
}

/**
 * Classifies one parsed Fault. The message is for the business user - what QuickBooks said, once, with no API path
 * or realm id; `details` keep the request, the status and every Fault error for logs. QuickBooks puts record names
 * and numbers in Message/Detail, never credentials (tokens only ever travel in the Authorization header).
 */
export function classifyQuickBooksFault(fault: ParsedFault, context: FaultContext): BlueClerkError {
  const first = fault.errors[0];
  const code = first?.code ?? '';
  const subject = subjectOf(context.where);
  const said = faultText(first, realmOf(context.where));
  const lead = subject.entity
    ? `QuickBooks could not ${subject.action} the ${subject.entity}`
    : `QuickBooks could not run the ${subject.action}`;
  const message = said ? `${lead}: ${said}` : `${lead} (QuickBooks error ${code || context.status})`;
  const base = {
    status: context.status,
    providerCode: code || undefined,
    details: {
      faultType: fault.type,
      element: first?.element ?? null,
      status: context.status,
      request: context.where,
      errors: fault.errors,
    },
  };
  switch (code) {
    case '6240':
      return new ProviderError('duplicate', message, {
        ...base,
        action:
          'Another customer, vendor or employee (or item) already uses this name; link to it or rename one.',
      });
    case '6140':
      return new ProviderError('duplicate', message, {
        ...base,
        action:
          'This invoice number is already used in QuickBooks; link to that invoice or change the number.',
      });
    case '610':
    case '2500':
      return new ProviderError('not_found', message, base);
    case '5010':
      return new ProviderError('conflict', message, {
        ...base,
        action: 'The record changed in QuickBooks meanwhile; re-read it and apply the change again.',
      });
    case '3001':
      return new RateLimitError(message, undefined, { details: base.details });
    case '100':
    case '3200':
      return new AuthError('unauthorized', message, { details: base.details });
    case '120':
    case '3100':
      return new AuthError('needs_reconnect', message, {
        details: base.details,
        action: 'The app is no longer authorized for this QuickBooks company; connect it again.',
      });
    case '6190':
      return new ProviderError('provider_error', message, {
        ...base,
        action:
          "The QuickBooks company's subscription has ended or is suspended; the owner must reactivate it.",
      });
    case '2020': {
      const element =
        first?.element ?? /parameter\s+(\S+)\s+is missing/i.exec(first?.detail ?? '')?.[1] ?? 'unknown';
      return new MissingFieldError(FIELD_BY_ELEMENT[element] ?? element, message, { details: base.details });
    }
    case '500':
      return new ProviderError('unsupported', message, base);
    case '10000':
      return new ProviderError('provider_error', message, { ...base, retryable: true });
    default:
      if (context.status === 429) return new RateLimitError(message, undefined, { details: base.details });
      if (context.status >= 500)
        return new ProviderError('provider_error', message, { ...base, retryable: true });
      if (context.status === 401) return new AuthError('unauthorized', message, { details: base.details });
      return new ProviderError('validation_failed', message, base);
  }
}

/**
 * The classifier to hand `createProviderHttp` (core handles 401 and 429 before it; it sees 2xx too): Fault bodies
 * become typed errors, whatever the status; anything else falls back to core's status-code classification.
 */
export const classifyQuickBooksResponse: ClassifyError = (response, bodyText, context) => {
  const fault = parseQuickBooksFault(bodyText);
  if (!fault || fault.errors.length === 0) {
    // A 2xx without a top-level Fault is a success (batch items carry their own Faults, read by the batch code).
    return response.ok ? null : withoutPath(defaultClassifyError(response, bodyText, context));
  }
  return classifyQuickBooksFault(fault, {
    status: response.status,
    where: `${context.method} ${context.path}`,
  });
};

/**
 * Core's status classification names the method and path in its message; a business user reads this message, so
 * the path (with the realm id) moves to `details`, where core already keeps it.
 */
function withoutPath(error: BlueClerkError): BlueClerkError {
  if (!ProviderError.isInstance(error)) return error;
  const status = error.status ?? 0;
  const what =
    status === 403
      ? 'QuickBooks refused access to this company'
      : status === 404
        ? 'QuickBooks could not find what was asked for'
        : status === 400 || status === 422
          ? 'QuickBooks rejected the request'
          : status === 408 || status >= 500
            ? `QuickBooks is having a problem (HTTP ${status}); the sync will try again`
            : `QuickBooks answered HTTP ${status}`;
  return new ProviderError(error.code as ConstructorParameters<typeof ProviderError>[0], what, {
    status,
    retryable: error.retryable,
    details: error.details,
    ...(error.action ? { action: error.action } : {}),
  });
}

/**
 * The provider's `classifyError`: anything an operation threw, as a core error. Already-typed errors pass through;
 * fetch failures become `NetworkError` (outcome unknown).
 */
export function classifyQuickBooksError(error: unknown): BlueClerkError {
  if (BlueClerkError.isInstance(error)) return error;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new NetworkError('timeout', `QuickBooks request did not finish: ${error.name}`);
  }
  // Only fetch's own transport failure is a network error. Any other TypeError is a bug or an unreadable body
  // (reading a field of undefined): retrying it as "network" would hide it and repeat writes for nothing.
  if (error instanceof TypeError && isFetchFailure(error)) {
    return new NetworkError('network', 'QuickBooks request failed before a response arrived');
  }
  if ((error as { name?: unknown } | null)?.name === 'ZodError') {
    return new ProviderError('malformed_response', 'QuickBooks sent a body the SDK cannot read', {
      cause: error,
    });
  }
  return new BlueClerkError('internal', 'Unexpected error in the QuickBooks provider', {
    details: { errorName: error instanceof Error ? error.name : typeof error },
  });
}

/** `fetch` rejects with `TypeError('fetch failed')` (undici) or `TypeError('Failed to fetch')` (browsers, edge). */
function isFetchFailure(error: TypeError): boolean {
  return /^(fetch failed|failed to fetch|network ?error|load failed)/i.test(error.message);
}
