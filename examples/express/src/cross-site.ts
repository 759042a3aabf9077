import type { Request, RequestHandler } from 'express';
import { appErrorBody } from './http-errors';

/**
 * Cross-site request forgery guard. The browser attaches this app's cookies to a request that a page on any other
 * site triggers (a hidden auto-submitting form, a no-cors `fetch`), so a state-changing request must show that it
 * comes from one of this app's own pages. Refused with 403 `cross_site_request`:
 * - an `Origin` that is not the app's public origin (`null` included: sandboxed frames, privacy redirects);
 * - with no `Origin`, a `Referer` from another origin;
 * - a body type a page elsewhere can send without a CORS preflight (form encodings and `text/plain`). The app only
 *   takes JSON, and a browser sends JSON cross-site only after a preflight this app never approves.
 * Requests with neither header and a JSON (or no) body pass: that is curl or a server, which holds no victim's
 * cookies. GET and HEAD change nothing, so links into the app (the connect link) keep working from anywhere.
 */
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// The CORS-safelisted Content-Type values (Fetch standard): the only ones sent cross-site without a preflight.
const PREFLIGHT_FREE_TYPES = new Set([
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
]);

export interface CrossSiteGuardOptions {
  /** The app's public origin (`config.publicOrigin`). */
  origin: string;
  /** Paths authenticated by other means and called by servers, e.g. a signed webhook endpoint. Exact match. */
  exemptPaths: readonly string[];
}

function originOf(value: string): string | null {
  try {
    const origin = new URL(value).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/** Why the request looks cross-site, or null when it may go on. */
function crossSiteProblem(req: Request, ownOrigin: string): string | null {
  const origin = req.get('origin');
  if (origin !== undefined) {
    if (originOf(origin) !== ownOrigin) return 'The request comes from another site (Origin)';
  } else {
    const referer = req.get('referer');
    if (referer !== undefined && originOf(referer) !== ownOrigin)
      return 'The request comes from another site (Referer)';
  }
  const type = req.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== undefined && PREFLIGHT_FREE_TYPES.has(type))
    return 'Form submissions are refused: this API takes JSON (Content-Type: application/json)';
  return null;
}

export function refuseCrossSiteRequests(options: CrossSiteGuardOptions): RequestHandler {
  const ownOrigin = new URL(options.origin).origin;
  const exempt = new Set(options.exemptPaths);
  return (req, res, next) => {
    if (!STATE_CHANGING.has(req.method) || exempt.has(req.path)) {
      next();
      return;
    }
    const problem = crossSiteProblem(req, ownOrigin);
    if (!problem) {
      next();
      return;
    }
    res.status(403).json(appErrorBody('cross_site_request', problem, `Send it from a page of ${ownOrigin}.`));
  };
}
