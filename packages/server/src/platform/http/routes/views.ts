import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../kernel.ts';
import { createView, deleteView, listViews, updateView } from '../../views/views.ts';
import { recordContext } from '../context.ts';

export function registerViewRoutes(app: FastifyInstance, platform: Platform) {
  app.get('/api/v1/views', async (r) => ({ data: await listViews({ ctx: recordContext(platform, r), object: (r.query as { object?: string }).object }) }));
  app.post('/api/v1/views', async (r, reply) => reply.status(201).send(await createView({ ctx: recordContext(platform, r), input: r.body })));
  app.patch('/api/v1/views/:id', async (r) => updateView({ ctx: recordContext(platform, r), id: (r.params as { id: string }).id, input: r.body }));
  app.delete('/api/v1/views/:id', async (r, reply) => {
    await deleteView({ ctx: recordContext(platform, r), id: (r.params as { id: string }).id });
    return reply.status(204).send();
  });
}
