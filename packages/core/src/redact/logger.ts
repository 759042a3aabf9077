import { ConfigurationError } from '../errors/index';
import { describeType } from '../runtime/arguments';
import type { Logger } from '../runtime/logger';
import { redactText } from './redact-text';
import { redactValue } from './redact-value';

const WRAPPED = Symbol.for('blueclerk.redactingLogger');

/**
 * Wraps a logger so every message and field goes through redaction before it reaches it. Wrapping twice is a no-op.
 *
 * @example
 * const logger = createRedactingLogger({ log: (level, message, fields) => pino[level](fields, message) });
 */
export function createRedactingLogger(logger: Logger): Logger {
  if (typeof (logger as { log?: unknown } | null)?.log !== 'function') {
    // Checked here, not at the first log line: a logger that cannot log would fail in the middle of a sync.
    throw new ConfigurationError(
      'logger',
      `createRedactingLogger: logger must be an object with a log(level, message, fields) method, got ${describeType(logger)}`,
    );
  }
  if ((logger as unknown as Record<symbol, unknown>)[WRAPPED] === true) return logger;
  const wrapped: Logger & { [WRAPPED]: true } = {
    [WRAPPED]: true,
    log(level, message, fields) {
      let safeMessage: string;
      let safeFields: Record<string, unknown> | undefined;
      try {
        safeMessage = redactText(String(message));
        safeFields = fields === undefined ? undefined : redactValue(fields);
      } catch {
        // Redaction should never throw; if it does, losing a log line beats logging a secret.
        safeMessage = '[log message dropped: redaction failed]';
        safeFields = undefined;
      }
      logger.log(level, safeMessage, safeFields);
    },
  };
  return wrapped;
}
