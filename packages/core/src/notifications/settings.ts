import { z } from 'zod';
import { ConfigurationError, SYNC_FAILURE_CATEGORIES } from '../errors/index';
import type { NotificationSeverity } from '../storage/notifications';

/**
 * Per-owner notification settings. Email alerts are opt-in: without settings, or with `enabled: false`, nothing is
 * emailed; in-app notifications are always stored.
 *
 * @example
 * const settings: NotificationSettings = {
 *   emailAlerts: { enabled: true, to: ['books@acme.test'], minSeverity: 'error', categories: ['needs_reconnect'] },
 * };
 */
export const notificationSettingsSchema = /* @__PURE__ */ (() =>
  z.object({
    emailAlerts: z.object({
      enabled: z.boolean(),
      /** Recipients; required (non-empty) when `enabled`. */
      to: z.array(z.email()).max(50),
      /** Only these failure categories are emailed. Default: all. */
      categories: z.array(z.enum(SYNC_FAILURE_CATEGORIES)).optional(),
      /** Lowest severity that is emailed. Default `error`. */
      minSeverity: z.enum(['info', 'warning', 'error']).optional(),
    }),
  }))();

export type NotificationSettings = z.infer<typeof notificationSettingsSchema>;

/**
 * Settings for every owner (single-tenant apps), or a look-up per owner (your own settings table). The callback may
 * return `null` for "no settings": no emails.
 */
export type NotificationSettingsSource =
  | NotificationSettings
  | ((
      ownerId: string,
    ) => NotificationSettings | null | undefined | Promise<NotificationSettings | null | undefined>);

/** Validates settings; an enabled alert without recipients is a configuration mistake, not a silent no-op. */
export function parseNotificationSettings(input: unknown): NotificationSettings {
  const parsed = notificationSettingsSchema.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const path = first ? first.path.join('.') : 'emailAlerts';
    throw new ConfigurationError(
      `notificationSettings.${path}`,
      `Notification settings are invalid at ${path}: ${first?.message ?? 'invalid value'}`,
    );
  }
  if (parsed.data.emailAlerts.enabled && parsed.data.emailAlerts.to.length === 0) {
    throw new ConfigurationError(
      'notificationSettings.emailAlerts.to',
      'Email alerts are enabled but no recipient address is set',
    );
  }
  return parsed.data;
}

const SEVERITY_RANK: Record<NotificationSeverity, number> = { info: 0, warning: 1, error: 2 };

export type EmailAlertDecision = { send: true; to: string[] } | { send: false; reason: string };

/** Whether a stored notification should be emailed under these settings. */
export function decideEmailAlert(
  settings: NotificationSettings | null,
  notification: { severity: NotificationSeverity; category: string | null },
): EmailAlertDecision {
  if (!settings?.emailAlerts.enabled) return { send: false, reason: 'email alerts are off' };
  const { categories, minSeverity = 'error', to } = settings.emailAlerts;
  if (SEVERITY_RANK[notification.severity] < SEVERITY_RANK[minSeverity]) {
    return { send: false, reason: `severity ${notification.severity} is below ${minSeverity}` };
  }
  if (categories && !categories.some((category) => category === notification.category)) {
    return { send: false, reason: `category ${notification.category ?? 'none'} is not selected` };
  }
  return { send: true, to };
}
