import { describe, expect, it } from 'vitest';
import { BlueClerkError, categorizeError, RateLimitError } from './index';

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
