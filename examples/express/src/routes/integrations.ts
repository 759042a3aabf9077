import { AuthError, bindingFromRequest, clearBindingCookie, setBindingCookie } from '@blueclerk/core';
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { simulatorConsentUrl } from '../simulator';
import { param, parseInput, type RouteContext } from './context';

/**
 * Settings > Integrations: list connections with their health, connect, reconnect, disconnect, import again - and
 * the OAuth callback Intuit redirects the browser to.
 */
const ConnectBody = z.object({
  /** Where the browser lands after connecting: a relative path of this app. */
  returnTo: z.string().min(1).max(2000).optional(),
});
const ImportBody = z.object({ restart: z.boolean().optional() });

export function integrationRoutes(ctx: RouteContext): Router {
  const router = Router();
  const { connect, notifier } = ctx.blueclerk;

  const startConnect = async (
    req: Request,
    res: Response,
    input: z.output<typeof ConnectBody>,
    connectionId?: string,
  ) => {
    const started = await connect.start({
      provider: 'quickbooks',
      ownerId: ctx.accountOf(req),
      ...(connectionId ? { connectionId } : {}),
      ...(input.returnTo ? { returnTo: input.returnTo } : {}),
    });
    // Ties the attempt to this browser: the callback must come back with this cookie (login CSRF).
    setBindingCookie(res, started);
    // In simulator mode the browser goes to this app's relay: Intuit's real consent page knows no simulator. Built on
    // the configured origin: the Host header is the client's to choose, so it never goes into a redirect.
    const url = ctx.config.simulator
      ? simulatorConsentUrl(ctx.config.publicOrigin, started.url)
      : started.url;
    // `state` stays out of the response body: it is in the URL already, and nothing else needs it.
    return { url, connectionId: started.connectionId };
  };

  router.get('/integrations', async (req, res) => {
    const accountId = ctx.accountOf(req);
    const connections = await notifier.listConnectionHealth({ ownerId: accountId });
    res.json({
      integrations: connections.map((connection) => ({
        ...connection,
        import: ctx.imports.report(connection.connectionId),
      })),
    });
  });

  router.post('/integrations/quickbooks/connect', async (req, res) => {
    res.json(await startConnect(req, res, parseInput(ConnectBody, req.body)));
  });

  // The same as a link: `<a href="/integrations/quickbooks/connect?returnTo=/settings">Connect QuickBooks</a>`.
  router.get('/integrations/quickbooks/connect', async (req, res) => {
    const { url } = await startConnect(req, res, parseInput(ConnectBody, req.query));
    res.redirect(302, url);
  });

  router.post('/integrations/:id/reconnect', async (req, res) => {
    const connection = await ctx.ownedConnection(ctx.accountOf(req), param(req, 'id'));
    res.json(await startConnect(req, res, parseInput(ConnectBody, req.body), connection.id));
  });

  router.post('/integrations/:id/disconnect', async (req, res) => {
    const connection = await ctx.ownedConnection(ctx.accountOf(req), param(req, 'id'));
    const result = await connect.disconnect(connection.id);
    res.json({
      connectionId: result.connection.id,
      connectionStatus: result.connection.status,
      revoked: result.revoked,
      revokeError: result.revokeError,
    });
  });

  router.post('/integrations/:id/import', async (req, res) => {
    const connection = await ctx.ownedConnection(ctx.accountOf(req), param(req, 'id'));
    if (connection.status !== 'active') {
      throw new AuthError('needs_reconnect', `Connection ${connection.id} is ${connection.status}`, {
        action: 'Reconnect QuickBooks in Settings > Integrations, then import again.',
      });
    }
    const { restart } = parseInput(ImportBody, req.body);
    res.json(await ctx.imports.run(connection.id, { restart: restart ?? false }));
  });

  router.get('/oauth/quickbooks/callback', async (req, res) => {
    // The whole redirect URL: core verifies `state` (signed, encrypted, single use), exchanges the code and stores the
    // sealed tokens. Nothing from the query string is trusted before that.
    // The binding cookie proves this browser started the attempt; the signed-in account must be the one that did.
    const connection = await connect.handleCallback(req.originalUrl, {
      provider: 'quickbooks',
      browserBinding: bindingFromRequest(req, 'quickbooks'),
      expectedOwnerId: ctx.accountOf(req),
    });
    res.append('Set-Cookie', clearBindingCookie('quickbooks'));
    // Fire and forget: the browser goes back to the app while customers and items come in.
    void ctx.imports.run(connection.id);
    res.redirect(302, connection.returnTo ?? '/integrations');
  });

  return router;
}
