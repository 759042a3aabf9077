import type { ErrorCode } from '../../errors/index';
import type { HttpMethod } from '../../http/types';
import type { AccountRef } from '../../model/common';
import type { ProviderCallContext } from '../../provider/context';
import type { AccountingProvider } from '../../provider/spec';
import type { EntityType } from '../../storage/types';

/**
 * One response exactly as the provider puts it on the wire. The suite feeds it to `provider.http.classifyResponse`
 * the way core's HTTP layer does (falling back to `defaultClassifyError` for a non-2xx the classifier leaves alone).
 * 401 and 429 are not accepted: core types those itself before any classifier runs.
 */
export interface WireResponseSample {
  /** What the sample is, for failure messages: `duplicate customer name (Fault 6240)`. */
  name: string;
  status: number;
  headers?: Readonly<Record<string, string>>;
  /** The body as sent: text, or a JSON value (sent as `application/json`). */
  body: string | object;
  /** The request it answers. Default `POST /conformance`. */
  method?: HttpMethod;
  path?: string;
  /** The core code it must classify to, or null for a 2xx the classifier must accept. */
  code: ErrorCode | null;
  /** The `retryable` flag expected, when it matters. A 5xx `provider_error` must be retryable regardless. */
  retryable?: boolean;
}

/** Operations the suite can ask a setup to fault. */
export type ConformanceFaultOperation = 'payments.create';

/** Switches of the provider's simulator the suite uses. */
export interface ConformanceFaults {
  /**
   * The next call of `operation` is performed by the provider (it commits) but its response never reaches the
   * client: the connection drops after the write. QuickBooks: the simulator's `lose_response` fault on
   * `POST /payment`; the fake: `fake.loseNextResponse('payments.create')`.
   */
  loseNextResponse(operation: ConformanceFaultOperation): void;
}

/** What the pull clause needs to page through `pullChanges` in reasonable time. */
export interface PullFixture {
  /**
   * The most changes one `pullChanges` call returns in this setup (the fake: its page size; QuickBooks: CDC's 1000).
   * The suite makes one more change than this before its first pull, so every provider pages at least once.
   */
  pageSize: number;
  /**
   * Creates `count` records of `entityType` in the provider directly, as edits in its web app would, and returns
   * their provider ids. Lets a provider with a large page exceed it without `count` API calls. Default: the suite
   * creates them through the provider's own operations.
   */
  createExternally?(entityType: EntityType, count: number): Promise<string[]>;
}

/** Connection settings fixtures, required when the provider declares `connectionSettings`. */
export interface ConnectionSettingsFixture {
  /** Settings a connected company could have; they must parse. */
  valid: Readonly<Record<string, unknown>>;
  /** Settings the schema must refuse, each with the field the refusal must name (`settings.<field>`). */
  invalid: ReadonlyArray<{ settings: Readonly<Record<string, unknown>>; field: string }>;
  /** The schema refuses unknown keys (zod `strictObject`). */
  strict: boolean;
}

/** What a provider package's test supplies, per test: usually a fresh simulator and a context pointing at it. */
export interface ProviderConformanceSetup<THttp> {
  /**
   * The provider instance to test in this setup, when it carries the simulator's state itself (like the fake
   * provider). Default: a fresh `createProvider()`.
   */
  provider?: AccountingProvider<THttp>;
  /** Context for calls against the simulator (tenant + HTTP client wired to it). */
  context: ProviderCallContext<THttp>;
  /** Currency of the simulated company. Default USD. */
  currency?: string;
  /** An income account that exists in the simulator (required where items need one). */
  incomeAccount?: AccountRef;
  /** Whether items keep a SKU (false for Wave). Default true. */
  itemsHaveSku?: boolean;
  /** Webhook fixtures; required when the provider supports webhooks. */
  webhook?: {
    secret: string;
    /** A signed delivery with at least one event, exactly as the provider would send it. */
    sampleDelivery(): Promise<{ rawBody: string; headers: Record<string, string> }>;
  };
  /**
   * Raw responses and the code each must classify to. Required: a 2xx the classifier accepts, a duplicate, a
   * refused request (`validation_failed`), a 5xx (`provider_error`) and, with versioned updates, a stale version
   * (`conflict`). More are welcome (a 403, a 200 that reports a failure ...).
   */
  wireResponses?: readonly WireResponseSample[];
  /** Simulator switches; required when payments go through the API (lost-response recovery). */
  faults?: ConformanceFaults;
  /** Required when the provider has `pullChanges`. */
  pulls?: PullFixture;
  /** Required when the provider declares `connectionSettings`. */
  connectionSettings?: ConnectionSettingsFixture;
  teardown?: () => Promise<void>;
}

export interface ProviderConformanceOptions<THttp> {
  /** Shown in the suite title, e.g. `quickbooks (simulator)`. */
  name: string;
  createProvider: () => AccountingProvider<THttp>;
  setup: () => Promise<ProviderConformanceSetup<THttp>>;
}
