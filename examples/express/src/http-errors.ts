import { BlueClerkError, type ErrorCode, type Logger, redactText, ValidationError } from '@blueclerk/core';
import type { ErrorRequestHandler } from 'express';

/**
 * Errors as JSON: `{ error: { code, message, action } }`. `code` is the SDK's stable error code (switch on it in the
 * front end); `message` is the SDK's already-redacted message, passed through `redactText` once more; anything that
 * is not an SDK error becomes a generic `internal` so a library's raw text (which might hold a header or a token)
 * never reaches a client.
 */
const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  config_invalid: 500,
  validation_failed: 400,
  missing_field: 400,
  oauth_state_invalid: 400,
  oauth_exchange_failed: 400,
  webhook_signature_invalid: 401,
  not_found: 404,
  conflict: 409,
  duplicate: 409,
  lock_unavailable: 409,
  ledger_claim_lost: 409,
  lease_lost: 409,
  // The app's QuickBooks connection needs a human; the client's own request was fine.
  needs_reconnect: 409,
  token_invalid: 409,
  token_expired: 409,
  unauthorized: 409,
  rate_limited: 429,
  network: 502,
  timeout: 504,
  provider_error: 502,
  unsupported: 501,
};

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    action: string | null;
    /** Which fields were wrong, for `validation_failed`. */
    issues?: ReadonlyArray<{ path: string; message: string }>;
  };
}

export function errorBody(error: BlueClerkError): ErrorBody {
  const body: ErrorBody = {
    error: { code: error.code, message: redactText(error.message), action: error.action ?? null },
  };
  if (ValidationError.isInstance(error) && error.issues.length > 0) {
    body.error.issues = error.issues.map((issue) => ({
      path: issue.path,
      message: redactText(issue.message),
    }));
  }
  return body;
}

/** Maps an SDK error onto an HTTP status. */
export function statusFor(error: BlueClerkError): number {
  return STATUS_BY_CODE[error.code] ?? 500;
}

/**
 * Codes of the app's own HTTP layer, beside the SDK's: they are about the request itself, before any SDK call.
 * - `payload_too_large` (413): the body is over the route's limit (200 kB JSON, 1 MB webhook).
 * - `cross_site_request` (403): a state-changing request from another origin, or a form a page elsewhere could send.
 */
export type AppErrorCode = 'payload_too_large' | 'cross_site_request';

export function appErrorBody(code: AppErrorCode, message: string, action: string | null = null): ErrorBody {
  return { error: { code, message, action } };
}

/** What the body parsers (express.json / express.raw, i.e. body-parser) throw: an http-errors error with a `type`. */
interface BodyReadError {
  type: string;
  status: number;
  limit?: number;
}

function asBodyReadError(error: unknown): BodyReadError | null {
  if (typeof error !== 'object' || error === null) return null;
  const { type, status, limit } = error as { type?: unknown; status?: unknown; limit?: unknown };
  if (typeof type !== 'string' || typeof status !== 'number' || status < 400 || status > 499) return null;
  return { type, status, ...(typeof limit === 'number' ? { limit } : {}) };
}

/** A body that could not be read is the client's problem: its own status and a fixed message, never the parser's. */
function bodyReadReply(error: BodyReadError): { status: number; body: ErrorBody } {
  if (error.type === 'entity.too.large') {
    const limit = error.limit === undefined ? '' : ` of ${error.limit} bytes`;
    return {
      status: 413,
      body: appErrorBody(
        'payload_too_large',
        `The request body is over this route's limit${limit}`,
        'Send a smaller request body.',
      ),
    };
  }
  const message =
    error.type === 'entity.parse.failed'
      ? 'The request body is not valid JSON'
      : 'The request body could not be read';
  return {
    status: error.type === 'entity.parse.failed' ? 400 : error.status,
    body: { error: { code: 'validation_failed', message, action: null } },
  };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (BlueClerkError.isInstance(error)) {
      const status = statusFor(error);
      if (status >= 500) logger.log('error', 'request failed', { path: req.path, code: error.code });
      res.status(status).json(errorBody(error));
      return;
    }
    const bodyError = asBodyReadError(error);
    if (bodyError) {
      const { status, body } = bodyReadReply(bodyError);
      res.status(status).json(body);
      return;
    }
    // Only the error's class reaches the log: its message may hold anything.
    logger.log('error', 'unexpected error', {
      path: req.path,
      name: error instanceof Error ? error.name : typeof error,
    });
    res.status(500).json({
      error: { code: 'internal', message: 'Something went wrong on our side', action: 'Try again later.' },
    });
  };
}
