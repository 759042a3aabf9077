export {
  type AssignmentNotifier,
  type AssignmentNotifierOptions,
  createAssignmentNotifier,
} from './assignment-notifier';
export { defaultAssignmentTemplates } from './templates';
export {
  type AssignmentEmailContent,
  type AssignmentNoticeInput,
  type AssignmentNoticeResult,
  type AssignmentPerson,
  type AssignmentTemplates,
  type AssignmentTicket,
  assignmentNoticeInputSchema,
  assignmentTicketSchema,
  type FailedDelivery,
  type SentDelivery,
  type SkippedDelivery,
} from './types';
