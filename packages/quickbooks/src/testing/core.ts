import type { Clock } from '@blueclerk/core';
import type { FaultInjector, OAuthServer, RateLimiter } from '@blueclerk/core/testing/simulator';
import { HttpResponse } from 'msw';
import type { SimFault } from './faults';
import type { RealmState } from './state';
import { type CompanyTimeZone, formatQboDateTime } from './wire-values';

/** Counters a test or bench reads back from the simulator. */
export interface SimulatorStats {
  /** API requests received (throttled and failed ones included; OAuth calls excluded). */
  requests: number;
  requestsByRealm: Record<string, number>;
  /** e.g. `POST invoice`, `GET query`, `POST batch`, `GET cdc`. */
  requestsByOperation: Record<string, number>;
  /** Entities created, by entity name (batch items included, replays excluded). */
  created: Record<string, number>;
  /** Requests answered 429. */
  throttled: number;
  /** Requests answered from the `requestid` cache instead of being executed again. */
  replayed: number;
  /** Faults switched on by a test that fired. */
  faultsFired: number;
  /** Highest number of requests in flight at once for any realm. */
  maxConcurrent: number;
  /** Token endpoint calls by grant type. */
  tokenRequests: Record<string, number>;
  /** `minorversion` values seen. */
  minorVersions: string[];
}

export function emptyStats(): SimulatorStats {
  return {
    requests: 0,
    requestsByRealm: {},
    requestsByOperation: {},
    created: {},
    throttled: 0,
    replayed: 0,
    faultsFired: 0,
    maxConcurrent: 0,
    tokenRequests: {},
    minorVersions: [],
  };
}

export interface SimCore {
  clock: Clock;
  realms: Map<string, RealmState>;
  oauth: OAuthServer;
  faults: FaultInjector;
  /** Per-realm windows and concurrency; its refusals are the 429 Fault 3001. */
  limiter: RateLimiter;
  /** Counters of the simulator itself; `throttled`, `faultsFired` and `maxConcurrent` come from the kit's parts. */
  stats: SimulatorStats;
  uniqueDocNumbers: boolean;
  /** The companies' clock for MetaData times, TxnDate defaults and the `time` of responses. */
  timeZone: CompanyTimeZone;
  /** `json`: the revoke endpoint takes only Intuit's documented JSON `{"token"}` body; `json-or-form` also RFC 7009 forms. */
  revokeRequests: 'json' | 'json-or-form';
  /** Refuse (Fault 4001) a where clause on a property QuickBooks does not filter on. */
  strictQueryFilters: boolean;
  /** The companies take online payments (QuickBooks Payments), so invoices that allow it get an `InvoiceLink`. */
  onlinePayments: boolean;
  /** The sandbox's app-wide window (older docs: 100 requests/min per app), keyed by client id; null in production. */
  appLimiter: RateLimiter | null;
  /** Extra latency per item of a batch request. */
  batchItemLatencyMs: number;
  defaultRealmId: string;
  /** Realm the browser-facing authorize endpoint grants next. */
  authorizeRealmId: string;
}

/** The public stats: the simulator's own counters plus those the limiter and the fault injector keep. */
export function snapshotStats(core: SimCore): SimulatorStats {
  const limiter = core.limiter.stats();
  return {
    ...structuredClone(core.stats),
    throttled: limiter.limited + (core.appLimiter?.stats().limited ?? 0),
    maxConcurrent: limiter.maxConcurrent,
    faultsFired: core.faults.stats().fired,
  };
}

export function resetStats(core: SimCore): void {
  core.stats = emptyStats();
  core.limiter.resetStats();
  core.appLimiter?.resetStats();
  core.faults.resetStats();
  core.oauth.resetStats();
}

export function bump(counter: Record<string, number>, key: string, by = 1): void {
  counter[key] = (counter[key] ?? 0) + by;
}

/** The `time` attribute of every IntuitResponse: company-local time with milliseconds. */
export function responseTime(core: SimCore): string {
  const now = core.clock.now();
  const base = formatQboDateTime(now, core.timeZone);
  const millis = String(now % 1000).padStart(3, '0');
  return `${base.slice(0, 19)}.${millis}${base.slice(19)}`;
}

function tid(): string {
  const buf = new Uint8Array(16);
  crypto.getRandomValues(buf);
  return [...buf].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function jsonResponse(body: unknown, status = 200): Response {
  // intuit_tid is what Intuit support asks for; clients log it with failures.
  return HttpResponse.json(body as Record<string, unknown>, { status, headers: { intuit_tid: tid() } });
}

export function faultResponse(core: SimCore, fault: SimFault): Response {
  if (fault.format === 'xml') {
    return new HttpResponse(faultXml(core, fault), {
      status: fault.status,
      headers: { 'content-type': 'application/xml', intuit_tid: tid() },
    });
  }
  if (fault.format === 'gateway') return jsonResponse(gatewayFaultBody(core, fault), fault.status);
  return jsonResponse({ Fault: fault.fault, time: responseTime(core) }, fault.status);
}

/** The gateway's envelope: every IntuitResponse member present, lower-case, nulls for what is absent. */
export function gatewayFaultBody(core: Pick<SimCore, 'clock'>, fault: SimFault): Record<string, unknown> {
  return {
    warnings: null,
    intuitObject: null,
    fault: {
      error: fault.fault.Error.map((e) => ({
        message: e.Message,
        detail: e.Detail ?? null,
        code: e.code,
        element: e.element ? e.element : null,
      })),
      type: fault.fault.type,
    },
    report: null,
    queryResponse: null,
    batchItemResponse: [],
    attachableResponse: [],
    syncErrorResponse: null,
    requestId: null,
    time: core.clock.now(),
    status: null,
    cdcresponse: [],
  };
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function faultXml(core: SimCore, fault: SimFault): string {
  const errors = fault.fault.Error.map(
    (e) =>
      `<Error code="${escapeXml(e.code)}"${e.element ? ` element="${escapeXml(e.element)}"` : ''}>` +
      `<Message>${escapeXml(e.Message)}</Message>` +
      (e.Detail ? `<Detail>${escapeXml(e.Detail)}</Detail>` : '') +
      '</Error>',
  ).join('');
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    `<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="${responseTime(core)}">` +
    `<Fault type="${escapeXml(fault.fault.type)}">${errors}</Fault></IntuitResponse>`
  );
}
