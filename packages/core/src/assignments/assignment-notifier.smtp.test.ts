import { afterEach, describe, expect, it } from 'vitest';
import { createSmtpMailer } from '../smtp/mailer';
import { startTestSmtpServer, type TestSmtpServer } from '../smtp/smtp-test-server';
import { createAssignmentNotifier } from './assignment-notifier';

const input = {
  ticket: { id: 'T-7', title: 'Fix boiler', location: '4 Oak Ave' },
  assigner: { name: 'Dana Dispatcher', email: 'dana@acme.dev' },
  subcontractor: { name: 'Sam Plumber', email: 'sam@plumbing.dev' },
};

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function notifierFor(options?: Parameters<typeof startTestSmtpServer>[0]) {
  const smtp: TestSmtpServer = await startTestSmtpServer(options);
  const mailer = createSmtpMailer({
    host: '127.0.0.1',
    port: smtp.port,
    secure: false,
    from: 'Acme Dispatch <dispatch@acme.dev>',
    timeoutMs: 5000,
  });
  cleanups.push(
    () => smtp.close(),
    () => mailer.close(),
  );
  return { smtp, notices: createAssignmentNotifier({ mailer }) };
}

describe('assignment notices over a real SMTP server', () => {
  it('delivers the alert to the subcontractor, then the confirmation to the assigner', async () => {
    const { smtp, notices } = await notifierFor();
    const result = await notices.notifyAssignment(input);

    expect(result.status).toBe('sent');
    if (result.status !== 'sent') return;
    expect(smtp.messages.map((m) => m.to)).toEqual([['sam@plumbing.dev'], ['dana@acme.dev']]);
    const [alert, confirmation] = smtp.messages;
    expect(alert?.header('subject')).toBe('New assignment: Fix boiler (#T-7)');
    expect(alert?.header('from')).toBe('Acme Dispatch <dispatch@acme.dev>');
    expect(alert?.body).toContain('Hi Sam Plumber, Dana Dispatcher assigned you ticket #T-7.');
    expect(alert?.header('message-id')).toBe(result.alert.messageId);
    expect(confirmation?.header('subject')).toBe('Assignment sent: Fix boiler (#T-7) to Sam Plumber');
    expect(confirmation?.body).toContain('Sent to: Sam Plumber <sam@plumbing.dev>');
  });

  it('sends no confirmation when the server refuses the subcontractor', async () => {
    const { smtp, notices } = await notifierFor({ rejectRecipients: ['sam@plumbing.dev'] });
    const result = await notices.notifyAssignment(input);

    expect(result.status).toBe('alert_failed');
    expect(result.alert).toMatchObject({
      status: 'failed',
      error: { code: 'provider_error', retryable: false },
    });
    expect(result.alert.status === 'failed' && result.alert.error.message).toContain('550');
    expect(result.confirmation).toEqual({ status: 'not_sent', to: 'dana@acme.dev', reason: 'alert_failed' });
    expect(smtp.messages).toHaveLength(0);
  });

  it('reports a refused confirmation after the alert went out', async () => {
    const { smtp, notices } = await notifierFor({ rejectRecipients: ['dana@acme.dev'] });
    const result = await notices.notifyAssignment(input);

    expect(result.status).toBe('confirmation_failed');
    expect(result.alert.status).toBe('sent');
    expect(result.confirmation).toMatchObject({
      status: 'failed',
      to: 'dana@acme.dev',
      error: { code: 'provider_error' },
    });
    expect(smtp.messages.map((m) => m.to)).toEqual([['sam@plumbing.dev']]);
  });
});
