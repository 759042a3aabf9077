export { composeSyncAlertEmail, escapeHtml } from './alert-email';
export { failureDedupeKey } from './dedupe';
export type { EmailAlertFailure, EmailAlertOutcome } from './email-alerts';
export {
  type ConnectionHealthSummary,
  createNotificationFeed,
  type NotificationFeed,
  type NotificationFeedOptions,
  type RecentFailuresOptions,
  type ReconnectNotice,
  type SyncFailureBanner,
  type SyncFailureBannerItem,
} from './feed';
export {
  healthAfterConnected,
  healthAfterFailure,
  healthAfterNeedsReconnect,
  healthAfterSuccess,
  INITIAL_CONNECTION_HEALTH,
} from './health';
export {
  type FailureSummary,
  type Mailer,
  type MailMessage,
  type MailReceipt,
  summarizeFailure,
} from './mailer';
export {
  type FailureContext,
  isReconnectCategory,
  missingFieldLabel,
  type ProviderNames,
  providerDisplayName,
  RECONNECT_LOCATION,
  syncFailureAction,
  syncFailureSeverity,
  syncFailureTitle,
} from './messages';
export {
  createSyncNotifier,
  type NotifierOutcome,
  type NotifierStepFailure,
  type SyncNotifier,
  type SyncNotifierOptions,
} from './notifier';
export {
  decideEmailAlert,
  type EmailAlertDecision,
  type NotificationSettings,
  type NotificationSettingsSource,
  notificationSettingsSchema,
  parseNotificationSettings,
} from './settings';
