import type { ErrorCode } from '../errors/index';
import { BlueClerkError } from '../errors/index';
import { redactText } from '../redact/index';

/**
 * The email channel's one contract. Core only composes messages; sending is the host's choice: the SMTP mailer from
 * `@blueclerk/core/smtp` (Node only), or a few lines over an HTTP mail API on edge runtimes.
 *
 * @example
 * const mailer: Mailer = {
 *   async send(message) {
 *     const res = await fetch('https://api.mail.example/send', { method: 'POST', body: JSON.stringify(message) });
 *     return { messageId: (await res.json()).id };
 *   },
 * };
 */
export interface MailMessage {
  /** Recipients (plain addresses). At least one. */
  to: string[];
  subject: string;
  /** Plain-text body; always present so every client can read it. */
  text: string;
  /** Optional HTML body. Values interpolated into it must be HTML-escaped. */
  html?: string;
}

export interface MailReceipt {
  /** The id the mail server assigned (SMTP `Message-ID`, API message id ...). */
  messageId: string;
}

export interface Mailer {
  /**
   * Sends one message. Resolves once the server accepted it; rejects (preferably with a `BlueClerkError`) when it was
   * not accepted. Must not put credentials into the rejection.
   */
  send(message: MailMessage): Promise<MailReceipt>;
}

/** Why a send (or another reported step) failed, in plain data that is safe to store, log and show. */
export interface FailureSummary {
  code: ErrorCode;
  /** Redacted message. */
  message: string;
  retryable: boolean;
}

/**
 * Turns whatever a mailer (or store) threw into a safe `FailureSummary`. A third-party mailer may throw anything,
 * including an error that echoes its own credentials, so the message always goes through `redactText`.
 */
export function summarizeFailure(error: unknown): FailureSummary {
  if (BlueClerkError.isInstance(error)) {
    return { code: error.code, message: redactText(error.message), retryable: error.retryable };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message: redactText(message || 'Mail could not be sent'), retryable: false };
}
