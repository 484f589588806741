import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Platform } from '../../../platform/kernel.ts';
import { recordContext } from '../../../platform/http/context.ts';
import { DataList, NoContent, PathId, T, Uuid, routeSchema } from '../../../platform/http/schema/common.ts';
import { canSendMail } from '../../../platform/mail.ts';
import { AppError } from '../../../platform/errors.ts';
import { createSchedule, deleteSchedule, listSchedules, updateSchedule, type ScheduleInput } from './store.ts';
import { sendScheduleNow } from './run.ts';

const tags = ['analytics'];
const IdParams = T.Object({ id: PathId });
const Frequency = T.Union([T.Literal('daily'), T.Literal('weekly'), T.Literal('monthly')]);
const Result = T.Object({ sent: T.Integer(), failed: T.Integer(), broken: T.Integer(), errors: T.Optional(T.Array(T.String())) }, { additionalProperties: false, description: 'One run: e-mails sent, failed, and recipients for whom the report could not run (told why)' });
const ScheduleSchema = T.Object({
  id: Uuid, reportId: T.Union([Uuid, T.Null()]), dashboardId: T.Union([Uuid, T.Null()]), ownerId: T.String(), frequency: Frequency, at: T.String(), weekday: T.Union([T.Integer(), T.Null()]), monthDay: T.Union([T.Integer(), T.Null()]),
  timeZone: T.String(), recipients: T.Object({ users: T.Array(T.String()), groups: T.Array(T.String()) }, { additionalProperties: false }), format: T.Union([T.Literal('csv'), T.Literal('xlsx')]),
  active: T.Boolean(), nextRunAt: T.String({ format: 'date-time' }), lastRunAt: T.Union([T.String({ format: 'date-time' }), T.Null()]), lastResult: T.Union([Result, T.Null()]),
}, { additionalProperties: false, description: 'A report or dashboard e-mailed on a schedule; each recipient gets it run with their own access' });
const ScheduleInputSchema = T.Object({
  frequency: Frequency,
  at: T.String({ maxLength: 5, description: 'Local time of day, HH:MM (24-hour)' }),
  weekday: T.Optional(T.Union([T.Integer({ minimum: 1, maximum: 7 }), T.Null()], { description: 'Weekly: 1 (Monday) … 7 (Sunday)' })),
  monthDay: T.Optional(T.Union([T.Integer({ minimum: 1, maximum: 31 }), T.Null()], { description: 'Monthly: 1 … 31; shorter months send on their last day' })),
  timeZone: T.Optional(T.String({ maxLength: 64, description: "IANA zone; default: the caller's" })),
  recipients: T.Object({ users: T.Optional(T.Array(T.String({ maxLength: 64 }), { maxItems: 1000 })), groups: T.Optional(T.Array(T.String({ maxLength: 100 }), { maxItems: 1000 })) }, { additionalProperties: false }),
  format: T.Optional(T.Union([T.Literal('csv'), T.Literal('xlsx')], { description: 'The attachment: xlsx (default) or csv' })),
  active: T.Optional(T.Boolean()),
}, { additionalProperties: false });

/** Report and dashboard schedules (docs/analytics.md#exports-and-schedules-anl-3). Thin: parse, one command, answer. */
export function registerScheduleRoutes(app: FastifyInstance, platform: Platform): void {
  const ctxOf = (request: FastifyRequest) => recordContext(platform, request);
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

  for (const kind of ['report', 'dashboard'] as const) {
    const Kind = kind === 'report' ? 'Report' : 'Dashboard';
    app.get(`/api/v1/${kind}s/:id/schedules`, {
      schema: routeSchema({ tags, operationId: `list${Kind}Schedules`, summary: `A ${kind}'s e-mail schedules: your own; all of them for its owner and admins`, params: IdParams, response: { 200: DataList(ScheduleSchema) } }),
    }, async (request) => ({ data: await listSchedules({ ctx: ctxOf(request), target: { kind, id: idOf(request) } }) }));
    app.post(`/api/v1/${kind}s/:id/schedules`, {
      schema: routeSchema({ tags, operationId: `create${Kind}Schedule`, summary: `E-mail a ${kind} daily, weekly or monthly at a local time (to others: its owner or an admin)`, params: IdParams, body: ScheduleInputSchema, response: { 201: ScheduleSchema } }),
    }, async (request, reply) => reply.status(201).send(await createSchedule({ ctx: ctxOf(request), target: { kind, id: idOf(request) }, input: request.body as ScheduleInput })));
  }
  app.put('/api/v1/report-schedules/:id', {
    schema: routeSchema({ tags, operationId: 'replaceReportSchedule', summary: 'Change a schedule (its owner, the report owner or an admin)', params: IdParams, body: ScheduleInputSchema, response: { 200: ScheduleSchema } }),
  }, async (request) => updateSchedule({ ctx: ctxOf(request), id: idOf(request), input: request.body as ScheduleInput }));
  app.delete('/api/v1/report-schedules/:id', {
    schema: routeSchema({ tags, operationId: 'deleteReportSchedule', summary: 'Stop and delete a schedule', params: IdParams, response: { 204: NoContent } }),
  }, async (request, reply) => {
    await deleteSchedule({ ctx: ctxOf(request), id: idOf(request) });
    return reply.status(204).send();
  });
  app.post('/api/v1/report-schedules/:id/send', {
    schema: routeSchema({ tags, operationId: 'sendReportScheduleNow', summary: 'Send a schedule now, to every recipient, each with their own data', params: IdParams, response: { 200: Result } }),
  }, async (request) => {
    if (!canSendMail(platform)) throw new AppError('rule_violation', 'Outgoing e-mail is not set up (MERIDIAN_SMTP_URL)', { errors: [{ field: 'smtp', code: 'not_configured', message: 'Set MERIDIAN_SMTP_URL to send reports' }] });
    return sendScheduleNow({ ctx: ctxOf(request), id: idOf(request) });
  });
}
