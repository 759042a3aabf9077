import type { SyncNotification } from '../storage/notifications';
import { composeSyncAlertEmail } from './alert-email';
import { type FailureSummary, type Mailer, summarizeFailure } from './mailer';
import {
  decideEmailAlert,
  type NotificationSettings,
  type NotificationSettingsSource,
  parseNotificationSettings,
} from './settings';

/** What happened to the alert email of one event. */
export type EmailAlertOutcome =
  | { status: 'not_applicable' }
  | { status: 'skipped'; reason: string }
  | { status: 'sent'; to: string[]; messageId: string }
  | { status: 'failed'; to: string[]; error: FailureSummary };

/** Passed to `onEmailFailure` for every alert email that was not accepted. */
export interface EmailAlertFailure {
  ownerId: string;
  connectionId: string | null;
  notificationId: string | null;
  to: string[];
  error: FailureSummary;
}

export interface EmailAlerterOptions {
  mailer: Mailer | undefined;
  settings: NotificationSettingsSource | undefined;
  appName: string | undefined;
  onEmailFailure: ((failure: EmailAlertFailure) => void) | undefined;
  /** Must not throw (the notifier passes a guarded, redacting logger). */
  log: (level: 'warn' | 'error', message: string, fields: Record<string, unknown>) => void;
}

export interface EmailAlerter {
  /** Never rejects: a failed look-up or send is logged and returned. */
  sendAlert(
    notification: SyncNotification,
  ): Promise<{ email: EmailAlertOutcome; settingsError?: FailureSummary }>;
}

/** The opt-in email channel of the sync notifier. */
export function createEmailAlerter(options: EmailAlerterOptions): EmailAlerter {
  const { mailer, log } = options;
  const appName = options.appName ?? 'BlueClerk';
  // Static settings are checked at start-up so a typo fails loudly instead of silently never emailing.
  const staticSettings =
    options.settings !== undefined && typeof options.settings !== 'function'
      ? parseNotificationSettings(options.settings)
      : undefined;

  async function loadSettings(ownerId: string): Promise<NotificationSettings | null> {
    if (staticSettings) return staticSettings;
    if (typeof options.settings !== 'function') return null;
    const loaded = await options.settings(ownerId);
    return loaded ? parseNotificationSettings(loaded) : null;
  }

  function reportSendFailure(notification: SyncNotification, to: string[], error: FailureSummary): void {
    log('error', 'Sync alert email could not be sent', {
      ownerId: notification.ownerId,
      connectionId: notification.connectionId,
      notificationId: notification.id,
      recipients: to.length,
      code: error.code,
      error: error.message,
    });
    try {
      options.onEmailFailure?.({
        ownerId: notification.ownerId,
        connectionId: notification.connectionId,
        notificationId: notification.id,
        to,
        error,
      });
    } catch {
      // The hook is the app's; its failure does not change what we report.
    }
  }

  return {
    async sendAlert(notification) {
      let settings: NotificationSettings | null;
      try {
        settings = await loadSettings(notification.ownerId);
      } catch (error) {
        const settingsError = summarizeFailure(error);
        log('error', 'Notification settings could not be loaded; alert email not sent', {
          ownerId: notification.ownerId,
          notificationId: notification.id,
          code: settingsError.code,
          error: settingsError.message,
        });
        return {
          email: { status: 'skipped', reason: 'notification settings could not be loaded' },
          settingsError,
        };
      }
      const decision = decideEmailAlert(settings, notification);
      if (!decision.send) return { email: { status: 'skipped', reason: decision.reason } };
      if (!mailer) {
        log('warn', 'Email alerts are enabled but no mailer is configured', {
          ownerId: notification.ownerId,
        });
        return { email: { status: 'skipped', reason: 'no mailer configured' } };
      }
      try {
        const receipt = await mailer.send(composeSyncAlertEmail(notification, { to: decision.to, appName }));
        return { email: { status: 'sent', to: decision.to, messageId: receipt.messageId } };
      } catch (error) {
        const summary = summarizeFailure(error);
        reportSendFailure(notification, decision.to, summary);
        return { email: { status: 'failed', to: decision.to, error: summary } };
      }
    },
  };
}
