import { redactText } from '../redact/index';
import type { SyncNotification } from '../storage/notifications';
import type { MailMessage } from './mailer';
import { providerDisplayName } from './messages';

/** Escapes text for interpolation into HTML bodies. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * The alert email for a stored notification. Every value is passed through `redactText` again even though stored
 * messages are already safe: an email leaves our systems, so it gets the second look.
 */
export function composeSyncAlertEmail(
  notification: SyncNotification,
  options: { to: string[]; appName?: string },
): MailMessage {
  const appName = options.appName ?? 'BlueClerk';
  const provider = typeof notification.data.provider === 'string' ? notification.data.provider : null;
  const title = redactText(
    typeof notification.data.title === 'string' ? notification.data.title : notification.message,
  );
  const rows: Array<[string, string]> = [['What happened', redactText(notification.message)]];
  if (notification.action) rows.push(['What to do', redactText(notification.action)]);
  if (provider) {
    const connection = notification.connectionId ? ` (connection ${notification.connectionId})` : '';
    const name =
      typeof notification.data.providerName === 'string'
        ? notification.data.providerName
        : providerDisplayName(provider);
    rows.push(['Connection', `${name}${connection}`]);
  }
  if (notification.entityType) {
    rows.push(['Record', [notification.entityType, notification.localId].filter(Boolean).join(' ')]);
  }
  rows.push(['When', new Date(notification.createdAt).toISOString()]);

  const text = [title, '', ...rows.map(([label, value]) => `${label}: ${value}`)].join('\n');
  const html = [
    `<p><strong>${escapeHtml(title)}</strong></p>`,
    '<table>',
    ...rows.map(
      ([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
    ),
    '</table>',
  ].join('\n');

  return { to: options.to, subject: `[${appName}] ${title}`, text, html };
}
