import type { FastifyInstance } from 'fastify';
import type { Platform } from '../kernel.ts';
import { adminsOnly, requireActor } from '../http/context.ts';
import { DataList, NoContent, T, Uuid, routeSchema, PathId } from '../http/schema/common.ts';
import { listAuditLog } from './audit.ts';
import { registerChangesRoutes } from './changesRoutes.ts';
import {
  createSubscription, deleteSubscription, getSubscription, listDeliveries, listSubscriptions, replayDelivery, replayRange, updateSubscription,
} from './webhooks/commands/index.ts';

type Params = { id: string };

const DateTime = T.String({ format: 'date-time' });
const Nullable = <S extends Parameters<typeof T.Union>[0][number]>(s: S) => T.Union([s, T.Null()]);
const Subscription = T.Object({
  id: Uuid, url: T.String(), events: T.Array(T.String()), condition: T.Unknown(), description: Nullable(T.String()), active: T.Boolean(),
  secretHint: T.String(), createdBy: Nullable(Uuid), createdAt: Nullable(DateTime), updatedAt: Nullable(DateTime), disabledAt: Nullable(DateTime),
  disabledReason: Nullable(T.String()), failingSince: Nullable(DateTime), consecutiveDeadLetters: T.Integer(),
});
const SubscriptionInput = (create: boolean) => {
  const props = {
    url: T.String({ maxLength: 2000 }),
    events: T.Array(T.String({ maxLength: 130 }), { maxItems: 100 }),
    condition: T.Unknown({ description: 'A condition (the condition language) on the record, or null' }),
    active: T.Boolean(),
    description: Nullable(T.String({ maxLength: 1000 })),
  };
  return create
    ? T.Object({ ...props, condition: T.Optional(props.condition), active: T.Optional(props.active), description: T.Optional(props.description) }, { additionalProperties: false })
    : T.Partial(T.Object(props), { additionalProperties: false });
};
const Delivery = T.Object({
  id: Uuid, webhookId: Uuid, eventId: Uuid, eventType: T.String(), object: T.String(), recordId: Uuid, status: T.String(), attempts: T.Integer(),
  nextAttemptAt: Nullable(DateTime), lastAttemptAt: Nullable(DateTime), responseCode: Nullable(T.Integer()), durationMs: Nullable(T.Integer()),
  error: Nullable(T.String()), replayOf: Nullable(Uuid), createdAt: Nullable(DateTime), completedAt: Nullable(DateTime),
});
const IdParams = T.Object({ id: PathId });
const tags = ['webhooks'];
type Query = Record<string, string | undefined>;

/** /api/v1/webhooks (admin only) and /api/v1/audit-log (admin only, read-only). */
export function registerEventRoutes(app: FastifyInstance, platform: Platform) {
  registerChangesRoutes(app, platform);
  app.get('/api/v1/webhooks', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'listWebhooks', summary: 'Webhook subscriptions (admins)', response: { 200: DataList(Subscription) } }) }, async (request) => listSubscriptions({ platform, actor: requireActor(request) }));
  app.post('/api/v1/webhooks', {
    ...adminsOnly,
    schema: routeSchema({ tags, operationId: 'createWebhook', summary: 'Subscribe a URL to events; the signing secret is answered once (admins)', body: SubscriptionInput(true), response: { 201: T.Intersect([Subscription, T.Object({ secret: T.String() })]) } }),
  }, async (request, reply) => {
    const created = await createSubscription({ platform, actor: requireActor(request), input: request.body });
    reply.header('location', `/api/v1/webhooks/${created.id}`).header('cache-control', 'no-store');
    return reply.status(201).send(created);
  });
  app.get('/api/v1/webhooks/:id', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'getWebhook', summary: 'One subscription (admins)', params: IdParams, response: { 200: Subscription } }) }, async (request) => getSubscription({ platform, actor: requireActor(request), id: (request.params as Params).id }));
  app.patch('/api/v1/webhooks/:id', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'updateWebhook', summary: 'Change or re-activate a subscription (admins)', params: IdParams, body: SubscriptionInput(false), response: { 200: Subscription } }) }, async (request) => updateSubscription({ platform, actor: requireActor(request), id: (request.params as Params).id, input: request.body }));
  app.delete('/api/v1/webhooks/:id', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'deleteWebhook', summary: 'Delete a subscription (admins)', params: IdParams, response: { 204: NoContent } }) }, async (request, reply) => {
    await deleteSubscription({ platform, actor: requireActor(request), id: (request.params as Params).id });
    return reply.status(204).send();
  });
  app.get('/api/v1/webhooks/:id/deliveries', {
    ...adminsOnly,
    schema: routeSchema({
      tags,
      operationId: 'listWebhookDeliveries',
      summary: "A subscription's delivery log, newest first (admins)",
      params: IdParams,
      querystring: T.Object({ status: T.Optional(T.String({ maxLength: 100 })), limit: T.Optional(T.String({ maxLength: 4 })), cursor: T.Optional(T.String({ maxLength: 2000 })) }),
      response: { 200: T.Object({ data: T.Array(Delivery), nextCursor: Nullable(T.String()) }) },
    }),
  }, async (request) =>
    listDeliveries({ platform, actor: requireActor(request), id: (request.params as Params).id, query: request.query as Query }));
  app.post('/api/v1/webhooks/deliveries/:id/replay', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'replayWebhookDelivery', summary: 'Send one delivery again (admins)', params: IdParams, response: { 202: Delivery } }) }, async (request, reply) =>
    reply.status(202).send(await replayDelivery({ platform, actor: requireActor(request), deliveryId: (request.params as Params).id })));
  app.post('/api/v1/webhooks/:id/replay', {
    ...adminsOnly,
    schema: routeSchema({
      tags,
      operationId: 'replayWebhookRange',
      summary: "Queue again the subscription's events of a time range (admins)",
      params: IdParams,
      body: T.Object({ from: T.String({ maxLength: 64 }), to: T.String({ maxLength: 64 }) }, { additionalProperties: false }),
      response: { 202: T.Object({ queued: T.Integer(), from: DateTime, to: DateTime, active: T.Boolean() }) },
    }),
  }, async (request, reply) =>
    reply.status(202).send(await replayRange({ platform, actor: requireActor(request), id: (request.params as Params).id, input: request.body })));

  app.get('/api/v1/audit-log', {
    ...adminsOnly,
    schema: routeSchema({
      tags: ['audit'],
      operationId: 'listAuditLog',
      summary: 'The audit log, newest first (admins)',
      querystring: T.Object({ action: T.Optional(T.String({ maxLength: 1000 })), actor: T.Optional(T.String({ maxLength: 64 })), from: T.Optional(T.String({ maxLength: 64 })), to: T.Optional(T.String({ maxLength: 64 })), limit: T.Optional(T.String({ maxLength: 4 })), cursor: T.Optional(T.String({ maxLength: 2000 })) }),
      response: {
        200: T.Object({
          data: T.Array(T.Object({ id: T.String(), occurredAt: DateTime, action: T.String(), actor: T.Unknown(), ip: Nullable(T.String()), userAgent: Nullable(T.String()), target: T.Unknown(), details: T.Unknown() })),
          nextCursor: Nullable(T.String()),
        }),
      },
    }),
  }, async (request) => listAuditLog({ platform, actor: requireActor(request), query: request.query as Query }));
}
