import { type BlueClerkError, NetworkError, ProviderError, RateLimitError } from '../errors/index';

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
