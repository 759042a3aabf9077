import { z } from 'zod';
import type { FailureSummary } from '../notifications/index';

/**
 * Assignment notices: when a ticket is assigned to a subcontractor, the subcontractor gets an assignment alert and,
 * once that was accepted by the mail server, the assigner gets a confirmation. Every outcome is returned typed; a
 * failed send is never swallowed.
 */

const personSchema = /* @__PURE__ */ (() =>
  z.object({
    name: z.string().trim().min(1, 'name is required').max(200),
    email: z.email('must be a valid email address'),
  }))();

/** The app's ticket. Extra fields are kept and handed to custom templates. */
export const assignmentTicketSchema = /* @__PURE__ */ (() =>
  z.looseObject({
    id: z.string().trim().min(1, 'ticket id is required').max(200),
    title: z.string().trim().min(1, 'ticket title is required').max(500),
    description: z.string().max(10_000).optional(),
    /** Link the subcontractor opens to see the ticket. */
    url: z.url().optional(),
    /** Where the work is. */
    location: z.string().max(500).optional(),
    /** When the work is due (epoch ms). */
    dueAt: z.number().int().optional(),
  }))();

export const assignmentNoticeInputSchema = /* @__PURE__ */ (() =>
  z.object({
    ticket: assignmentTicketSchema,
    assigner: personSchema,
    subcontractor: personSchema,
  }))();

export type AssignmentTicket = z.infer<typeof assignmentTicketSchema>;
export type AssignmentPerson = z.infer<typeof personSchema>;
export type AssignmentNoticeInput = z.infer<typeof assignmentNoticeInputSchema>;

/** Subject and bodies of one email; the recipient is set by the notifier. */
export interface AssignmentEmailContent {
  subject: string;
  text: string;
  html?: string;
}

export interface AssignmentTemplates {
  /** Email to the subcontractor. */
  alert(input: AssignmentNoticeInput): AssignmentEmailContent;
  /** Email to the assigner, sent after the alert was accepted. `sentAt` is when the alert went out (epoch ms). */
  confirmation(input: AssignmentNoticeInput, sent: { sentAt: number }): AssignmentEmailContent;
}

export interface SentDelivery {
  status: 'sent';
  to: string;
  messageId: string;
  sentAt: number;
}

export interface FailedDelivery {
  status: 'failed';
  to: string;
  error: FailureSummary;
}

export interface SkippedDelivery {
  status: 'not_sent';
  to: string;
  reason: 'alert_failed';
}

/**
 * What happened, as a union on `status`:
 * - `sent`: both emails accepted;
 * - `alert_failed`: the subcontractor was not emailed, so no confirmation was sent either;
 * - `confirmation_failed`: the subcontractor was emailed, the assigner was not (retry with `sendConfirmation`).
 */
export type AssignmentNoticeResult =
  | { status: 'sent'; ticketId: string; alert: SentDelivery; confirmation: SentDelivery }
  | { status: 'alert_failed'; ticketId: string; alert: FailedDelivery; confirmation: SkippedDelivery }
  | { status: 'confirmation_failed'; ticketId: string; alert: SentDelivery; confirmation: FailedDelivery };
