import type { ConnectionHealth } from '../storage/connections';
import { isReconnectCategory } from './messages';

/** Health of a connection nothing has happened to yet. */
export const INITIAL_CONNECTION_HEALTH: ConnectionHealth = {
  status: 'healthy',
  lastSuccessAt: null,
  lastErrorAt: null,
  lastError: null,
  consecutiveFailures: 0,
};

/**
 * Pure transitions, so the rules read in one place. Events can arrive out of order (listeners run concurrently), so a
 * failure older than the last success does not degrade a connection, and a success older than the last error does not
 * heal it.
 */
export function healthAfterFailure(
  current: ConnectionHealth,
  failure: { at: number; category: string; message: string },
): ConnectionHealth {
  if (current.lastSuccessAt !== null && failure.at < current.lastSuccessAt) return current;
  const needsReconnect = isReconnectCategory(failure.category) || current.status === 'needs_reconnect';
  return {
    status: needsReconnect ? 'needs_reconnect' : 'degraded',
    lastSuccessAt: current.lastSuccessAt,
    lastErrorAt: Math.max(failure.at, current.lastErrorAt ?? failure.at),
    lastError: { category: failure.category, message: failure.message },
    consecutiveFailures: current.consecutiveFailures + 1,
  };
}

/** A provider call worked: the token is good, so this also clears `needs_reconnect`. Last error stays as history. */
export function healthAfterSuccess(current: ConnectionHealth, at: number): ConnectionHealth {
  const lastSuccessAt = Math.max(at, current.lastSuccessAt ?? at);
  if (current.lastErrorAt !== null && at < current.lastErrorAt) {
    return { ...current, lastSuccessAt };
  }
  return { ...current, status: 'healthy', lastSuccessAt, consecutiveFailures: 0 };
}

/** The token manager gave up (e.g. `invalid_grant`): only a human reconnecting fixes it. */
export function healthAfterNeedsReconnect(
  current: ConnectionHealth,
  event: { at: number; message: string },
): ConnectionHealth {
  return {
    ...current,
    status: 'needs_reconnect',
    lastErrorAt: Math.max(event.at, current.lastErrorAt ?? event.at),
    lastError: { category: 'needs_reconnect', message: event.message },
  };
}

/** A fresh connect starts clean; the last success is kept because it is still true. */
export function healthAfterConnected(current: ConnectionHealth): ConnectionHealth {
  return { ...INITIAL_CONNECTION_HEALTH, lastSuccessAt: current.lastSuccessAt };
}
