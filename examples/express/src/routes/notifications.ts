import { Router } from 'express';
import { z } from 'zod';
import { parseInput, type RouteContext } from './context';

/**
 * The in-app notification list, "mark read", and the feed of the "recent sync failures" banner. Read straight from
 * the SDK's notifier, which the engine and token manager feed through events.
 */
const ListQuery = z.object({
  unreadOnly: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});
const BannerQuery = z.object({
  windowHours: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .optional(),
});
const ReadBody = z.object({ ids: z.array(z.string().min(1)).min(1).max(500) });

export function notificationRoutes(ctx: RouteContext): Router {
  const router = Router();
  const { notifier } = ctx.blueclerk;

  router.get('/notifications', async (req, res) => {
    const query = parseInput(ListQuery, req.query);
    // Events are handled asynchronously; waiting here means a page loaded right after a sync shows its outcome.
    await notifier.drain();
    const notifications = await notifier.listNotifications({
      ownerId: ctx.accountOf(req),
      unreadOnly: query.unreadOnly === 'true',
      limit: query.limit ?? 50,
    });
    res.json({ notifications });
  });

  router.post('/notifications/read', async (req, res) => {
    const { ids } = parseInput(ReadBody, req.body);
    res.json({ updated: await notifier.markRead(ctx.accountOf(req), ids) });
  });

  router.get('/notifications/banner', async (req, res) => {
    const { windowHours } = parseInput(BannerQuery, req.query);
    await notifier.drain();
    const banner = await notifier.recentFailuresBanner({
      ownerId: ctx.accountOf(req),
      ...(windowHours ? { windowMs: windowHours * 60 * 60 * 1000 } : {}),
    });
    res.json(banner);
  });

  return router;
}
