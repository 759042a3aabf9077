/**
 * What fault rules and rate windows match on: a request as a provider simulator resolved it. The simulator builds
 * one per request (after routing, so it knows which company the request addresses) and hands it to the fault
 * injector and the rate limiter.
 */
export interface SimulatedRequest {
  /** Upper-case HTTP method. */
  method: string;
  url: URL;
  /**
   * The company / organisation / business the request addresses (a rate-limit key and a fault-match field), or null
   * for requests that address none (OAuth endpoints).
   */
  tenant: string | null;
}

/** Builds the `SimulatedRequest` of a Fetch request. */
export function describeRequest(request: Request, tenant: string | null = null): SimulatedRequest {
  return { method: request.method.toUpperCase(), url: new URL(request.url), tenant };
}
