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

const FaultErrorSchema = z.looseObject({
  Message: z.string().optional(),
  Detail: z.string().optional(),
  code: z.union([z.string(), z.number()]).transform(String),
  element: z.string().nullish(),
});
export const QboFaultSchema = z.looseObject({
  Error: z.array(FaultErrorSchema).default([]),
  type: z.string().optional(),
});
export type QboFault = z.infer<typeof QboFaultSchema>;

export interface ParsedFault {
  type: string | null;
  errors: Array<{ code: string; message: string; detail: string | null; element: string | null }>;
}

/** Reads a Fault from a QuickBooks body: JSON `{"Fault":…}` (or the SDKs' lower-case `fault`) or the XML form. */
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
  const normalized =
    raw && typeof raw === 'object' && 'error' in raw && !('Error' in raw)
      ? {
          type: (raw as Record<string, unknown>).type,
          Error: ((raw as { error?: unknown[] }).error ?? []).map((e) => {
            const item = e as Record<string, unknown>;
            return { Message: item.message, Detail: item.detail, code: item.code, element: item.element };
          }),
        }
      : raw;
  const parsed = QboFaultSchema.safeParse(normalized);
  if (!parsed.success) return null;
  return {
    type: parsed.data.type ?? null,
    errors: parsed.data.Error.map((e) => ({
      code: e.code,
      message: e.Message ?? '',
      detail: e.Detail ?? null,
      element: e.element ? e.element : null,
    })),
  };
}

function parseXmlFault(text: string): ParsedFault | null {
  const type = /<Fault[^>]*type="([^"]*)"/.exec(text)?.[1] ?? null;
  const errors = [...text.matchAll(/<Error[^>]*code="([^"]*)"[^>]*>([\s\S]*?)<\/Error>/g)].map((m) => ({
    code: m[1] as string,
    message: /<Message>([\s\S]*?)<\/Message>/.exec(m[2] as string)?.[1] ?? '',
    detail: /<Detail>([\s\S]*?)<\/Detail>/.exec(m[2] as string)?.[1] ?? null,
    element: /element="([^"]*)"/.exec(m[0])?.[1] || null,
  }));
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
  /** e.g. `POST /v3/company/1/invoice`, for the message. */
  where: string;
}

/**
 * Classifies one parsed Fault. The message carries the Fault's own Message and Detail: QuickBooks puts record
 * names and numbers there, never credentials (tokens only ever travel in the Authorization header).
 */
export function classifyQuickBooksFault(fault: ParsedFault, context: FaultContext): BlueClerkError {
  const first = fault.errors[0];
  const code = first?.code ?? '';
  const text =
    [first?.message, first?.detail].filter(Boolean).join(': ') || `Fault ${fault.type ?? 'unknown'}`;
  const message = `QuickBooks ${context.where} failed (${code || context.status}): ${text}`;
  const base = {
    status: context.status,
    providerCode: code || undefined,
    details: { faultType: fault.type, element: first?.element ?? null },
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
    return response.ok ? null : defaultClassifyError(response, bodyText, context);
  }
  return classifyQuickBooksFault(fault, {
    status: response.status,
    where: `${context.method} ${context.path}`,
  });
};

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
