import { escapeHtml } from '../notifications/index';
import type { AssignmentEmailContent, AssignmentNoticeInput, AssignmentTemplates } from './types';

/** Subjects are one header line: a title pasted with a line break must not start a new header. */
function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

function render(
  subject: string,
  heading: string,
  rows: Array<[string, string]>,
  intro: string,
): AssignmentEmailContent {
  const text = [intro, '', ...rows.map(([label, value]) => `${label}: ${value}`)].join('\n');
  const html = [
    `<p>${escapeHtml(intro)}</p>`,
    `<h2>${escapeHtml(heading)}</h2>`,
    '<table>',
    ...rows.map(
      ([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
    ),
    '</table>',
  ].join('\n');
  return { subject: oneLine(subject), text, html };
}

function ticketRows(input: AssignmentNoticeInput): Array<[string, string]> {
  const { ticket } = input;
  const rows: Array<[string, string]> = [
    ['Ticket', `#${ticket.id}`],
    ['Title', oneLine(ticket.title)],
  ];
  if (ticket.location) rows.push(['Location', oneLine(ticket.location)]);
  if (ticket.dueAt !== undefined) rows.push(['Due', isoDate(ticket.dueAt)]);
  if (ticket.url) rows.push(['Details', ticket.url]);
  if (ticket.description) rows.push(['Description', ticket.description]);
  return rows;
}

/** Plain, readable defaults. Pass `templates` to `createAssignmentNotifier` to use your own wording or branding. */
export const defaultAssignmentTemplates: AssignmentTemplates = {
  alert(input) {
    const { ticket, assigner, subcontractor } = input;
    return render(
      `New assignment: ${ticket.title} (#${ticket.id})`,
      ticket.title,
      [...ticketRows(input), ['Assigned by', `${assigner.name} <${assigner.email}>`]],
      `Hi ${subcontractor.name}, ${assigner.name} assigned you ticket #${ticket.id}. Reply to ${assigner.email} with any questions.`,
    );
  },
  confirmation(input, { sentAt }) {
    const { ticket, subcontractor } = input;
    return render(
      `Assignment sent: ${ticket.title} (#${ticket.id}) to ${subcontractor.name}`,
      ticket.title,
      [
        ...ticketRows(input),
        ['Sent to', `${subcontractor.name} <${subcontractor.email}>`],
        ['Sent at', isoDate(sentAt)],
      ],
      `${subcontractor.name} was emailed the assignment for ticket #${ticket.id}.`,
    );
  },
};
