import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../kernel.ts';
import { adminsOnly, requireActor } from '../context.ts';
import { DataList, NoContent, T, routeSchema } from '../schema/common.ts';

const Value = T.Object({ value: T.String(), label: T.String(), active: T.Optional(T.Boolean()) });
const ValueInput = T.Object({ value: T.String({ minLength: 1, maxLength: 255 }), label: T.Optional(T.String({ maxLength: 255 })), active: T.Optional(T.Boolean()) }, { additionalProperties: false });
const Picklist = T.Object({ name: T.String(), label: T.String(), description: T.Union([T.String(), T.Null()]), values: T.Array(Value), usedBy: T.Array(T.String(), { description: 'Fields that use it, as object.field' }) });
const Params = T.Object({ name: T.String({ maxLength: 63 }) });
const tags = ['metadata'];
import { createPicklist, deletePicklist, getPicklist, listPicklists, renamePicklistValue, updatePicklist } from '../../metadata/picklists/commands.ts';

type P = { name: string; value: string };

/** Global picklists (docs/api.md "Global picklists"): everyone may read them (forms show their values); admins change them. */
export function registerPicklistRoutes(app: FastifyInstance, platform: Platform): void {
  app.get('/api/v1/metadata/picklists', { schema: routeSchema({ tags, operationId: 'listPicklists', summary: 'Global picklists and the fields that use them', response: { 200: DataList(Picklist) } }) }, async (request) => {
    requireActor(request);
    return { data: await listPicklists({ platform }) };
  });
  app.post('/api/v1/metadata/picklists', {
    ...adminsOnly, schema: routeSchema({
      tags,
      operationId: 'createPicklist',
      summary: 'Create a global picklist (admins)',
      body: T.Object({ name: T.String({ maxLength: 63 }), label: T.String({ maxLength: 200 }), description: T.Optional(T.Union([T.String({ maxLength: 1000 }), T.Null()])), values: T.Array(ValueInput, { maxItems: 1000 }) }, { additionalProperties: false }),
      response: { 201: Picklist },
    }),
  }, async (request, reply) => reply.status(201).send(await createPicklist({ platform, actor: requireActor(request), input: request.body })));
  app.get('/api/v1/metadata/picklists/:name', { schema: routeSchema({ tags, operationId: 'getPicklist', summary: 'One global picklist', params: Params, response: { 200: Picklist } }) }, async (request) => {
    requireActor(request);
    return getPicklist({ platform, name: (request.params as P).name });
  });
  app.patch('/api/v1/metadata/picklists/:name', {
    ...adminsOnly, schema: routeSchema({
      tags,
      operationId: 'updatePicklist',
      summary: 'Relabel, add, deactivate or reorder values (admins); values in use cannot be removed',
      params: Params,
      body: T.Object({ label: T.Optional(T.String({ maxLength: 200 })), description: T.Optional(T.Union([T.String({ maxLength: 1000 }), T.Null()])), values: T.Optional(T.Array(ValueInput, { maxItems: 1000 })) }, { additionalProperties: false }),
      response: { 200: Picklist },
    }),
  }, async (request) => updatePicklist({ platform, actor: requireActor(request), name: (request.params as P).name, input: request.body }));
  app.post('/api/v1/metadata/picklists/:name/values/:value/rename', {
    ...adminsOnly, schema: routeSchema({
      tags,
      operationId: 'renamePicklistValue',
      summary: 'Rename a value everywhere: the set and the data of every field that uses it (admins)',
      params: T.Object({ name: T.String({ maxLength: 63 }), value: T.String({ maxLength: 255 }) }),
      body: T.Object({ to: T.String({ maxLength: 255 }), label: T.Optional(T.String({ maxLength: 255 })) }, { additionalProperties: false }),
      response: { 200: T.Intersect([Picklist, T.Object({ renamed: T.Record(T.String(), T.Integer(), { description: 'Records changed per object.field' }) })]) },
    }),
  }, async (request) => {
    const p = request.params as P;
    return renamePicklistValue({ platform, actor: requireActor(request), name: p.name, value: p.value, input: request.body });
  });
  app.delete('/api/v1/metadata/picklists/:name', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'deletePicklist', summary: 'Delete a global picklist no field uses (admins)', params: Params, response: { 204: NoContent } }) }, async (request, reply) => {
    await deletePicklist({ platform, actor: requireActor(request), name: (request.params as P).name });
    return reply.status(204).send();
  });
}
