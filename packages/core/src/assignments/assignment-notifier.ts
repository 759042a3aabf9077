import { ValidationError } from '../errors/index';
import { type Mailer, summarizeFailure } from '../notifications/index';
import { createRedactingLogger } from '../redact/index';
import { assertOptionsObject } from '../runtime/arguments';
import { type Clock, type Logger, silentLogger, systemClock } from '../runtime/index';
import { defaultAssignmentTemplates } from './templates';
import {
  type AssignmentEmailContent,
  type AssignmentNoticeInput,
  type AssignmentNoticeResult,
  type AssignmentTemplates,
  assignmentNoticeInputSchema,
  type FailedDelivery,
  type SentDelivery,
} from './types';

export interface AssignmentNotifierOptions {
  mailer: Mailer;
  /** Override one or both emails. Defaults: `defaultAssignmentTemplates`. */
  templates?: Partial<AssignmentTemplates>;
  /** Failures are logged here (through the redacting logger) besides being returned. */
  logger?: Logger;
  clock?: Clock;
}

/**
 * @example
 * const notices = createAssignmentNotifier({ mailer });
 * const result = await notices.notifyAssignment({ ticket, assigner, subcontractor });
 * if (result.status !== 'sent') flash(`Email failed: ${(result.status === 'alert_failed' ? result.alert : result.confirmation).error.message}`);
 */
export interface AssignmentNotifier {
  /**
   * Emails the subcontractor, then (only if that was accepted) the assigner. Invalid input throws `ValidationError`
   * before anything is sent; send failures are returned, never thrown.
   */
  notifyAssignment(input: AssignmentNoticeInput): Promise<AssignmentNoticeResult>;
  /** Sends only the assigner's confirmation: the retry after a `confirmation_failed` result, without re-alerting. */
  sendConfirmation(
    input: AssignmentNoticeInput,
    alert: { sentAt: number },
  ): Promise<SentDelivery | FailedDelivery>;
}

function parseInput(input: unknown): AssignmentNoticeInput {
  const parsed = assignmentNoticeInputSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  throw new ValidationError(
    `Assignment notice is invalid: ${issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')}`,
    issues,
  );
}

export function createAssignmentNotifier(options: AssignmentNotifierOptions): AssignmentNotifier {
  assertOptionsObject('createAssignmentNotifier', options);
  const { mailer } = options;
  const templates: AssignmentTemplates = { ...defaultAssignmentTemplates, ...options.templates };
  const logger = createRedactingLogger(options.logger ?? silentLogger);
  const clock = options.clock ?? systemClock;

  async function deliver(
    kind: 'alert' | 'confirmation',
    to: string,
    ticketId: string,
    compose: () => AssignmentEmailContent,
  ): Promise<SentDelivery | FailedDelivery> {
    try {
      // Composing is inside the try: a custom template that throws is a failed send, reported like any other.
      const content = compose();
      const receipt = await mailer.send({ to: [to], ...content });
      return { status: 'sent', to, messageId: receipt.messageId, sentAt: clock.now() };
    } catch (error) {
      const summary = summarizeFailure(error);
      try {
        logger.log('error', `Assignment ${kind} email could not be sent`, {
          ticketId,
          kind,
          code: summary.code,
          retryable: summary.retryable,
          error: summary.message,
        });
      } catch {
        // The result below still reports it.
      }
      return { status: 'failed', to, error: summary };
    }
  }

  function sendConfirmation(input: AssignmentNoticeInput, alert: { sentAt: number }) {
    return deliver('confirmation', input.assigner.email, input.ticket.id, () =>
      templates.confirmation(input, alert),
    );
  }

  return {
    async notifyAssignment(raw) {
      const input = parseInput(raw);
      const ticketId = input.ticket.id;
      const alert = await deliver('alert', input.subcontractor.email, ticketId, () => templates.alert(input));
      if (alert.status === 'failed') {
        return {
          status: 'alert_failed',
          ticketId,
          alert,
          confirmation: { status: 'not_sent', to: input.assigner.email, reason: 'alert_failed' },
        };
      }
      const confirmation = await sendConfirmation(input, alert);
      if (confirmation.status === 'failed')
        return { status: 'confirmation_failed', ticketId, alert, confirmation };
      return { status: 'sent', ticketId, alert, confirmation };
    },

    sendConfirmation(raw, alert) {
      return sendConfirmation(parseInput(raw), alert);
    },
  };
}
