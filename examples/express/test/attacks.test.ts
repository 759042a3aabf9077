import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { sendQuickBooksWebhook } from '@blueclerk/quickbooks/testing';
import type { RequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAccount } from '../src/account';
import { loadConfig } from '../src/config';
import { SIMULATOR_CONSENT_PATH } from '../src/simulator';
import { listeningUrl, type RunningServer, startServer } from '../src/start';
import { connectQuickBooks, startTestApp, type TestApp } from './support';

/**
 * Issue 11, item 9: the Express example tried as an attacker would, over a real port. Each test is named after the
 * attack and failed on the app before its fix.
 */

interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes
  body: any;
}

/**
 * One request with exactly the headers given (node:http: fetch would refuse or rewrite Host, and a browser sets
 * Origin, Referer and form content types that a test has to forge by hand).
 */
function send(
  base: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawReply> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: `${url.pathname}${url.search}`,
        headers: options.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const json = (res.headers['content-type'] ?? '').includes('json');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: json ? JSON.parse(text) : text,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const json = (value: unknown) => ({
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

function expectErrorShape(reply: RawReply, code: string) {
  expect(reply.headers['content-type']).toMatch(/^application\/json/);
  expect(Object.keys(reply.body).sort()).toEqual(['error']);
  expect(Object.keys(reply.body.error).sort()).toEqual(['action', 'code', 'message']);
  expect(reply.body.error.code).toBe(code);
  expect(typeof reply.body.error.message).toBe('string');
  expect(reply.body.error.action === null || typeof reply.body.error.action === 'string').toBe(true);
}

describe('attacks on the Express example (simulator mode, over HTTP)', () => {
  let t: TestApp;
  let connectionId: string;
  let invoiceId: string;

  beforeAll(async () => {
    t = await startTestApp();
    connectionId = await connectQuickBooks(t);
    const customerId = (await t.call('GET', '/customers')).body.customers[0].id;
    const created = await t.call('POST', '/invoices', {
      customerId,
      status: 'OPEN',
      lines: [{ description: 'Labour', quantity: 1, unitPrice: 8_000 }],
    });
    expect(created.body.sync).toMatchObject({ status: 'synced' });
    invoiceId = created.body.invoice.id;
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('oversized bodies', () => {
    it('a JSON body over the 200 kB limit answers 413 in the JSON error shape, not 500', async () => {
      const reply = await send(t.base, 'POST', '/invoices', json({ memo: 'x'.repeat(300_000), lines: [] }));
      expect(reply.status).toBe(413);
      expectErrorShape(reply, 'payload_too_large');
    });

    it('a webhook body over the 1 MB limit answers 413, not 500', async () => {
      const reply = await send(t.base, 'POST', '/webhooks/quickbooks', {
        headers: { 'content-type': 'application/json', 'intuit-signature': 'AAAA' },
        body: Buffer.alloc(1_100_000, 0x20),
      });
      expect(reply.status).toBe(413);
      expectErrorShape(reply, 'payload_too_large');
    });
  });

  describe('resync of an invoice that does not exist', () => {
    it('answers 404 not_found, not 200 with a failure, and calls nothing in QuickBooks', async () => {
      const before = t.sim.realm().list('Invoice').length;
      const reply = await t.call('POST', '/invoices/inv_does_not_exist/resync');
      expect(reply.status).toBe(404);
      expect(reply.body.error).toMatchObject({ code: 'not_found' });
      expect(reply.body.sync).toBeUndefined();
      expect(t.sim.realm().list('Invoice')).toHaveLength(before);
    });

    it('still resyncs an invoice that exists', async () => {
      const reply = await t.call('POST', `/invoices/${invoiceId}/resync`);
      expect(reply.status).toBe(200);
      expect(reply.body.sync).toMatchObject({ status: 'synced' });
    });
  });

  describe('Host header injection into redirects', () => {
    const forged = { host: 'evil.test', 'x-forwarded-host': 'evil.test', 'x-forwarded-proto': 'https' };

    it('a forged Host header does not reach the connect URL (POST) or the connect redirect (GET)', async () => {
      const posted = await send(t.base, 'POST', '/integrations/quickbooks/connect', {
        headers: { ...forged, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(posted.status).toBe(200);
      expect(posted.body.url.startsWith(`${t.base}${SIMULATOR_CONSENT_PATH}?`)).toBe(true);

      const linked = await send(t.base, 'GET', '/integrations/quickbooks/connect', { headers: forged });
      expect(linked.status).toBe(302);
      expect(linked.headers.location?.startsWith(`${t.base}${SIMULATOR_CONSENT_PATH}?`)).toBe(true);
      expect(JSON.stringify([posted.body, linked.headers])).not.toContain('evil.test');
    });

    it('the relay sends the browser back to the configured redirect URI, whatever the Host', async () => {
      const linked = await send(t.base, 'GET', '/integrations/quickbooks/connect', { headers: forged });
      const relayed = await send(t.base, 'GET', linked.headers.location ?? '', { headers: forged });
      expect(relayed.status).toBe(302);
      const callback = new URL(relayed.headers.location ?? '');
      expect(`${callback.origin}${callback.pathname}`).toBe(`${t.base}/oauth/quickbooks/callback`);
    });
  });

  describe('cross-site request forgery', () => {
    const evil = 'https://evil.test';

    it('a cross-site form POST to /integrations/:id/import answers 403 and imports nothing', async () => {
      const before = (await t.call('GET', '/integrations')).body.integrations[0].import;
      const reply = await send(t.base, 'POST', `/integrations/${connectionId}/import`, {
        headers: {
          origin: evil,
          referer: `${evil}/page`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'restart=true',
      });
      expect(reply.status).toBe(403);
      expectErrorShape(reply, 'cross_site_request');
      const after = (await t.call('GET', '/integrations')).body.integrations[0].import;
      expect(after.startedAt).toBe(before.startedAt);
    });

    it('a state-changing request whose Origin is another site answers 403 (POST, PUT, PATCH, DELETE)', async () => {
      // The guard sits in front of every route: a method the app has no route for is refused before the 404.
      for (const [method, path] of [
        ['POST', `/integrations/${connectionId}/disconnect`],
        ['PUT', `/invoices/${invoiceId}`],
        ['PATCH', `/invoices/${invoiceId}/status`],
        ['DELETE', `/invoices/${invoiceId}`],
      ] as const) {
        const body = json({ status: 'VOID' });
        const reply = await send(t.base, method, path, {
          ...body,
          headers: { ...body.headers, origin: evil },
        });
        expect(reply.status, `${method} ${path}`).toBe(403);
        expectErrorShape(reply, 'cross_site_request');
      }
      const listed = (await t.call('GET', '/integrations')).body.integrations;
      expect(listed[0].connectionStatus).toBe('active');
      expect((await t.call('GET', `/invoices/${invoiceId}`)).body.invoice.status).toBe('OPEN');
    });

    it('a sibling origin (other port, other scheme, a look-alike host) answers 403', async () => {
      const own = new URL(t.base);
      for (const origin of [
        `http://${own.hostname}:${Number(own.port) + 1}`,
        `https://${own.host}`,
        `http://${own.hostname}.evil.test:${own.port}`,
        'null',
      ]) {
        const reply = await send(t.base, 'POST', `/invoices/${invoiceId}/resync`, {
          headers: { origin },
        });
        expect(reply.status, origin).toBe(403);
      }
    });

    it('without an Origin, a Referer from another site answers 403', async () => {
      const reply = await send(t.base, 'POST', `/invoices/${invoiceId}/resync`, {
        headers: { referer: `${evil}/invoices` },
      });
      expect(reply.status).toBe(403);
      expectErrorShape(reply, 'cross_site_request');
    });

    it('a cross-site form content type answers 403 even with Origin and Referer stripped', async () => {
      for (const type of [
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'text/plain;charset=UTF-8',
      ]) {
        const reply = await send(t.base, 'POST', `/integrations/${connectionId}/import`, {
          headers: { 'content-type': type },
          body: 'restart=true',
        });
        expect(reply.status, type).toBe(403);
        expectErrorShape(reply, 'cross_site_request');
      }
    });

    it("serves the app's own origin, and API clients that send no Origin (curl)", async () => {
      const own = await send(t.base, 'POST', `/invoices/${invoiceId}/resync`, {
        headers: { origin: t.base, referer: `${t.base}/invoices` },
      });
      expect(own.status).toBe(200);
      const sameOriginReferer = await send(t.base, 'POST', `/invoices/${invoiceId}/resync`, {
        headers: { referer: `${t.base}/invoices/${invoiceId}` },
      });
      expect(sameOriginReferer.status).toBe(200);
      const curl = await send(t.base, 'POST', `/invoices/${invoiceId}/resync`);
      expect(curl.status).toBe(200);
    });

    it('keeps the webhook route exempt: the signature decides, not the Origin', async () => {
      const delivered = await sendQuickBooksWebhook({
        url: `${t.base}/webhooks/quickbooks`,
        verifierToken: t.secrets.verifier,
        format: 'cloudevents',
        notifications: [{ realmId: t.sim.defaultRealmId, changes: [] }],
      });
      expect(delivered.response.status).toBe(200);
      const crossSite = await send(t.base, 'POST', '/webhooks/quickbooks', {
        headers: { origin: evil, 'content-type': 'text/plain', 'intuit-signature': delivered.signature },
        body: delivered.body,
      });
      expect(crossSite.status).toBe(200);
      const forged = await send(t.base, 'POST', '/webhooks/quickbooks', {
        headers: { origin: evil, 'content-type': 'text/plain', 'intuit-signature': 'AAAA' },
        body: delivered.body,
      });
      expect(forged.status).toBe(401);
      expect(forged.body.error.code).toBe('webhook_signature_invalid');
    });

    it('keeps the GET connect link working when followed from another site', async () => {
      const reply = await send(t.base, 'GET', '/integrations/quickbooks/connect?returnTo=/integrations', {
        headers: { referer: `${evil}/`, 'sec-fetch-site': 'cross-site' },
      });
      expect(reply.status).toBe(302);
      expect(reply.headers['set-cookie']?.[0]).toMatch(/^blueclerk_oauth_quickbooks=/);
    });
  });
});

describe('attacks on the Express example (real mode, startServer)', () => {
  const KEY = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
  const env = {
    PORT: '0',
    QUICKBOOKS_CLIENT_ID: 'ABntYqjGx7a9Wm4dFzL1oQ8cR3vK5sT2bH6n',
    QUICKBOOKS_CLIENT_SECRET: 'Zq8vT1kLmN3pR7sW9xYb2cD4eF6gH0jA',
    QUICKBOOKS_REDIRECT_URI: 'https://books.blueclerk.dev/oauth/quickbooks/callback',
    QUICKBOOKS_WEBHOOK_VERIFIER: 'f3b9c1d7-verifier-8a2e4c6b0d9f',
    BLUECLERK_ENCRYPTION_KEYS: `k1:${KEY}`,
    OAUTH_STATE_SECRET: 'q7Lm2Xv9Rt4Np8Kc3Wz6Hs1Fd5Gb0Jy7Ue2Ao',
    BLUECLERK_PGLITE_DIR: 'memory://',
  };
  let running: RunningServer | undefined;

  afterAll(async () => {
    await running?.close();
  });

  it('does not listen on every interface while printing 127.0.0.1: it binds 127.0.0.1 and says so', async () => {
    running = await startServer(loadConfig(env));
    const address = running.server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
    expect(address.address).toBe('127.0.0.1');
    expect(running.url).toBe(`http://127.0.0.1:${address.port}`);
    // Linux answers on all of 127/8 for a wildcard bind; bound to 127.0.0.1, another address is refused.
    if (process.platform === 'linux') {
      const reached = await new Promise<boolean>((resolve) => {
        const socket = tcpConnect({ host: '127.0.0.2', port: address.port });
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
      expect(reached).toBe(false);
    }
    await running.close();
    running = undefined;
  });

  it('reports the address it really listens on, wildcard and IPv6 included', () => {
    expect(listeningUrl({ address: '127.0.0.1', port: 3000 })).toBe('http://127.0.0.1:3000');
    expect(listeningUrl({ address: '0.0.0.0', port: 3000 })).toBe('http://0.0.0.0:3000');
    expect(listeningUrl({ address: '::', port: 8080 })).toBe('http://[::]:8080');
    expect(listeningUrl({ address: '::1', port: 8080 })).toBe('http://[::1]:8080');
  });

  it('an unauthenticated request reaches no account once the app plugs in its own auth', async () => {
    // The app's own session check: here a header stands in for a session cookie.
    const authenticate: RequestHandler = (req, res, next) => {
      const session = req.get('x-test-session');
      if (!session) {
        res.status(401).json({ error: { code: 'unauthenticated', message: 'Sign in first', action: null } });
        return;
      }
      setAccount(res, `acct_${session}`);
      next();
    };
    running = await startServer(loadConfig(env), { authenticate });
    const anonymous = await send(running.url, 'GET', '/integrations');
    expect(anonymous.status).toBe(401);
    const signedIn = await send(running.url, 'GET', '/integrations', { headers: { 'x-test-session': 'a' } });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toEqual({ integrations: [] });
    // Webhooks carry no session: the signature is their authentication.
    const webhook = await send(running.url, 'POST', '/webhooks/quickbooks', {
      headers: { 'content-type': 'application/json', 'intuit-signature': 'AAAA' },
      body: '{}',
    });
    expect(webhook.status).toBe(401);
    expect(webhook.body.error.code).toBe('webhook_signature_invalid');
    await running.close();
    running = undefined;
  });
});
