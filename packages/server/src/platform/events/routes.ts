import type { FastifyInstance } from 'fastify';
import type { Platform } from '../kernel.ts';
import { requireActor } from '../http/context.ts';
import { listAuditLog } from './audit.ts';
import {
  createSubscription, deleteSubscription, getSubscription, listDeliveries, listSubscriptions, replayDelivery, replayRange, updateSubscription,
} from './webhooks/subscriptions.ts';

type Params = { id: string };
type Query = Record<string, string | undefined>;

/** /api/v1/webhooks (admin only) and /api/v1/audit-log (admin only, read-only). */
export function registerEventRoutes(app: FastifyInstance, platform: Platform) {
  app.get('/api/v1/webhooks', async (request) => listSubscriptions({ platform, actor: requireActor(request) }));
  app.post('/api/v1/webhooks', async (request, reply) => {
    const created = await createSubscription({ platform, actor: requireActor(request), input: request.body });
    reply.header('location', `/api/v1/webhooks/${created.id}`).header('cache-control', 'no-store');
    return reply.status(201).send(created);
  });
  app.get('/api/v1/webhooks/:id', async (request) => getSubscription({ platform, actor: requireActor(request), id: (request.params as Params).id }));
  app.patch('/api/v1/webhooks/:id', async (request) => updateSubscription({ platform, actor: requireActor(request), id: (request.params as Params).id, input: request.body }));
  app.delete('/api/v1/webhooks/:id', async (request, reply) => {
    await deleteSubscription({ platform, actor: requireActor(request), id: (request.params as Params).id });
    return reply.status(204).send();
  });
  app.get('/api/v1/webhooks/:id/deliveries', async (request) =>
    listDeliveries({ platform, actor: requireActor(request), id: (request.params as Params).id, query: request.query as Query }));
  app.post('/api/v1/webhooks/deliveries/:id/replay', async (request, reply) =>
    reply.status(202).send(await replayDelivery({ platform, actor: requireActor(request), deliveryId: (request.params as Params).id })));
  app.post('/api/v1/webhooks/:id/replay', async (request, reply) =>
    reply.status(202).send(await replayRange({ platform, actor: requireActor(request), id: (request.params as Params).id, input: request.body })));

  app.get('/api/v1/audit-log', async (request) => listAuditLog({ platform, actor: requireActor(request), query: request.query as Query }));
}
