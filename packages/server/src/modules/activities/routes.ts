import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Platform } from '../../platform/kernel.ts';
import { recordContext } from '../../platform/http/context.ts';
import { withIdempotency } from '../../platform/http/idempotency.ts';
import { createFollowUp, parseFollowUpInput } from './commands/createFollowUp.ts';
import { logActivity, parseLogActivityInput } from './commands/logActivity.ts';
import { getTimeline, parseTimelineLimit } from './queries/timeline.ts';
import { getAgenda, parseWindow } from './queries/agenda.ts';
import { buildCalendarFeed, calendarFeedUrl, feedUser } from './queries/calendarFeed.ts';
import { buildActor, type UserRow } from '../../platform/auth/sessions.ts';
import { sql } from 'kysely';
import { editOccurrence, parseEditOccurrenceInput, RECURRING_OBJECTS } from './commands/editOccurrence.ts';
import { registerAttachmentRoutes } from './attachments/routes.ts';
import { registerNotificationRoutes } from './notifications/routes.ts';
import { registerSchedulingRoutes } from './scheduling/routes.ts';

type Q = Record<string, string | undefined>;
type P = { object: string; id: string };

/**
 * Routes of the activities module beyond generic CRUD (docs/activities.md has curl examples):
 * timeline and follow-ups on any record, the user's agenda, notifications and calendar feed,
 * occurrence edits of recurring activities, and the token-authorised /ical feed.
 */
export function registerActivityRoutes(app: FastifyInstance, platform: Platform): void {
  const ctxOf = (request: FastifyRequest) => recordContext(platform, request);
  const fresh = () => platform.registry.ensureFresh();
  registerAttachmentRoutes(app, platform);

  app.get('/api/v1/:object/:id/timeline', async (request) => {
    await fresh();
    const q = request.query as Q;
    const p = request.params as P;
    return getTimeline({ ctx: ctxOf(request), object: p.object, id: p.id, cursor: q.cursor || undefined, limit: parseTimelineLimit(q.limit) });
  });

  app.post('/api/v1/:object/:id/follow-ups', async (request, reply) => {
    await fresh();
    const p = request.params as P;
    const input = parseFollowUpInput(request.body);
    return withIdempotency({ request, reply, ctx: ctxOf(request), status: 201, run: (ctx) => createFollowUp({ ctx, object: p.object, id: p.id, input }) });
  });

  app.post('/api/v1/:object/:id/activities', async (request, reply) => {
    await fresh();
    const p = request.params as P;
    const input = parseLogActivityInput(request.body);
    return withIdempotency({ request, reply, ctx: ctxOf(request), status: 201, run: (ctx) => logActivity({ ctx, object: p.object, id: p.id, input }) });
  });

  app.get('/api/v1/me/agenda', async (request) => {
    const ctx = ctxOf(request);
    const { from, to } = parseWindow(request.query as Q, ctx.actor.timeZone);
    return { timeZone: ctx.actor.timeZone, data: await getAgenda({ ctx, from, to }) };
  });

  registerNotificationRoutes(app, platform);
  registerSchedulingRoutes(app, platform);

  app.get('/api/v1/me/calendar-feed', async (request) => calendarFeedUrl(ctxOf(request), false));
  app.post('/api/v1/me/calendar-feed', async (request) => calendarFeedUrl(ctxOf(request), true));

  // Outside /api: no session or API token; the secret in the URL is the only credential.
  app.get('/ical/:file', async (request, reply) => {
    const file = (request.params as { file: string }).file;
    const m = /^(.+)\.ics$/.exec(file);
    const userId = m ? await feedUser(platform, m[1]!) : undefined;
    const r = userId
      ? await sql<UserRow>`SELECT id, email, profile, role, active, time_zone, locale, full_name FROM obj_user WHERE id = ${userId}::uuid AND deleted_at IS NULL`.execute(platform.db)
      : undefined;
    const user = r?.rows[0];
    if (!user || user.active === false) return reply.status(404).type('text/plain').send('Not found');
    await fresh();
    const actor = await buildActor(platform, user, 'api');
    const body = await buildCalendarFeed({ platform, actor });
    return reply.type('text/calendar; charset=utf-8').header('cache-control', 'private, max-age=300').send(body);
  });

  for (const object of RECURRING_OBJECTS) {
    app.post(`/api/v1/${object}/:id/occurrences/edit`, async (request, reply) => {
      const input = parseEditOccurrenceInput(request.body);
      return withIdempotency({ request, reply, ctx: ctxOf(request), status: 200, run: (ctx) => editOccurrence({ ctx, object, id: (request.params as P).id, input }) });
    });
  }
}
