import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Platform } from '../../platform/kernel.ts';
import { recordContext } from '../../platform/http/context.ts';
import { PathId, RecordSchema, T, Uuid, routeSchema } from '../../platform/http/schema/common.ts';

const RecordParams = T.Object({ object: T.String({ maxLength: 63 }), id: PathId });
const FeedUrl = T.Object({ url: T.String() });
const NullableString = (description?: string) => T.Union([T.String(), T.Null()], description ? { description } : {});
const AgendaItemSchema = T.Object({
  object: T.Union([T.Literal('meeting'), T.Literal('call'), T.Literal('task')]),
  id: Uuid, subject: T.String(), status: T.String(), recurring: T.Boolean(),
  occurrence: T.String({ description: 'Identifies the occurrence for edits: its original start (UTC instant) or due date' }),
  start: T.Optional(T.String({ description: 'Meetings and calls: the start instant (UTC)' })), end: T.Optional(NullableString()),
  localStart: T.Optional(T.String({ description: 'The start in your time zone, with its offset' })), localEnd: T.Optional(NullableString()),
  dueDate: T.Optional(T.String({ description: 'Tasks: the due date' })), location: T.Optional(NullableString('Meetings, when you may read the field')),
  regarding: T.Optional(T.Union([T.Object({ object: T.String(), id: Uuid, name: T.String() }), T.Null()], { description: 'The record it is about (deal, else account, contact or lead), when you may see it' })),
});
const tags = ['activities'];
import { withIdempotency } from '../../platform/http/idempotency.ts';
import { createFollowUp, parseFollowUpInput } from './commands/createFollowUp.ts';
import { logActivity, parseLogActivityInput } from './commands/logActivity.ts';
import { MAX_PARTS, parseScheduleMeetingInput, scheduleMeeting } from './commands/scheduleMeeting.ts';
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

  app.get('/api/v1/:object/:id/timeline', {
    schema: routeSchema({
      tags,
      operationId: 'getTimeline',
      summary: "A record's timeline: upcoming and overdue first, then history, keyset-paged",
      params: RecordParams,
      querystring: T.Object({ cursor: T.Optional(T.String({ maxLength: 2000 })), limit: T.Optional(T.String({ maxLength: 4 })) }),
      response: {
        200: T.Object({
          data: T.Array(T.Object({
            kind: T.String(), id: T.String(), at: T.String(), upcoming: T.Boolean(), overdue: T.Boolean(), title: T.Union([T.String(), T.Null()]),
            status: T.Union([T.String(), T.Null()]), owner: T.Union([T.String(), T.Null()]),
            text: T.Optional(T.Union([T.String({ description: 'Plain text of the body or description (up to 2,000 characters)' }), T.Null()])), change: T.Optional(T.Object({ operation: T.String(), field: T.Union([T.String(), T.Null()]), old: T.Unknown(), new: T.Unknown(), actor: T.Union([T.String(), T.Null()]) }, { description: 'For kind change: a history entry' })),
          }, { additionalProperties: true })),
          nextCursor: T.Union([T.String(), T.Null()]),
        }),
      },
    }),
  }, async (request) => {
    await fresh();
    const q = request.query as Q;
    const p = request.params as P;
    return getTimeline({ ctx: ctxOf(request), object: p.object, id: p.id, cursor: q.cursor || undefined, limit: parseTimelineLimit(q.limit) });
  });

  app.post('/api/v1/:object/:id/follow-ups', {
    schema: routeSchema({
      tags,
      operationId: 'createFollowUp',
      summary: 'Create a follow-up task on a record',
      params: RecordParams,
      body: T.Object({
        subject: T.Optional(T.String({ maxLength: 1000 })),
        description: T.Optional(T.Union([T.String({ maxLength: 100_000 }), T.Null()])),
        dueDate: T.Optional(T.Union([T.String({ maxLength: 10 }), T.Null()])),
        assignee: T.Optional(T.String({ maxLength: 64 })),
        priority: T.Optional(T.String({ maxLength: 20 })),
      }, { additionalProperties: false }),
      response: { 201: RecordSchema },
    }),
  }, async (request, reply) => {
    await fresh();
    const p = request.params as P;
    const input = parseFollowUpInput(request.body);
    return withIdempotency({ request, reply, ctx: ctxOf(request), status: 201, run: (ctx) => createFollowUp({ ctx, object: p.object, id: p.id, input }) });
  });

  app.post('/api/v1/:object/:id/activities', {
    schema: routeSchema({
      tags,
      operationId: 'logActivity',
      summary: 'Log a task, meeting, call, e-mail or note already linked to a record',
      params: RecordParams,
      body: T.Object({ type: T.String({ maxLength: 30 }), values: T.Optional(T.Record(T.String(), T.Unknown(), { description: "The activity's fields" })) }, { additionalProperties: false }),
      response: { 201: RecordSchema },
    }),
  }, async (request, reply) => {
    await fresh();
    const p = request.params as P;
    const input = parseLogActivityInput(request.body);
    return withIdempotency({ request, reply, ctx: ctxOf(request), status: 201, run: (ctx) => logActivity({ ctx, object: p.object, id: p.id, input }) });
  });

  app.post('/api/v1/activities/meetings', {
    schema: routeSchema({
      tags,
      operationId: 'scheduleMeeting',
      summary: 'Create a meeting with its invitees (colleagues and contacts) and the records it is about, in one step',
      body: T.Object({
        values: T.Record(T.String(), T.Unknown(), { description: "The meeting's fields" }),
        invitees: T.Optional(T.Array(T.Object({
          user: T.Optional(T.String({ maxLength: 64, description: 'A colleague (user ID)' })),
          contact: T.Optional(T.String({ maxLength: 64, description: 'A contact ID' })),
          response: T.Optional(T.String({ maxLength: 20, description: 'needs_action (default), accepted, declined or tentative' })),
        }, { additionalProperties: false }), { maxItems: MAX_PARTS })),
        related: T.Optional(T.Array(T.Object({ object: T.String({ maxLength: 63 }), id: T.String({ maxLength: 64 }) }, { additionalProperties: false }), { maxItems: MAX_PARTS, description: 'Records the meeting is about: it appears on their timelines' })),
      }, { additionalProperties: false }),
      response: { 201: RecordSchema },
    }),
  }, async (request, reply) => {
    await fresh();
    const input = parseScheduleMeetingInput(request.body);
    return withIdempotency({ request, reply, ctx: ctxOf(request), status: 201, run: (ctx) => scheduleMeeting({ ctx, input }) });
  });

  app.get('/api/v1/me/agenda', {
    schema: routeSchema({
      tags,
      operationId: 'getAgenda',
      summary: 'Your meetings, calls and tasks in a window (repeating ones expanded), in your time zone',
      querystring: T.Object({ from: T.String({ maxLength: 64 }), to: T.String({ maxLength: 64 }) }),
      response: { 200: T.Object({ timeZone: T.String(), data: T.Array(AgendaItemSchema) }) },
    }),
  }, async (request) => {
    const ctx = ctxOf(request);
    const { from, to } = parseWindow(request.query as Q, ctx.actor.timeZone);
    return { timeZone: ctx.actor.timeZone, data: await getAgenda({ ctx, from, to }) };
  });

  registerNotificationRoutes(app, platform);
  registerSchedulingRoutes(app, platform);

  app.get('/api/v1/me/calendar-feed', { schema: routeSchema({ tags, operationId: 'getCalendarFeedUrl', summary: 'Your private iCalendar feed URL', response: { 200: FeedUrl } }) }, async (request) => calendarFeedUrl(ctxOf(request), false));
  app.post('/api/v1/me/calendar-feed', { schema: routeSchema({ tags, operationId: 'resetCalendarFeedUrl', summary: 'A new feed URL; the old one stops working', response: { 200: FeedUrl } }) }, async (request) => calendarFeedUrl(ctxOf(request), true));

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
    app.post(`/api/v1/${object}/:id/occurrences/edit`, {
      schema: routeSchema({
        tags,
        operationId: `edit${object.charAt(0).toUpperCase()}${object.slice(1)}Occurrence`,
        summary: `Change one occurrence of a repeating ${object}, this and following, or all`,
        params: T.Object({ id: PathId }),
        body: T.Object({ occurrence: T.String({ maxLength: 64 }), scope: T.Union([T.Literal('this'), T.Literal('following'), T.Literal('all')]), changes: T.Optional(T.Record(T.String(), T.Unknown())) }, { additionalProperties: false }),
        response: { 200: T.Object({}, { additionalProperties: true, description: 'The series and the record that now holds the occurrence' }) },
      }),
    }, async (request, reply) => {
      const input = parseEditOccurrenceInput(request.body);
      return withIdempotency({ request, reply, ctx: ctxOf(request), status: 200, run: (ctx) => editOccurrence({ ctx, object, id: (request.params as P).id, input }) });
    });
  }
}
