/**
 * The one logger interface. Pass your own (pino, winston, console) wrapped in `createRedactingLogger` from
 * `redact/`; the SDK never logs a token, secret, authorization code or Authorization header.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { log: () => {} };
