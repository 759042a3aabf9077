import { describe, expect, it } from 'vitest';
import { BlueClerkError, ConfigurationError, NetworkError } from '../errors/index';
import type { BlueClerkEvent } from '../events/index';
import { createManualClock } from '../runtime/index';
import { createMemoryStorage } from '../storage/memory/index';
import type { EmailAlertFailure } from './email-alerts';
import type { Mailer, MailMessage } from './mailer';
import { createSyncNotifier, type SyncNotifierOptions } from './notifier';
import type { NotificationSettings } from './settings';

const SECRET = 'Bearer sk_live_4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c';
const SMTP_PASSWORD = 'smtp-pass-9f8e7d6c5b4a';

function recordingMailer(): Mailer & { sent: MailMessage[] } {
  const sent: MailMessage[] = [];
  return {
    sent,
    async send(message) {
      sent.push(message);
      return { messageId: `<m${sent.length}@test>` };
    },
  };
}

const failingMailer: Mailer = {
  send: () =>
    Promise.reject(new NetworkError('network', `SMTP connection refused (password=${SMTP_PASSWORD})`)),
};

const alertsOn: NotificationSettings = { emailAlerts: { enabled: true, to: ['books@acme.test'] } };

async function setup(options: Omit<SyncNotifierOptions, 'storage' | 'clock'>) {
  const clock = createManualClock();
  const storage = createMemoryStorage({ clock });
  const connection = await storage.connections.createConnection({ provider: 'freshbooks', ownerId: 'acme' });
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const notifier = createSyncNotifier({
    providerNames: { quickbooks: 'QuickBooks', freshbooks: 'FreshBooks' },
    storage,
    clock,
    logger: {
      log: (level, message, fields) => lines.push({ level, message, ...(fields ? { fields } : {}) }),
    },
    ...options,
  });
  const failure = (
    overrides: Partial<Extract<BlueClerkEvent, { type: 'sync.failed' }>> = {},
  ): BlueClerkEvent => ({
    type: 'sync.failed',
    ownerId: 'acme',
    connectionId: connection.id,
    provider: 'freshbooks',
    at: clock.now(),
    entityType: 'customer',
    localId: 'cust-7',
    category: 'duplicate',
    code: 'duplicate',
    message: `FreshBooks refused: email already used (Authorization: ${SECRET})`,
    action: '',
    retryable: false,
    ...overrides,
  });
  return { clock, storage, connection, notifier, failure, lines };
}

describe('email alerts', () => {
  it('are off unless settings opt in', async () => {
    const mailer = recordingMailer();
    const { notifier, failure } = await setup({ mailer });
    const outcome = await notifier.handle(failure());
    expect(outcome.email).toEqual({ status: 'skipped', reason: 'email alerts are off' });
    expect(mailer.sent).toHaveLength(0);
  });

  it('email a new failure once, with what to do and no secret, and not its repeats', async () => {
    const mailer = recordingMailer();
    const { notifier, failure, connection } = await setup({ mailer, settings: alertsOn });
    const first = await notifier.handle(failure());
    const repeat = await notifier.handle(failure());

    expect(first.email).toEqual({ status: 'sent', to: ['books@acme.test'], messageId: '<m1@test>' });
    expect(repeat.email).toEqual({ status: 'not_applicable' });
    expect(mailer.sent).toHaveLength(1);
    const [mail] = mailer.sent;
    expect(mail?.to).toEqual(['books@acme.test']);
    expect(mail?.subject).toBe('[BlueClerk] Duplicate customer in FreshBooks');
    expect(mail?.text).toContain(
      'What to do: A matching customer already exists in FreshBooks. Link to it or rename this customer, then sync again.',
    );
    expect(mail?.text).toContain(`Connection: FreshBooks (connection ${connection.id})`);
    expect(mail?.text).toContain('Record: customer cust-7');
    expect(mail?.html).toContain('<strong>Duplicate customer in FreshBooks</strong>');
    expect(JSON.stringify(mail)).not.toContain('sk_live_4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c');
  });

  it('respect categories and minSeverity (rate limits are warnings, not emailed by default)', async () => {
    const mailer = recordingMailer();
    const { notifier, failure } = await setup({
      mailer,
      settings: (ownerId) =>
        ownerId === 'acme'
          ? {
              emailAlerts: {
                enabled: true,
                to: ['ops@acme.test'],
                categories: ['rate_limited', 'token_expired'],
              },
            }
          : null,
    });
    const duplicate = await notifier.handle(failure());
    const rateLimited = await notifier.handle(failure({ category: 'rate_limited', code: 'rate_limited' }));
    const token = await notifier.handle(failure({ category: 'token_expired', code: 'token_expired' }));

    expect(duplicate.email).toEqual({ status: 'skipped', reason: 'category duplicate is not selected' });
    expect(rateLimited.email).toEqual({ status: 'skipped', reason: 'severity warning is below error' });
    expect(token.email.status).toBe('sent');
    expect(mailer.sent.map((m) => m.subject)).toEqual(['[BlueClerk] FreshBooks needs to be reconnected']);
  });

  it('report a failed send in the outcome, the log and the hook, without secrets, and still record the failure', async () => {
    const hooked: EmailAlertFailure[] = [];
    const { notifier, failure, storage, connection, lines } = await setup({
      mailer: failingMailer,
      settings: alertsOn,
      onEmailFailure: (f) => hooked.push(f),
    });
    const outcome = await notifier.handle(failure());

    expect(outcome.email).toMatchObject({
      status: 'failed',
      to: ['books@acme.test'],
      error: { code: 'network', retryable: true },
    });
    expect(outcome.notification).not.toBeNull();
    expect((await storage.connections.getConnection(connection.id))?.health.status).toBe('degraded');
    expect(hooked).toHaveLength(1);
    expect(hooked[0]?.notificationId).toBe(outcome.notification?.id);
    const errorLine = lines.find((line) => line.level === 'error');
    expect(errorLine?.message).toBe('Sync alert email could not be sent');
    expect(errorLine?.fields).toMatchObject({ code: 'network', notificationId: outcome.notification?.id });
    const everything = JSON.stringify({ outcome, hooked, lines });
    expect(everything).toContain('SMTP connection refused');
    expect(everything).not.toContain(SMTP_PASSWORD);
  });

  it('survive a mailer that throws synchronously and a hook that throws', async () => {
    const { notifier, failure } = await setup({
      mailer: {
        send() {
          throw new Error('boom');
        },
      },
      settings: alertsOn,
      onEmailFailure: () => {
        throw new Error('hook broke');
      },
    });
    const outcome = await notifier.handle(failure());
    expect(outcome.email).toEqual({
      status: 'failed',
      to: ['books@acme.test'],
      error: { code: 'internal', message: 'boom', retryable: false },
    });
  });

  it('report a settings look-up that fails instead of silently not emailing', async () => {
    const mailer = recordingMailer();
    const { notifier, failure, lines } = await setup({
      mailer,
      settings: async () => {
        throw new Error('settings table missing');
      },
    });
    const outcome = await notifier.handle(failure());
    expect(outcome.email).toEqual({ status: 'skipped', reason: 'notification settings could not be loaded' });
    expect(outcome.failures).toEqual([
      { step: 'settings', error: { code: 'internal', message: 'settings table missing', retryable: false } },
    ]);
    expect(lines.some((line) => line.level === 'error')).toBe(true);
  });

  it('reject invalid static settings at start-up, naming the setting', async () => {
    const storage = createMemoryStorage();
    expect(() =>
      createSyncNotifier({
        providerNames: { quickbooks: 'QuickBooks', freshbooks: 'FreshBooks' },
        storage,
        settings: { emailAlerts: { enabled: true, to: [] } },
      }),
    ).toThrowError(ConfigurationError);
    try {
      createSyncNotifier({
        providerNames: { quickbooks: 'QuickBooks', freshbooks: 'FreshBooks' },
        storage,
        settings: { emailAlerts: { enabled: true, to: ['not-an-email'] } },
      });
      expect.unreachable();
    } catch (error) {
      expect(BlueClerkError.isInstance(error) && error.code).toBe('config_invalid');
      expect((error as ConfigurationError).setting).toBe('notificationSettings.emailAlerts.to.0');
    }
  });

  it('skip with a reason when alerts are on but no mailer is configured', async () => {
    const { notifier, failure, lines } = await setup({ settings: alertsOn });
    const outcome = await notifier.handle(failure());
    expect(outcome.email).toEqual({ status: 'skipped', reason: 'no mailer configured' });
    expect(lines.some((line) => line.level === 'warn')).toBe(true);
  });
});
