import { abortableDelay, describeRequest } from '@blueclerk/core/testing/simulator';
import { runBatch } from './batch';
import { runCdc } from './cdc';
import { bump, faultResponse, jsonResponse, responseTime, type SimCore } from './core';
import { type WriteOperation, writeBody, writeEntity } from './entities';
import { faults, type SimFault } from './faults';
import { parseQuery, runQuery, unfilterableField } from './query';
import { isObject, liveRecord, type WriteContext } from './records';
import { ENTITY_BY_PATH, type RealmState, type WireObject } from './state';

/** What a routed request produced, before fault switches decide whether the client gets to see it. */
interface Routed {
  status: number;
  body: unknown;
  /** Whether this request changed state (only then do "lost response" faults apply). */
  wrote: boolean;
}

const MAX_REQUEST_ID = 50;
const MAX_BATCH_REQUEST_ID = 36;

/** Handles `{base}/v3/company/{realmId}/...`: auth, then the realm's rate windows, latency and faults, then routing. */
export async function handleApiRequest(core: SimCore, request: Request, realmId: string): Promise<Response> {
  const url = new URL(request.url);
  const prefix = `/v3/company/${realmId}/`;
  const rest = url.pathname.slice(url.pathname.indexOf(prefix) + prefix.length);
  const segments = rest.split('/').filter(Boolean);
  const resource = (segments[0] ?? '').toLowerCase();
  const stats = core.stats;
  stats.requests += 1;
  bump(stats.requestsByRealm, realmId);
  bump(stats.requestsByOperation, `${request.method} ${resource}`);
  const minor = url.searchParams.get('minorversion');
  if (minor && !stats.minorVersions.includes(minor)) stats.minorVersions.push(minor);

  const bearer = core.oauth.verifyAccessToken(request);
  if (!bearer.ok) return bearer.response;
  if (bearer.token.grant.realmId !== realmId) return faultResponse(core, faults.authorization());
  const realm = core.realms.get(realmId);
  if (!realm) return faultResponse(core, faults.authorization());

  const info = describeRequest(request, realmId);
  const run = () =>
    core.limiter.run(realmId, info, () =>
      core.faults.run(request, info, async () => {
        const routed = await route(core, realm, request, url, segments);
        return { response: jsonResponse(routed.body, routed.status), committed: routed.wrote };
      }),
    );
  // The sandbox's window counts every company of the app together.
  return core.appLimiter ? core.appLimiter.run(bearer.token.clientId, info, run) : run();
}

function faultResult(core: SimCore, fault: SimFault): Routed {
  return { status: fault.status, body: { Fault: fault.fault, time: responseTime(core) }, wrote: false };
}

async function route(
  core: SimCore,
  realm: RealmState,
  request: Request,
  url: URL,
  segments: string[],
): Promise<Routed> {
  const resource = (segments[0] ?? '').toLowerCase();
  const method = request.method.toUpperCase();
  const ctx: WriteContext = {
    realm,
    now: core.clock.now(),
    uniqueDocNumbers: core.uniqueDocNumbers,
    timeZone: core.timeZone,
  };

  if (resource === 'query' && (method === 'GET' || method === 'POST')) {
    const text = method === 'GET' ? url.searchParams.get('query') : await request.text();
    if (!text) return faultResult(core, faults.requiredParam('query'));
    const parsed = parseQuery(text);
    if (!parsed.ok) return faultResult(core, parsed.fault);
    const refused = core.strictQueryFilters ? unfilterableField(parsed.query) : null;
    if (refused) return faultResult(core, faults.notQueryable(parsed.query.entity, refused));
    return {
      status: 200,
      body: { QueryResponse: runQuery(realm, parsed.query), time: responseTime(core) },
      wrote: false,
    };
  }
  if (resource === 'cdc' && method === 'GET') {
    const result = runCdc(
      realm,
      url.searchParams.get('entities'),
      url.searchParams.get('changedSince'),
      ctx.now,
    );
    if (!result.ok) return faultResult(core, result.fault);
    return { status: 200, body: { ...result.body, time: responseTime(core) }, wrote: false };
  }
  if (resource === 'companyinfo' && method === 'GET') {
    return {
      status: 200,
      body: {
        CompanyInfo: {
          Id: realm.realmId,
          CompanyName: `Sandbox Company ${realm.realmId}`,
          Country: 'US',
          domain: 'QBO',
        },
        time: responseTime(core),
      },
      wrote: false,
    };
  }
  if (resource === 'preferences' && method === 'GET') {
    // Only what the SDK reads; a real Preferences object has many more sections (AccountingInfoPrefs ...).
    return {
      status: 200,
      body: {
        Preferences: {
          Id: '1',
          SyncToken: '0',
          CurrencyPrefs: {
            MultiCurrencyEnabled: false,
            HomeCurrency: { value: realm.homeCurrency },
          },
          domain: 'QBO',
        },
        time: responseTime(core),
      },
      wrote: false,
    };
  }
  if (resource === 'batch' && method === 'POST') {
    return withRequestId(core, realm, url, MAX_BATCH_REQUEST_ID, async () => {
      const body = await readJson(request);
      if (body === undefined) return faultResult(core, faults.badRequest('Request body is not valid JSON'));
      const result = runBatch(core, ctx, body, { withRequestId: url.searchParams.has('requestid') });
      if (!result.ok) return faultResult(core, result.fault);
      // Server-side work grows with the batch; benches model it so a batch is not free.
      await abortableDelay(
        (result.body.BatchItemResponse as unknown[]).length * core.batchItemLatencyMs,
        request.signal,
      );
      return { status: 200, body: { ...result.body, time: responseTime(core) }, wrote: true };
    });
  }
  const entity = ENTITY_BY_PATH[resource];
  if (entity && method === 'GET' && segments[1]) {
    const record = liveRecord(realm, entity, segments[1]);
    if (!record) return faultResult(core, faults.notFound(entity, segments[1]));
    return {
      status: 200,
      body: { [entity]: withInvoiceLink(core, realm, url, entity, record.data), time: responseTime(core) },
      wrote: false,
    };
  }
  if (entity && method === 'POST' && !segments[1]) {
    return withRequestId(core, realm, url, MAX_REQUEST_ID, async () => {
      const body = await readJson(request);
      if (body === undefined) return faultResult(core, faults.badRequest('Request body is not valid JSON'));
      const operation = writeOperation(url, body);
      if (!operation)
        return faultResult(core, faults.unsupportedOperation(String(url.searchParams.get('operation'))));
      const result = writeEntity(ctx, entity, operation, body);
      if (!result.ok) return faultResult(core, result.fault);
      if (operation === 'create') bump(core.stats.created, entity);
      return {
        status: 200,
        body: {
          [entity]: result.record.deleted
            ? writeBody(result.record)
            : withInvoiceLink(core, realm, url, entity, result.record.data),
          time: responseTime(core),
        },
        wrote: true,
      };
    });
  }
  return faultResult(
    core,
    faults.unsupportedOperation(`Could not find resource for relative : /${segments.join('/')} (${method})`),
  );
}

/** `include=invoiceLink` needs minorversion 36 or later [Intuit Invoice reference]. */
const INVOICE_LINK_MINOR_VERSION = 36;

/**
 * QuickBooks adds `InvoiceLink` (the customer's online payment page) only when the request asks for it with
 * `include=invoiceLink` and minorversion >= 36, the company takes online payments, and the invoice has a BillEmail
 * and allows card or ACH payment. The link stays the same for the invoice's life.
 */
function withInvoiceLink(
  core: SimCore,
  realm: RealmState,
  url: URL,
  entity: string,
  data: WireObject,
): WireObject {
  if (entity !== 'Invoice') return data;
  const asked = (url.searchParams.get('include') ?? '').toLowerCase().split(',').includes('invoicelink');
  const minor = Number(url.searchParams.get('minorversion') ?? '0');
  const email = isObject(data.BillEmail) ? data.BillEmail.Address : undefined;
  const online = data.AllowOnlineCreditCardPayment === true || data.AllowOnlineACHPayment === true;
  const voided = data.PrivateNote === 'Voided' && data.TotalAmt === 0;
  if (
    !asked ||
    minor < INVOICE_LINK_MINOR_VERSION ||
    !core.onlinePayments ||
    typeof email !== 'string' ||
    !online ||
    voided
  )
    return data;
  const id = String(data.Id);
  let link = realm.invoiceLinks.get(id);
  if (!link) {
    const token = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
      b.toString(16).padStart(2, '0'),
    ).join('');
    link = `https://connect.intuit.com/t/scs-v1-${token}`;
    realm.invoiceLinks.set(id, link);
  }
  return { ...data, InvoiceLink: link };
}

export function writeOperation(url: URL, body: unknown): WriteOperation | null {
  const op = url.searchParams.get('operation')?.toLowerCase();
  if (op === 'delete' || op === 'void') return op;
  if (url.searchParams.get('include')?.toLowerCase() === 'void') return 'void';
  if (op !== undefined && op !== 'update' && op !== 'create') return null;
  return isObject(body) && body.Id !== undefined ? 'update' : 'create';
}

async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    return undefined;
  }
}

/**
 * `requestid` semantics: the first response to a requestid is stored and any later request with the same id gets
 * that response back without executing again - what makes a retried create safe. A duplicate that arrives while the
 * original is still running waits for it rather than executing twice (core's replay cache).
 */
async function withRequestId(
  core: SimCore,
  realm: RealmState,
  url: URL,
  maxLength: number,
  execute: () => Promise<Routed>,
): Promise<Routed> {
  const requestId = url.searchParams.get('requestid');
  if (requestId === null) return execute();
  if (requestId === '' || requestId.length > maxLength) {
    return faultResult(core, faults.badRequest(`requestid must be 1-${maxLength} characters`));
  }
  const outcome = await realm.requestIds.run(requestId, execute);
  if (!outcome.replayed) return outcome.value;
  core.stats.replayed += 1;
  return { status: outcome.value.status, body: outcome.value.body, wrote: false };
}
