import { createTransport } from 'nodemailer';
import { z } from 'zod';
import { ValidationError } from '../errors/index';
import type { Mailer, MailMessage, MailReceipt } from '../notifications/index';
import { registerSecret } from '../redact/index';
import { parseSmtpMailerConfig, type SmtpMailerConfig } from './config';
import { toSmtpError } from './errors';

/** A `Mailer` over SMTP. `close()` releases the transport; `verify()` checks connection and login without sending. */
export interface SmtpMailer extends Mailer {
  send(message: MailMessage): Promise<SmtpMailReceipt>;
  verify(): Promise<void>;
  close(): void;
}

export interface SmtpMailReceipt extends MailReceipt {
  /** Recipients the server accepted. */
  accepted: string[];
  /** Recipients the server refused while accepting others (all refused is an error instead). */
  rejected: string[];
}

const DEFAULT_TIMEOUT_MS = 30_000;

const messageSchema = /* @__PURE__ */ (() =>
  z.object({
    to: z.array(z.email()).min(1, 'at least one recipient is required').max(100),
    subject: z
      .string()
      .min(1, 'subject is required')
      .max(998)
      .refine((value) => !/[\r\n]/.test(value), 'subject must be one line'),
    text: z.string(),
    html: z.string().optional(),
  }))();

function addresses(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((entry) =>
    typeof entry === 'string' ? entry : String((entry as { address?: unknown })?.address ?? ''),
  );
}

/**
 * SMTP mailer on nodemailer. Node only: import it from `@blueclerk/core/smtp`.
 *
 * Settings are validated at creation (`ConfigurationError` naming the setting). The password is registered with the
 * redactor, so it is replaced wherever it might surface (a server echoing it, a debug log). Send failures reject
 * with typed errors: `ConfigurationError('smtp.auth')` for a refused login, `NetworkError` for connection problems and
 * timeouts, `ProviderError` for a rejected message (retryable for 4xx replies).
 */
export function createSmtpMailer(config: SmtpMailerConfig): SmtpMailer {
  const settings = parseSmtpMailerConfig(config);
  if (settings.auth) registerSecret(settings.auth.pass);
  const timeout = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const transport = createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: settings.requireTls ?? false,
    ...(settings.auth ? { auth: { user: settings.auth.user, pass: settings.auth.pass } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    // Never read files or URLs named in a message: alert bodies are built from data we do not fully control.
    disableFileAccess: true,
    disableUrlAccess: true,
  });

  return {
    async send(message) {
      const parsed = messageSchema.safeParse(message);
      if (!parsed.success) {
        throw new ValidationError(
          'Mail message is invalid',
          parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
        );
      }
      const { to, subject, text, html } = parsed.data;
      try {
        const info = await transport.sendMail({
          from: settings.from,
          to,
          subject,
          text,
          ...(html === undefined ? {} : { html }),
        });
        return {
          messageId: String(info.messageId ?? ''),
          accepted: addresses(info.accepted),
          rejected: addresses(info.rejected),
        };
      } catch (error) {
        throw toSmtpError(error);
      }
    },

    async verify() {
      try {
        await transport.verify();
      } catch (error) {
        throw toSmtpError(error);
      }
    },

    close() {
      transport.close();
    },
  };
}
