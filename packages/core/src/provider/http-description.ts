import type { LimitHeader } from '../http/rate-limit';
import type { ClassifyError, RetrySettings } from '../http/types';

/**
 * The HTTP facts of a provider that are not capabilities: where its API lives and how to read its answers.
 * Core combines it with `capabilities` (limits, idempotency placement, batch pacing) into the profile of every
 * connection's client (`providerHttpProfile`), so no fact is declared twice.
 */
export interface ProviderHttpDescription {
  /** Absolute base URL of the API; request paths are appended to it. */
  readonly baseUrl: string;
  /** Sent with every request (Accept, API version ...). Never secrets. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Per-attempt timeout in ms. */
  readonly timeoutMs: number;
  /** Retry tuning; defaults in `DEFAULT_RETRY_SETTINGS`. */
  readonly retry?: Partial<RetrySettings>;
  /** Remaining-budget headers the provider sends (Xero `X-MinLimit-Remaining`, `X-DayLimit-Remaining`). */
  readonly limitHeaders?: readonly LimitHeader[];
  /**
   * Sees every response except 401 and 429 - 2xx included, because some providers report failures inside a 200
   * (GraphQL `errors`, Wave's `didSucceed: false`). Returns the typed error, or null to accept a 2xx / use
   * `defaultClassifyError` for anything else.
   */
  readonly classifyResponse: ClassifyError;
}
