import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Platform } from '../kernel.ts';
import { recordContext } from '../http/context.ts';
import { listNotifications, markAllNotificationsRead, markNotificationRead, parseListQuery } from './inbox.ts';
import { NotificationHub } from './hub.ts';
import { NoContent, T, Uuid, routeSchema } from '../http/schema/common.ts';

const NotificationSchema = T.Object({
  id: Uuid,
  kind: T.String({ description: 'reminder, escalation, expiry, webhook.disabled, …' }),
  object: T.Union([T.String(), T.Null()]),
  recordId: T.Union([Uuid, T.Null()]),
  occurrence: T.Union([T.String(), T.Null()]),
  title: T.String(),
  body: T.String(),
  createdAt: T.String({ format: 'date-time' }),
  readAt: T.Union([T.String({ format: 'date-time' }), T.Null()]),
  data: T.Record(T.String(), T.Unknown()),
});
const tags = ['notifications'];

type Q = Record<string, string | undefined>;

declare module 'fastify' {
  interface FastifyInstance {
    /** This process's live-notification hub (tests read its connection count). */
    notificationHub: NotificationHub;
  }
}

/**
 * The signed-in user's notifications, whoever wrote them (reminders, escalations, disabled
 * webhooks…): the list, reads and the live stream (server-sent events). One hub per app, so one
 * poller per process however many streams are open; it stops with the app.
 */
export function registerNotificationRoutes(app: FastifyInstance, platform: Platform): void {
  const hub = new NotificationHub(platform);
  const ctxOf = (request: FastifyRequest) => recordContext(platform, request);
  app.addHook('preClose', () => hub.stop());
  app.decorate('notificationHub', hub);

  app.get('/api/v1/me/notifications', {
    schema: routeSchema({
      tags,
      operationId: 'listNotifications',
      summary: 'Your notifications, newest first, with the unread count',
      querystring: T.Object({ unread: T.Optional(T.Union([T.Literal('true'), T.Literal('false')])), limit: T.Optional(T.String({ pattern: '^[0-9]{1,3}$' })), cursor: T.Optional(T.String({ maxLength: 200 })) }),
      response: { 200: T.Object({ data: T.Array(NotificationSchema), unreadCount: T.Integer(), nextCursor: T.Union([T.String(), T.Null()]) }) },
    }),
  }, async (request) => listNotifications({ ctx: ctxOf(request), ...parseListQuery(request.query as Q) }));

  app.post('/api/v1/me/notifications/:id/read', {
    schema: routeSchema({ tags, operationId: 'markNotificationRead', summary: 'Mark one notification read', params: T.Object({ id: T.String({ maxLength: 64 }) }), response: { 204: NoContent } }),
  }, async (request, reply) => {
    const ctx = ctxOf(request);
    await markNotificationRead({ ctx, id: (request.params as { id: string }).id });
    await hub.publishUnread(ctx.actor.userId);
    return reply.status(204).send();
  });

  app.post('/api/v1/me/notifications/read-all', {
    schema: routeSchema({ tags, operationId: 'markAllNotificationsRead', summary: 'Mark all your notifications read', response: { 200: T.Object({ updated: T.Integer() }) } }),
  }, async (request) => {
    const ctx = ctxOf(request);
    const result = await markAllNotificationsRead({ ctx });
    await hub.publishUnread(ctx.actor.userId);
    return result;
  });

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
