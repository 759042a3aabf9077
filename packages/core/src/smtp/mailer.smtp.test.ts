import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BlueClerkError,
  ConfigurationError,
  NetworkError,
  ProviderError,
  ValidationError,
} from '../errors/index';
import { createSyncNotifier } from '../notifications/index';
import { createManualClock } from '../runtime/index';
import { createMemoryStorage } from '../storage/memory/index';
import { createSmtpMailer, type SmtpMailer } from './mailer';
import { startTestSmtpServer, type TestSmtpServer } from './smtp-test-server';

const FROM = 'BlueClerk Alerts <alerts@blueclerk.dev>';
const PASSWORD = 'Smtp-pa55-7f3e9c1b2d';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function server(options?: Parameters<typeof startTestSmtpServer>[0]): Promise<TestSmtpServer> {
  const started = await startTestSmtpServer(options);
  cleanups.push(() => started.close());
  return started;
}

function mailer(port: number, extra: Partial<Parameters<typeof createSmtpMailer>[0]> = {}): SmtpMailer {
  const created = createSmtpMailer({
    host: '127.0.0.1',
    port,
    secure: false,
    from: FROM,
    timeoutMs: 5000,
    ...extra,
  });
  cleanups.push(() => created.close());
  return created;
}

async function rejection(promise: Promise<unknown>): Promise<BlueClerkError> {
  try {
    await promise;
  } catch (error) {
    if (BlueClerkError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the promise to reject');
}

describe('createSmtpMailer against a real SMTP server', () => {
  it('delivers to every recipient with subject, sender, text and html', async () => {
    const smtp = await server();
    const receipt = await mailer(smtp.port).send({
      to: ['owner@acme.dev', 'books@acme.dev'],
      subject: 'QuickBooks needs to be reconnected',
      text: 'What to do: Reconnect QuickBooks in Settings > Integrations.',
      html: '<p>Reconnect QuickBooks</p>',
    });

    expect(receipt.messageId).toMatch(/^<.+@.+>$/);
    expect(receipt.accepted).toEqual(['owner@acme.dev', 'books@acme.dev']);
    expect(receipt.rejected).toEqual([]);
    expect(smtp.messages).toHaveLength(1);
    const [mail] = smtp.messages;
    expect(mail?.from).toBe('alerts@blueclerk.dev');
    expect(mail?.to).toEqual(['owner@acme.dev', 'books@acme.dev']);
    expect(mail?.header('subject')).toBe('QuickBooks needs to be reconnected');
    expect(mail?.header('from')).toBe('BlueClerk Alerts <alerts@blueclerk.dev>');
    expect(mail?.header('to')).toBe('owner@acme.dev, books@acme.dev');
    expect(mail?.header('message-id')).toBe(receipt.messageId);
    expect(mail?.header('content-type')).toMatch(/^multipart\/alternative/);
    expect(mail?.body).toContain('What to do: Reconnect QuickBooks in Settings > Integrations.');
    expect(mail?.body).toContain('<p>Reconnect QuickBooks</p>');
  });

  it('logs in when the server requires it, and reports a refused login without the password', async () => {
    const smtp = await server({ auth: { user: 'alerts', pass: PASSWORD } });
    await mailer(smtp.port, { auth: { user: 'alerts', pass: PASSWORD } }).send({
      to: ['owner@acme.dev'],
      subject: 'hello',
      text: 'body',
    });
    expect(smtp.messages[0]?.user).toBe('alerts');

    const wrong = 'Wrong-pa55-0a9b8c7d6e';
    const error = await rejection(
      mailer(smtp.port, { auth: { user: 'alerts', pass: wrong } }).send({
        to: ['owner@acme.dev'],
        subject: 's',
        text: 't',
      }),
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).setting).toBe('smtp.auth');
    expect(error.message).toContain('535');
    const everything = `${error.message} ${error.stack} ${JSON.stringify(error.details)} ${String(error.cause)}`;
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(PASSWORD);
    expect(smtp.messages).toHaveLength(1);
  });

  it('rejects with a permanent ProviderError when the only recipient is refused', async () => {
    const smtp = await server({ rejectRecipients: ['gone@acme.dev'] });
    const error = await rejection(
      mailer(smtp.port).send({ to: ['gone@acme.dev'], subject: 'hello', text: 'body' }),
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).status).toBe(550);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('550');
    expect(smtp.messages).toHaveLength(0);
  });

  it('reports refused recipients when others were accepted', async () => {
    const smtp = await server({ rejectRecipients: ['gone@acme.dev'] });
    const receipt = await mailer(smtp.port).send({
      to: ['gone@acme.dev', 'owner@acme.dev'],
      subject: 'hello',
      text: 'body',
    });
    expect(receipt.accepted).toEqual(['owner@acme.dev']);
    expect(receipt.rejected).toEqual(['gone@acme.dev']);
    expect(smtp.messages[0]?.to).toEqual(['owner@acme.dev']);
  });

  it('marks a temporary rejection of the message (4xx) as retryable', async () => {
    const smtp = await server({ rejectData: { code: 451, message: '4.7.1 Greylisted, try again later' } });
    const error = await rejection(
      mailer(smtp.port).send({ to: ['owner@acme.dev'], subject: 's', text: 't' }),
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).status).toBe(451);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('Greylisted');
  });

  it('reports a refused connection as a NetworkError', async () => {
    const smtp = await startTestSmtpServer();
    const port = smtp.port;
    await smtp.close();
    const error = await rejection(mailer(port).send({ to: ['owner@acme.dev'], subject: 's', text: 't' }));
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.code).toBe('network');
    expect(error.retryable).toBe(true);
  });

  it('reports a server that never greets as a timeout', async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          silent.close(() => resolve());
        }),
    );
    const port = (silent.address() as AddressInfo).port;
    const error = await rejection(
      mailer(port, { timeoutMs: 200 }).send({ to: ['owner@acme.dev'], subject: 's', text: 't' }),
    );
    expect(error.code).toBe('timeout');
  });

  it('refuses an invalid message before connecting', async () => {
    const smtp = await server();
    const error = await rejection(
      mailer(smtp.port).send({ to: ['not an address'], subject: 'Line one\r\nBcc: victim@x.dev', text: 't' }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path).sort()).toEqual(['subject', 'to.0']);
    expect(smtp.messages).toHaveLength(0);
  });
});

describe('createSmtpMailer config', () => {
  it('rejects placeholders, bad ports and bad senders, naming the setting and not the value', () => {
    const base = { host: 'smtp.acme.dev', port: 587, secure: false, from: FROM };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, auth: { user: 'alerts', pass: 'your-smtp-password' } }, 'smtp.auth.pass'],
      [{ ...base, auth: { user: '', pass: PASSWORD } }, 'smtp.auth.user'],
      [{ ...base, host: '  ' }, 'smtp.host'],
      [{ ...base, port: 0 }, 'smtp.port'],
      [{ ...base, port: 70000 }, 'smtp.port'],
      [{ ...base, from: 'alerts at acme' }, 'smtp.from'],
    ];
    for (const [config, setting] of cases) {
      try {
        createSmtpMailer(config as unknown as Parameters<typeof createSmtpMailer>[0]);
        expect.unreachable(`accepted ${setting}`);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigurationError);
        expect((error as ConfigurationError).setting).toBe(setting);
        expect((error as Error).message).toContain(setting);
        expect((error as Error).message).not.toContain('your-smtp-password');
        expect((error as Error).message).not.toContain(PASSWORD);
      }
    }
  });
});

describe('sync alerts over SMTP', () => {
  it('emails a sync failure through the notifier to a real server, with no secret in it', async () => {
    const smtp = await server();
    const clock = createManualClock();
    const storage = createMemoryStorage({ clock });
    const connection = await storage.connections.createConnection({
      provider: 'quickbooks',
      ownerId: 'acme',
    });
    const notifier = createSyncNotifier({
      providerNames: { quickbooks: 'QuickBooks' },
      storage,
      clock,
      mailer: mailer(smtp.port),
      settings: { emailAlerts: { enabled: true, to: ['owner@acme.dev'] } },
    });
    const outcome = await notifier.handle({
      type: 'sync.failed',
      ownerId: 'acme',
      connectionId: connection.id,
      provider: 'quickbooks',
      at: clock.now(),
      entityType: 'invoice',
      localId: 'INV-1001',
      category: 'token_expired',
      code: 'token_expired',
      message: 'QuickBooks rejected refresh_token=RT-1a2b3c4d5e6f7a8b9c0d',
      action: '',
      retryable: false,
    });

    expect(outcome.email).toMatchObject({ status: 'sent', to: ['owner@acme.dev'] });
    const [mail] = smtp.messages;
    expect(mail?.to).toEqual(['owner@acme.dev']);
    expect(mail?.header('subject')).toBe('[BlueClerk] QuickBooks needs to be reconnected');
    expect(mail?.body).toContain('What to do: Reconnect QuickBooks in Settings > Integrations.');
    expect(mail?.raw).not.toContain('RT-1a2b3c4d5e6f7a8b9c0d');
  });
});
