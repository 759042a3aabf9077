import { AuthError, BlueClerkError, NetworkError, ProviderError, RateLimitError } from '../errors/index';
import type { ClassifyError } from '../http/types';
import { FakeWireError } from './fake-provider-store';

/** Operation names the fake knows, e.g. `payments.create`. `*` matches any operation. */
export type FakeOperation =
  | 'customers.list'
  | 'customers.get'
  | 'customers.findByEmail'
  | 'customers.create'
  | 'customers.update'
  | 'items.list'
  | 'items.get'
  | 'items.findBySku'
  | 'items.findByName'
  | 'items.create'
  | 'items.update'
  | 'invoices.list'
  | 'invoices.get'
  | 'invoices.findByNumber'
  | 'invoices.create'
  | 'invoices.update'
  | 'invoices.void'
  | 'payments.get'
  | 'payments.create'
  | 'payments.findByReference'
  | 'payments.listForInvoice'
  | 'batch'
  | 'pullChanges'
  | '*';

/**
 * A scripted fault. Applied to the next matching call(s), in the order injected.
 * - `fail`: throw `error` before touching state.
 * - `lose-response`: perform the write, then throw a timeout (the crash / lost-response window).
 * - `hang-after-commit`: perform the write, then never answer (a worker that died mid-call).
 * - `rate-limit`: throw `RateLimitError` before touching state.
 * - `stale-version`: another user edits the record first, so the caller's version is stale.
 * - `duplicate`: throw `ProviderError('duplicate')` before touching state.
 */
export type FakeFault =
  | { kind: 'fail'; error: unknown }
  | { kind: 'lose-response' }
  | { kind: 'hang-after-commit' }
  | { kind: 'rate-limit'; retryAfterMs?: number }
  | { kind: 'stale-version' }
  | { kind: 'duplicate' };

interface Scheduled {
  op: FakeOperation;
  fault: FakeFault;
  remaining: number;
}

/** The fault queue. */
export class FakeFaults {
  private readonly queue: Scheduled[] = [];

  /** Schedules `fault` for the next `times` (default 1) calls of `op`. */
  inject(op: FakeOperation, fault: FakeFault, times = 1): void {
    this.queue.push({ op, fault, remaining: times });
  }

  /** Takes the fault for this call, if any. */
  take(op: FakeOperation): FakeFault | null {
    const index = this.queue.findIndex((s) => s.op === op || s.op === '*');
    if (index < 0) return null;
    const scheduled = this.queue[index] as Scheduled;
    scheduled.remaining -= 1;
    if (scheduled.remaining <= 0) this.queue.splice(index, 1);
    return scheduled.fault;
  }

  /** Faults not yet consumed. */
  get pending(): number {
    return this.queue.length;
  }

  clear(): void {
    this.queue.length = 0;
  }
}

/** The error a pre-call fault throws, or null for faults that act after the write. */
export function preCallError(fault: FakeFault, op: string): unknown {
  switch (fault.kind) {
    case 'fail':
      return fault.error;
    case 'rate-limit':
      return new RateLimitError(`Fake provider throttled ${op}`, fault.retryAfterMs ?? 1000);
    case 'duplicate':
      return new ProviderError('duplicate', `Fake provider: duplicate on ${op}`, {
        status: 400,
        providerCode: 'DUP',
      });
    default:
      return null;
  }
}

export function lostResponseError(op: string): BlueClerkError {
  return new NetworkError('timeout', `Fake provider: response to ${op} was lost after it committed`);
}

/** Classifies wire errors the way a real provider's `errors.ts` does. */
export function classifyFakeError(error: unknown): BlueClerkError {
  if (BlueClerkError.isInstance(error)) return error;
  if (error instanceof FakeWireError) {
    const options = { status: error.status, providerCode: error.providerCode, cause: error };
    if (error.status === 401) return new AuthError('unauthorized', error.message, { cause: error });
    if (error.status === 403 || error.providerCode === 'invalid_grant') {
      return new AuthError('needs_reconnect', error.message, { cause: error });
    }
    if (error.status === 429) return new RateLimitError(error.message, undefined, { cause: error });
    if (error.status === 404) return new ProviderError('not_found', error.message, options);
    if (error.status === 409 || error.providerCode === '5010')
      return new ProviderError('conflict', error.message, options);
    if (error.providerCode === '6240' || error.providerCode === '6140') {
      return new ProviderError('duplicate', error.message, options);
    }
    if (error.status >= 500)
      return new ProviderError('provider_error', error.message, { ...options, retryable: true });
    return new ProviderError('validation_failed', error.message, options);
  }
  if (error instanceof Error && error.name === 'TimeoutError') {
    return new NetworkError('timeout', 'Fake provider request timed out', { cause: error });
  }
  if (error instanceof TypeError)
    return new NetworkError('network', 'Network request failed', { cause: error });
  return new BlueClerkError('internal', 'Unexpected error from the fake provider', { cause: error });
}

/**
 * The fake's wire format for a failure: `{ "error": { "code", "message" } }`, with any status - a 200 included,
 * the way GraphQL providers (Wave's `didSucceed: false`) report a refused mutation inside a success.
 */
export function fakeWireResponse(
  status: number,
  code: string,
  message: string,
): { status: number; body: { error: { code: string; message: string } } } {
  return { status, body: { error: { code, message } } };
}

function readFakeWireError(status: number, bodyText: string): FakeWireError | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return null;
  }
  const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (!error || typeof error.code !== 'string') return null;
  return new FakeWireError(
    status,
    error.code,
    typeof error.message === 'string' ? error.message : error.code,
  );
}

/**
 * The fake's `http.classifyResponse`: an error body becomes a typed error whatever the status; anything else is
 * left to core (accepted when 2xx, `defaultClassifyError` otherwise).
 */
export const classifyFakeResponse: ClassifyError = (response, bodyText) => {
  const wire = readFakeWireError(response.status, bodyText);
  return wire ? classifyFakeError(wire) : null;
};
