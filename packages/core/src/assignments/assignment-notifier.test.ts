import { describe, expect, it } from 'vitest';
import { BlueClerkError, NetworkError, ProviderError, ValidationError } from '../errors/index';
import type { Mailer, MailMessage } from '../notifications/index';
import { createManualClock } from '../runtime/index';
import { createAssignmentNotifier } from './assignment-notifier';
import type { AssignmentNoticeInput } from './types';

const input: AssignmentNoticeInput = {
  ticket: {
    id: 'T-1042',
    title: 'Replace water heater',
    location: '12 Elm St, Springfield',
    url: 'https://app.acme.dev/tickets/T-1042',
    dueAt: Date.UTC(2026, 0, 5, 9, 0),
  },
  assigner: { name: 'Dana Dispatcher', email: 'dana@acme.dev' },
  subcontractor: { name: 'Sam Plumber', email: 'sam@plumbing.dev' },
};

/** Records what it was asked to send; fails sends to the given addresses. */
function scriptedMailer(
  failFor: Record<string, unknown> = {},
): Mailer & { sent: MailMessage[]; attempts: string[] } {
  const sent: MailMessage[] = [];
  const attempts: string[] = [];
  return {
    sent,
    attempts,
    async send(message) {
      const to = message.to[0] ?? '';
      attempts.push(to);
      // Resolve on a later tick, so a confirmation started early would show up in the order.
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (to in failFor) throw failFor[to];
      sent.push(message);
      return { messageId: `<${sent.length}@mail.dev>` };
    },
  };
}

describe('createAssignmentNotifier', () => {
  it('emails the subcontractor, then confirms to the assigner', async () => {
    const mailer = scriptedMailer();
    const clock = createManualClock(Date.UTC(2026, 0, 2, 15, 30));
    const result = await createAssignmentNotifier({ mailer, clock }).notifyAssignment(input);

    expect(result).toEqual({
      status: 'sent',
      ticketId: 'T-1042',
      alert: { status: 'sent', to: 'sam@plumbing.dev', messageId: '<1@mail.dev>', sentAt: clock.now() },
      confirmation: { status: 'sent', to: 'dana@acme.dev', messageId: '<2@mail.dev>', sentAt: clock.now() },
    });
    expect(mailer.attempts).toEqual(['sam@plumbing.dev', 'dana@acme.dev']);
    const [alert, confirmation] = mailer.sent;
    expect(alert?.subject).toBe('New assignment: Replace water heater (#T-1042)');
    expect(alert?.text).toContain('Hi Sam Plumber, Dana Dispatcher assigned you ticket #T-1042.');
    expect(alert?.text).toContain('Location: 12 Elm St, Springfield');
    expect(alert?.text).toContain('Due: 2026-01-05 09:00 UTC');
    expect(alert?.text).toContain('Details: https://app.acme.dev/tickets/T-1042');
    expect(confirmation?.subject).toBe('Assignment sent: Replace water heater (#T-1042) to Sam Plumber');
    expect(confirmation?.text).toContain('Sent to: Sam Plumber <sam@plumbing.dev>');
    expect(confirmation?.text).toContain('Sent at: 2026-01-02 15:30 UTC');
  });

  it('sends no confirmation when the alert fails, and returns the failure typed', async () => {
    const mailer = scriptedMailer({
      'sam@plumbing.dev': new NetworkError('network', 'SMTP connection reset'),
    });
    const lines: string[] = [];
    const result = await createAssignmentNotifier({
      mailer,
      logger: {
        log: (level, message, fields) => lines.push(`${level}: ${message} ${JSON.stringify(fields)}`),
      },
    }).notifyAssignment(input);

    expect(result).toEqual({
      status: 'alert_failed',
      ticketId: 'T-1042',
      alert: {
        status: 'failed',
        to: 'sam@plumbing.dev',
        error: { code: 'network', message: 'SMTP connection reset', retryable: true },
      },
      confirmation: { status: 'not_sent', to: 'dana@acme.dev', reason: 'alert_failed' },
    });
    expect(mailer.attempts).toEqual(['sam@plumbing.dev']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('error: Assignment alert email could not be sent');
    expect(lines[0]).toContain('"ticketId":"T-1042"');
  });

  it('reports a failed confirmation after a delivered alert, and can retry only the confirmation', async () => {
    const failFor: Record<string, unknown> = {
      'dana@acme.dev': new ProviderError(
        'provider_error',
        'SMTP server rejected the message: 452 mailbox full',
        {
          status: 452,
          retryable: true,
        },
      ),
    };
    const mailer = scriptedMailer(failFor);
    const notices = createAssignmentNotifier({ mailer });
    const result = await notices.notifyAssignment(input);

    expect(result.status).toBe('confirmation_failed');
    if (result.status !== 'confirmation_failed') return;
    expect(result.alert).toMatchObject({ status: 'sent', to: 'sam@plumbing.dev' });
    expect(result.confirmation).toEqual({
      status: 'failed',
      to: 'dana@acme.dev',
      error: {
        code: 'provider_error',
        message: 'SMTP server rejected the message: 452 mailbox full',
        retryable: true,
      },
    });

    delete failFor['dana@acme.dev'];
    const retried = await notices.sendConfirmation(input, result.alert);
    expect(retried.status).toBe('sent');
    expect(mailer.attempts).toEqual(['sam@plumbing.dev', 'dana@acme.dev', 'dana@acme.dev']);
    expect(mailer.sent.map((m) => m.to[0])).toEqual(['sam@plumbing.dev', 'dana@acme.dev']);
  });

  it('reports mailer errors without secrets they echo', async () => {
    const mailer = scriptedMailer({
      'sam@plumbing.dev': new Error('relay refused: Authorization: Bearer sk_live_abcdef0123456789abcdef'),
    });
    const lines: string[] = [];
    const result = await createAssignmentNotifier({
      mailer,
      logger: { log: (_level, message, fields) => lines.push(message + JSON.stringify(fields)) },
    }).notifyAssignment(input);
    expect(result.status).toBe('alert_failed');
    expect(JSON.stringify({ result, lines })).toContain('relay refused');
    expect(JSON.stringify({ result, lines })).not.toContain('sk_live_abcdef0123456789abcdef');
  });

  it('treats a template that throws as a failed send', async () => {
    const mailer = scriptedMailer();
    const result = await createAssignmentNotifier({
      mailer,
      templates: {
        confirmation: () => {
          throw new Error('template bug');
        },
      },
    }).notifyAssignment(input);
    expect(result.status).toBe('confirmation_failed');
    expect(result.confirmation).toMatchObject({ status: 'failed', error: { message: 'template bug' } });
    expect(mailer.sent).toHaveLength(1);
  });

  it('uses custom templates and keeps extra ticket fields for them', async () => {
    const mailer = scriptedMailer();
    await createAssignmentNotifier({
      mailer,
      templates: {
        alert: ({ ticket }) => ({ subject: `Job ${ticket.id}`, text: `Priority ${String(ticket.priority)}` }),
      },
    }).notifyAssignment({ ...input, ticket: { ...input.ticket, priority: 'urgent' } });
    expect(mailer.sent[0]).toEqual({
      to: ['sam@plumbing.dev'],
      subject: 'Job T-1042',
      text: 'Priority urgent',
    });
    expect(mailer.sent[1]?.subject).toContain('Assignment sent');
  });

  it('keeps subjects to one line and escapes HTML', async () => {
    const mailer = scriptedMailer();
    await createAssignmentNotifier({ mailer }).notifyAssignment({
      ...input,
      ticket: { ...input.ticket, title: 'Leak <b>urgent</b>\r\nBcc: evil@x.dev' },
    });
    expect(mailer.sent[0]?.subject).toBe('New assignment: Leak <b>urgent</b> Bcc: evil@x.dev (#T-1042)');
    expect(mailer.sent[0]?.html).toContain('Leak &lt;b&gt;urgent&lt;/b&gt;');
    expect(mailer.sent[0]?.html).not.toContain('<b>urgent</b>');
  });

  it('rejects invalid emails and missing fields before sending anything', async () => {
    const mailer = scriptedMailer();
    const notices = createAssignmentNotifier({ mailer });
    const bad = {
      ...input,
      assigner: { name: 'Dana', email: 'dana-at-acme' },
      subcontractor: { name: ' ', email: 'sam@plumbing.dev' },
    };
    try {
      await notices.notifyAssignment(bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect(BlueClerkError.isInstance(error) && error.code).toBe('validation_failed');
      expect((error as ValidationError).issues.map((issue) => issue.path).sort()).toEqual([
        'assigner.email',
        'subcontractor.name',
      ]);
    }
    expect(mailer.attempts).toEqual([]);
  });
});
