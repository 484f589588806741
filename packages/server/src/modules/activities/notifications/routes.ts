import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Platform } from '../../../platform/kernel.ts';
import { recordContext } from '../../../platform/http/context.ts';
import { listNotifications, markAllNotificationsRead, markNotificationRead, parseListQuery } from './inbox.ts';
import { getNotificationSettings, parseSettingsInput, saveNotificationSettings } from './settings.ts';
import { NotificationHub } from './hub.ts';

type Q = Record<string, string | undefined>;

declare module 'fastify' {
  interface FastifyInstance {
    /** This process's live-notification hub (tests read its connection count). */
    notificationHub: NotificationHub;
  }
}

/**
 * The signed-in user's notifications (docs/activities.md, "Reminders and escalation"): the list,
 * reads, channel settings and the live stream (server-sent events). One hub per app, so one
 * poller per process however many streams are open; it stops with the app.
 */
export function registerNotificationRoutes(app: FastifyInstance, platform: Platform): void {
  const hub = new NotificationHub(platform);
  const ctxOf = (request: FastifyRequest) => recordContext(platform, request);
  app.addHook('preClose', () => hub.stop());
  app.decorate('notificationHub', hub);

  app.get('/api/v1/me/notifications', async (request) => listNotifications({ ctx: ctxOf(request), ...parseListQuery(request.query as Q) }));

  app.post('/api/v1/me/notifications/:id/read', async (request, reply) => {
    const ctx = ctxOf(request);
    await markNotificationRead({ ctx, id: (request.params as { id: string }).id });
    await hub.publishUnread(ctx.actor.userId);
    return reply.status(204).send();
  });

  app.post('/api/v1/me/notifications/read-all', async (request) => {
    const ctx = ctxOf(request);
    const result = await markAllNotificationsRead({ ctx });
    await hub.publishUnread(ctx.actor.userId);
    return result;
  });

  app.get('/api/v1/me/notification-settings', async (request) => getNotificationSettings(ctxOf(request)));
  app.put('/api/v1/me/notification-settings', async (request) => saveNotificationSettings({ ctx: ctxOf(request), input: parseSettingsInput(request.body) }));

  // text/event-stream: `unread` {count} on connect and after reads, `notification` for each new
  // one, a comment every 25 s so proxies keep the connection. The response is taken over from
  // Fastify (hijack) and lives until the client goes or the app closes.
  app.get('/api/v1/me/notifications/stream', async (request, reply) => {
    const userId = ctxOf(request).actor.userId!;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 5000\n\n');
    // The response closes when the client goes away (or stop() ends it): forget the stream then.
    res.on('close', () => hub.disconnect(userId, res));
    try {
      await hub.connect(userId, res);
    } catch (error) {
      platform.logger.warn({ err: error }, 'notification stream failed');
      res.end();
    }
  });
}
