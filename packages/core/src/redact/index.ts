export { createRedactingLogger } from './logger';
export { redactText } from './redact-text';
export { redactError, redactValue } from './redact-value';
export {
  clearRegisteredSecrets,
  MAX_REGISTERED_SECRETS,
  MIN_SECRET_LENGTH,
  registeredSecretCount,
  registerSecret,
} from './secret-registry';
export { isSensitiveKey, looksLikeErrorCode, REDACTED } from './sensitive-keys';
