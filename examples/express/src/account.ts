import type { Request, RequestHandler, Response } from 'express';

/**
 * Who is signed in. **This example has no sign-in**: `demoAccount()` makes every request act as one fixed business
 * account, so anyone who can reach the port manages its integrations, invoices and payments. That is why the server
 * listens on 127.0.0.1 by default.
 *
 * Your app plugs its own authentication in here: a middleware (passed to `createApp` as `authenticate`) that reads
 * its session, checks the user may manage this account's integrations, calls `setAccount(res, accountId)` and
 * answers 401 itself when there is no session. Every route, the OAuth callback's `expectedOwnerId` included, reads
 * the account through `accountOf(req)` and nowhere else - never from a header or body the client controls.
 */
export const DEMO_ACCOUNT_ID = 'acct_demo';

const ACCOUNT_KEY = 'blueclerkAccountId';

export function setAccount(res: Response, accountId: string): void {
  res.locals[ACCOUNT_KEY] = accountId;
}

/** The account the authenticate middleware set. Throws (500, fail closed) when no middleware set one. */
export function accountOf(req: Request): string {
  const accountId: unknown = req.res?.locals[ACCOUNT_KEY];
  if (typeof accountId !== 'string' || accountId === '') {
    throw new Error('No account on this request: mount an authenticate middleware before the routes');
  }
  return accountId;
}

/** The demo's stand-in for authentication: every request is the demo account. Unauthenticated by design. */
export function demoAccount(): RequestHandler {
  return (_req, res, next) => {
    setAccount(res, DEMO_ACCOUNT_ID);
    next();
  };
}
