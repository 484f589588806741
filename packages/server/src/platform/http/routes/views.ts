import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../kernel.ts';
import { createView, deleteView, listViews, updateView } from '../../views/views.ts';
import { recordContext } from '../context.ts';
import { DataList, NoContent, T, Uuid, routeSchema, PathId } from '../schema/common.ts';

const ViewSchema = T.Object({
  id: Uuid,
  object: T.String(),
  name: T.String(),
  ownerId: Uuid,
  shared: T.Boolean(),
  kind: T.Union([T.Literal('table'), T.Literal('kanban')]),
  filter: T.Unknown({ description: 'A condition (the condition language) or null' }),
  sort: T.Union([T.String(), T.Null()]),
  columns: T.Array(T.String()),
  groupBy: T.Union([T.String(), T.Null()]),
  updatedAt: T.String({ format: 'date-time' }),
});
const ViewInput = (required: boolean) => {
  const props = {
    object: T.String({ maxLength: 63 }),
    name: T.String({ minLength: 1, maxLength: 200 }),
    shared: T.Boolean(),
    kind: T.Union([T.Literal('table'), T.Literal('kanban')]),
    filter: T.Unknown(),
    sort: T.Union([T.String({ maxLength: 500 }), T.Null()]),
    columns: T.Array(T.String({ maxLength: 63 }), { maxItems: 50 }),
    groupBy: T.Union([T.String({ maxLength: 63 }), T.Null()]),
  };
  return required
    ? T.Object({ ...props, shared: T.Optional(props.shared), kind: T.Optional(props.kind), filter: T.Optional(props.filter), sort: T.Optional(props.sort), columns: T.Optional(props.columns), groupBy: T.Optional(props.groupBy) }, { additionalProperties: false })
    : T.Partial(T.Object(props), { additionalProperties: false });
};
const views = { tags: ['views'] };
const IdParams = T.Object({ id: PathId });

/** Saved list views (private or shared). */
export function registerViewRoutes(app: FastifyInstance, platform: Platform) {
  app.get('/api/v1/views', {
    schema: routeSchema({ ...views, operationId: 'listViews', summary: 'Saved list views you may use, optionally of one object', querystring: T.Object({ object: T.Optional(T.String({ maxLength: 63 })) }), response: { 200: DataList(ViewSchema) } }),
  }, async (r) => ({ data: await listViews({ ctx: recordContext(platform, r), object: (r.query as { object?: string }).object }) }));
  app.post('/api/v1/views', {
    schema: routeSchema({ ...views, operationId: 'createView', summary: 'Save a list view', body: ViewInput(true), response: { 201: ViewSchema } }),
  }, async (r, reply) => reply.status(201).send(await createView({ ctx: recordContext(platform, r), input: r.body })));
  app.patch('/api/v1/views/:id', {
    schema: routeSchema({ ...views, operationId: 'updateView', summary: 'Change a list view you own', params: IdParams, body: ViewInput(false), response: { 200: ViewSchema } }),
  }, async (r) => updateView({ ctx: recordContext(platform, r), id: (r.params as { id: string }).id, input: r.body }));
  app.delete('/api/v1/views/:id', {
    schema: routeSchema({ ...views, operationId: 'deleteView', summary: 'Delete a list view you own', params: IdParams, response: { 204: NoContent } }),
  }, async (r, reply) => {
    await deleteView({ ctx: recordContext(platform, r), id: (r.params as { id: string }).id });
    return reply.status(204).send();
  });
}
