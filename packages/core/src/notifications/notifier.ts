import type { SyncFailureCategory } from '../errors/index';
import type { BlueClerkEvent, BlueClerkEventType, EventBus } from '../events/index';
import { createRedactingLogger, redactText } from '../redact/index';
import { assertOptionsObject } from '../runtime/arguments';
import type { Clock, Logger } from '../runtime/index';
import { silentLogger, systemClock } from '../runtime/index';
import type { ConnectionHealth } from '../storage/connections';
import type { NewSyncNotification, SyncNotification } from '../storage/notifications';
import type { BlueClerkStorage } from '../storage/storage';
import { BurstTracker, failureDedupeKey } from './dedupe';
import { createEmailAlerter, type EmailAlertFailure, type EmailAlertOutcome } from './email-alerts';
import { createNotificationFeed, type NotificationFeed } from './feed';
import {
  healthAfterConnected,
  healthAfterFailure,
  healthAfterNeedsReconnect,
  healthAfterSuccess,
  INITIAL_CONNECTION_HEALTH,
} from './health';
import { type FailureSummary, type Mailer, summarizeFailure } from './mailer';
import {
  type ProviderNames,
  providerDisplayName,
  syncFailureAction,
  syncFailureSeverity,
  syncFailureTitle,
} from './messages';
import type { NotificationSettingsSource } from './settings';

/**
 * Turns SDK events into what an app shows: stored notifications (burst de-duplicated), connection health, and opt-in
 * email alerts. Attach it to the event bus the engine and token manager emit on.
 *
 * @example
 * const notifier = createSyncNotifier({ storage, mailer, settings: (ownerId) => loadAlertSettings(ownerId) });
 * notifier.attach(bus);
 * const banner = await notifier.recentFailuresBanner({ ownerId });
 */
export interface SyncNotifier extends NotificationFeed {
  /** Handles one event. Never rejects: storage and mail failures are logged and returned in the outcome. */
  handle(event: BlueClerkEvent): Promise<NotifierOutcome>;
  /** Subscribes to a bus; returns the unsubscribe function. */
  attach(bus: EventBus): () => void;
  /** Resolves once every event received through `attach` has been handled (tests, graceful shutdown). */
  drain(): Promise<void>;
}

export interface SyncNotifierOptions {
  storage: Pick<BlueClerkStorage, 'notifications' | 'connections'>;
  /** Email channel. Without it, email alerts are skipped (with a reason) even when settings enable them. */
  mailer?: Mailer;
  /** Settings for every owner, or a per-owner look-up. Default: no email alerts. */
  settings?: NotificationSettingsSource;
  clock?: Clock;
  /** Where failures are logged; it is wrapped in `createRedactingLogger`, so nothing secret reaches it. */
  logger?: Logger;
  /** Repeats of one failure within this window are stored once with a count. Default 10 minutes. */
  dedupeWindowMs?: number;
  /** Also store an info notification for each successful sync. Default false. */
  recordSuccesses?: boolean;
  /** Called for every alert email that could not be sent (besides the log line and the returned outcome). */
  onEmailFailure?: (failure: EmailAlertFailure) => void;
  /** Shown in email subjects. Default `BlueClerk`. */
  appName?: string;
  /** Display names by provider id (`createBlueClerk` passes each configured provider's). */
  providerNames?: ProviderNames;
}

/** A step of `handle` that failed (storage unavailable, settings look-up threw ...). */
export interface NotifierStepFailure {
  step: 'notification' | 'health' | 'settings';
  error: FailureSummary;
}

export interface NotifierOutcome {
  eventType: BlueClerkEventType;
  /** The stored notification (new, or the one a repeat was folded into); `null` when the event stores none. */
  notification: SyncNotification | null;
  /** True when this event was a repeat within the de-duplication window and nothing new was stored. */
  deduplicated: boolean;
  /** Occurrences of this failure in its current burst (1 for a new one). */
  occurrences: number;
  /** Connection health after the event; `null` when unchanged or the connection is unknown. */
  health: ConnectionHealth | null;
  email: EmailAlertOutcome;
  failures: NotifierStepFailure[];
}

const DEFAULT_WINDOW_MS = 10 * 60 * 1000;

interface FailureInput {
  event: BlueClerkEvent;
  type: string;
  category: SyncFailureCategory;
  code: string;
  entityType: SyncNotification['entityType'];
  localId: string | null;
  message: string;
  action: string;
  retryable: boolean;
  field?: string;
}

interface Recorded {
  notification: SyncNotification;
  deduplicated: boolean;
  occurrences: number;
}

export function createSyncNotifier(options: SyncNotifierOptions): SyncNotifier {
  assertOptionsObject('createSyncNotifier', options);
  const { storage } = options;
  const clock = options.clock ?? systemClock;
  const logger = createRedactingLogger(options.logger ?? silentLogger);
  const windowMs = options.dedupeWindowMs ?? DEFAULT_WINDOW_MS;
  const nameOf = (provider: string) => providerDisplayName(provider, options.providerNames);
  const alerts = createEmailAlerter({
    mailer: options.mailer,
    settings: options.settings,
    appName: options.appName,
    onEmailFailure: options.onEmailFailure,
    log,
  });

  const bursts = new BurstTracker(windowMs);
  const starting = new Map<string, Promise<Recorded>>();
  const healthQueues = new Map<string, Promise<unknown>>();
  /** When each connection was last (re)connected: bursts from before it are closed, even in the store. */
  const connectedAt = new Map<string, number>();
  const inFlight = new Set<Promise<unknown>>();
  const feed = createNotificationFeed({
    storage,
    clock,
    ...(options.providerNames ? { providerNames: options.providerNames } : {}),
  });

  function log(level: 'warn' | 'error', message: string, fields: Record<string, unknown>) {
    try {
      logger.log(level, message, fields);
    } catch {
      // A broken logger must not turn a reported failure into a thrown one.
    }
  }

  /** Read-modify-write of health, serialised per connection so concurrent events in this process do not lose counts. */
  function updateHealth(
    connectionId: string,
    transition: (current: ConnectionHealth) => ConnectionHealth,
  ): Promise<ConnectionHealth | null> {
    const previous = healthQueues.get(connectionId) ?? Promise.resolve();
    const next = previous.then(async () => {
      const connection = await storage.connections.getConnection(connectionId);
      if (!connection) return null;
      const current = connection.health ?? INITIAL_CONNECTION_HEALTH;
      const health = transition(current);
      if (health === current) return null;
      await storage.connections.setConnectionHealth(connectionId, health);
      return health;
    });
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    healthQueues.set(connectionId, settled);
    void settled.then(() => {
      if (healthQueues.get(connectionId) === settled) healthQueues.delete(connectionId);
    });
    return next;
  }

  async function findStoredBurst(key: string, input: FailureInput): Promise<SyncNotification | undefined> {
    // Another process (or this one before a restart) may have stored this burst already.
    const recent = await storage.notifications.listNotifications({
      ownerId: input.event.ownerId,
      connectionId: input.event.connectionId,
      since: Math.max(input.event.at - windowMs, connectedAt.get(input.event.connectionId) ?? 0),
      limit: 100,
    });
    return recent.find((notification) => notification.data.dedupeKey === key);
  }

  /**
   * Counts a repeat in the store, so every process sees the same count. Null when the stored notification is gone
   * (a store that trims or expires old notifications): the caller then starts a new burst.
   */
  async function repeatBurst(burst: SyncNotification, input: FailureInput): Promise<Recorded | null> {
    const updated = await storage.notifications.recordRepeat(burst.ownerId, burst.id, input.event.at);
    if (!updated) return null;
    return { notification: updated, deduplicated: true, occurrences: updated.occurrences };
  }

  async function startBurst(key: string, input: FailureInput): Promise<Recorded> {
    const existing = await findStoredBurst(key, input);
    if (existing) {
      const repeated = await repeatBurst(existing, input);
      if (repeated) {
        bursts.start(key, existing, input.event.at);
        return repeated;
      }
    }
    const { event } = input;
    const context = {
      provider: event.provider,
      providerName: nameOf(event.provider),
      entityType: input.entityType,
      ...(input.field ? { field: input.field } : {}),
    };
    const title = syncFailureTitle(input.category, context);
    const record: NewSyncNotification = {
      ownerId: event.ownerId,
      connectionId: event.connectionId,
      type: input.type,
      severity: syncFailureSeverity(input.category),
      category: input.category,
      entityType: input.entityType,
      localId: input.localId,
      message: input.message || title,
      action: input.action,
      data: {
        provider: event.provider,
        providerName: nameOf(event.provider),
        title,
        code: input.code,
        retryable: input.retryable,
        dedupeKey: key,
      },
      createdAt: event.at,
    };
    const notification = await storage.notifications.appendNotification(record);
    bursts.start(key, notification, event.at);
    return { notification, deduplicated: false, occurrences: notification.occurrences };
  }

  async function recordFailure(key: string, input: FailureInput): Promise<Recorded> {
    const open = bursts.open(key, input.event.at);
    if (open) {
      const repeated = await repeatBurst(open.notification, input);
      if (repeated) return repeated;
      bursts.forget(key);
    }
    // Single flight per key: concurrent repeats wait for the first write instead of each storing a copy.
    const pending = starting.get(key);
    if (pending) {
      await pending.catch(() => undefined);
      return recordFailure(key, input);
    }
    const started = startBurst(key, input);
    starting.set(key, started);
    try {
      return await started;
    } finally {
      starting.delete(key);
    }
  }

  async function handleFailure(
    input: FailureInput,
    outcome: NotifierOutcome,
    health: () => Promise<unknown>,
  ) {
    const { event } = input;
    const key = failureDedupeKey({
      ownerId: event.ownerId,
      connectionId: event.connectionId,
      category: input.category,
      code: input.code,
      entityType: input.entityType,
      localId: input.localId,
    });
    await Promise.all([
      health(),
      recordFailure(key, input).then(
        async (recorded) => {
          outcome.notification = recorded.notification;
          outcome.deduplicated = recorded.deduplicated;
          outcome.occurrences = recorded.occurrences;
          if (recorded.deduplicated) return;
          const { email, settingsError } = await alerts.sendAlert(recorded.notification);
          outcome.email = email;
          if (settingsError) outcome.failures.push({ step: 'settings', error: settingsError });
        },
        (error) => stepFailed(outcome, 'notification', error, event),
      ),
    ]);
  }

  function stepFailed(
    outcome: NotifierOutcome,
    step: NotifierStepFailure['step'],
    error: unknown,
    event: BlueClerkEvent,
  ) {
    const described = summarizeFailure(error);
    outcome.failures.push({ step, error: described });
    log('error', `Could not record ${step} for ${event.type}`, {
      ownerId: event.ownerId,
      connectionId: event.connectionId,
      code: described.code,
      error: described.message,
    });
  }

  function healthStep(
    outcome: NotifierOutcome,
    event: BlueClerkEvent,
    transition: (current: ConnectionHealth) => ConnectionHealth,
  ): () => Promise<void> {
    return () =>
      updateHealth(event.connectionId, transition).then(
        (health) => {
          outcome.health = health;
        },
        (error) => stepFailed(outcome, 'health', error, event),
      );
  }

  async function handle(event: BlueClerkEvent): Promise<NotifierOutcome> {
    const outcome: NotifierOutcome = {
      eventType: event.type,
      notification: null,
      deduplicated: false,
      occurrences: 0,
      health: null,
      email: { status: 'not_applicable' },
      failures: [],
    };
    try {
      switch (event.type) {
        case 'sync.failed': {
          const message = redactText(event.message);
          const action =
            redactText(event.action).trim() ||
            syncFailureAction(event.category, {
              provider: event.provider,
              providerName: nameOf(event.provider),
              entityType: event.entityType,
              ...(event.field ? { field: event.field } : {}),
            });
          const input: FailureInput = {
            event,
            type: event.type,
            category: event.category,
            code: event.code,
            entityType: event.entityType,
            localId: event.localId,
            message,
            action,
            retryable: event.retryable,
            ...(event.field ? { field: event.field } : {}),
          };
          const failure = { at: event.at, category: event.category, message };
          await handleFailure(
            input,
            outcome,
            healthStep(outcome, event, (h) => healthAfterFailure(h, failure)),
          );
          break;
        }
        case 'connection.needs_reconnect': {
          const message = redactText(event.reason).trim();
          const input: FailureInput = {
            event,
            type: event.type,
            category: 'needs_reconnect',
            code: 'needs_reconnect',
            entityType: null,
            localId: null,
            message,
            action: syncFailureAction('needs_reconnect', {
              provider: event.provider,
              providerName: nameOf(event.provider),
            }),
            retryable: false,
          };
          const reconnect = { at: event.at, message: message || 'Reconnect required' };
          await handleFailure(
            input,
            outcome,
            healthStep(outcome, event, (h) => healthAfterNeedsReconnect(h, reconnect)),
          );
          break;
        }
        case 'sync.succeeded': {
          const work: Array<Promise<void>> = [
            healthStep(outcome, event, (h) => healthAfterSuccess(h, event.at))(),
          ];
          if (options.recordSuccesses) work.push(recordSuccess(event, outcome));
          await Promise.all(work);
          break;
        }
        case 'connection.connected':
          bursts.forgetConnection(event.ownerId, event.connectionId);
          connectedAt.set(
            event.connectionId,
            Math.max(event.at + 1, connectedAt.get(event.connectionId) ?? 0),
          );
          await healthStep(outcome, event, healthAfterConnected)();
          break;
        default:
          // token.refreshed, skips, progress and webhook events change neither health nor the failure feed.
          break;
      }
    } catch (error) {
      stepFailed(outcome, 'notification', error, event);
    }
    return outcome;
  }

  async function recordSuccess(
    event: Extract<BlueClerkEvent, { type: 'sync.succeeded' }>,
    outcome: NotifierOutcome,
  ): Promise<void> {
    const provider = nameOf(event.provider);
    try {
      outcome.notification = await storage.notifications.appendNotification({
        ownerId: event.ownerId,
        connectionId: event.connectionId,
        type: event.type,
        severity: 'info',
        category: null,
        entityType: event.entityType,
        localId: event.localId,
        message: `${capitalise(event.entityType)} ${event.localId} ${event.action} in ${provider}`,
        action: null,
        data: { provider: event.provider, providerName: provider, providerId: event.providerId },
        createdAt: event.at,
      });
      outcome.occurrences = 1;
    } catch (error) {
      stepFailed(outcome, 'notification', error, event);
    }
  }

  return {
    ...feed,
    handle,
    attach(bus) {
      return bus.subscribe((event) => {
        const done = handle(event);
        inFlight.add(done);
        void done.then(() => inFlight.delete(done));
      });
    },
    async drain() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

function capitalise(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}
