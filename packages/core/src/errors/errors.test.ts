import { describe, expect, it } from 'vitest';
import { redactError } from '../redact/index';
import {
  BlueClerkError,
  ConfigurationError,
  categorizeError,
  RateLimitError,
  ValidationError,
} from './index';

describe('BlueClerkError', () => {
  it('is recognised by its marker and carries a stable code and category', () => {
    const error = new RateLimitError('slow down', 2000);
    expect(BlueClerkError.isInstance(error)).toBe(true);
    expect(BlueClerkError.isInstance(new Error('plain'))).toBe(false);
    expect(error.code).toBe('rate_limited');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(2000);
    expect(categorizeError(error)).toBe('rate_limited');
    expect(categorizeError(new Error('x'))).toBe('internal');
  });
});

describe('per-class isInstance', () => {
  it('recognises each class by its own marker, through redacted copies and across copies of core', () => {
    const config = new ConfigurationError('stateSecret', 'too short');
    const rate = new RateLimitError('slow down', 1000);
    expect(ConfigurationError.isInstance(config)).toBe(true);
    expect(ValidationError.isInstance(config)).toBe(false);
    expect(RateLimitError.isInstance(rate)).toBe(true);
    expect(ConfigurationError.isInstance(rate)).toBe(false);
    expect(BlueClerkError.isInstance(rate)).toBe(true);
    expect(RateLimitError.isInstance(redactError(rate))).toBe(true);
    // Another installed copy of core builds a different class with the same marker: instanceof fails, isInstance not.
    const foreign = Object.assign(Object.create(Error.prototype), {
      [Symbol.for('blueclerk.error')]: true,
      [Symbol.for('blueclerk.error.RateLimitError')]: true,
      code: 'rate_limited',
    });
    expect(foreign instanceof RateLimitError).toBe(false);
    expect(RateLimitError.isInstance(foreign)).toBe(true);
    expect(RateLimitError.isInstance(new Error('plain'))).toBe(false);
    expect(RateLimitError.isInstance(null)).toBe(false);
  });
});
