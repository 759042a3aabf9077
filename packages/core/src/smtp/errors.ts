import { type BlueClerkError, ConfigurationError, NetworkError, ProviderError } from '../errors/index';
import { redactText } from '../redact/index';

interface NodemailerErrorShape {
  message?: unknown;
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
}

const NETWORK_CODES = new Set([
  'ECONNECTION',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPROXY',
]);

/**
 * Classifies a nodemailer failure into core's typed errors. The raw error is not attached as `cause`: its fields include
 * the SMTP transcript, and the message we build carries everything an operator needs (code, SMTP reply, command).
 */
export function toSmtpError(error: unknown): BlueClerkError {
  const shape: NodemailerErrorShape =
    typeof error === 'object' && error !== null ? error : { message: error };
  const code = typeof shape.code === 'string' ? shape.code : undefined;
  const responseCode = typeof shape.responseCode === 'number' ? shape.responseCode : undefined;
  const command = typeof shape.command === 'string' ? shape.command : undefined;
  const reply = redactText(
    typeof shape.response === 'string' ? shape.response : String(shape.message ?? 'unknown error'),
  ).slice(0, 300);
  const details = { smtpCode: code, responseCode, command };

  if (code === 'EAUTH' || code === 'ENOAUTH') {
    return new ConfigurationError('smtp.auth', `SMTP server refused the login: ${reply}`, { details });
  }
  if (code === 'ETIMEDOUT') {
    return new NetworkError('timeout', `SMTP server did not answer in time: ${reply}`, { details });
  }
  if (code === 'ECONFIG') {
    return new ConfigurationError('smtp', `SMTP configuration rejected by nodemailer: ${reply}`, { details });
  }
  if (code && NETWORK_CODES.has(code) && responseCode === undefined) {
    return new NetworkError('network', `Could not talk to the SMTP server: ${reply}`, { details });
  }
  // 4xx replies are transient by RFC 5321 (mailbox busy, greylisting); 5xx are permanent.
  const retryable = responseCode !== undefined && responseCode >= 400 && responseCode < 500;
  return new ProviderError('provider_error', `SMTP server rejected the message: ${reply}`, {
    ...(responseCode === undefined ? {} : { status: responseCode }),
    providerCode: code,
    retryable,
    details,
  });
}
