import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../kernel.ts';
import {
  createField, createObject, createValidationRule, deleteField, deleteObject, deleteValidationRule, describeField, describeObject,
  listMetadataRecycleBin, purgeMetadata, restoreMetadata, updateField, updateObject, updateValidationRule,
} from '../../metadata/admin.ts';
import { requireActor } from '../context.ts';

type P = { object: string; field: string; id: string };
const confirmed = (q: unknown) => (q as Record<string, string>).confirm === 'true';

/** Thin routes over the metadata commands: parse, authorise (in the command), answer. */
export function registerMetadataRoutes(app: FastifyInstance, platform: Platform) {
  const fresh = () => platform.registry.ensureFresh();

  app.get('/api/v1/metadata/objects', async (request) => {
    requireActor(request);
    await fresh();
    return { data: platform.registry.listObjects().map(describeObject) };
  });
  app.post('/api/v1/metadata/objects', async (request, reply) => {
    const o = await createObject({ platform, actor: requireActor(request), input: request.body });
    return reply.status(201).send(describeObject(o));
  });
  app.get('/api/v1/metadata/objects/:object', async (request) => {
    requireActor(request);
    await fresh();
    return describeObject(platform.registry.requireObject((request.params as P).object));
  });
  app.patch('/api/v1/metadata/objects/:object', async (request) => {
    return describeObject(await updateObject({ platform, actor: requireActor(request), object: (request.params as P).object, input: request.body }));
  });
  app.delete('/api/v1/metadata/objects/:object', async (request, reply) => {
    await deleteObject({ platform, actor: requireActor(request), object: (request.params as P).object, confirm: confirmed(request.query) });
    return reply.status(204).send();
  });

  app.get('/api/v1/metadata/objects/:object/fields', async (request) => {
    requireActor(request);
    await fresh();
    return { data: platform.registry.requireObject((request.params as P).object).fields.map(describeField) };
  });
  app.post('/api/v1/metadata/objects/:object/fields', async (request, reply) => {
    const f = await createField({ platform, actor: requireActor(request), object: (request.params as P).object, input: request.body });
    return reply.status(201).send(describeField(f));
  });
  app.get('/api/v1/metadata/objects/:object/fields/:field', async (request) => {
    requireActor(request);
    await fresh();
    const p = request.params as P;
    const o = platform.registry.requireObject(p.object);
    return describeField(platform.registry.requireField(o, p.field));
  });
  app.patch('/api/v1/metadata/objects/:object/fields/:field', async (request) => {
    const p = request.params as P;
    return describeField(await updateField({ platform, actor: requireActor(request), object: p.object, field: p.field, input: request.body }));
  });
  app.delete('/api/v1/metadata/objects/:object/fields/:field', async (request, reply) => {
    const p = request.params as P;
    await deleteField({ platform, actor: requireActor(request), object: p.object, field: p.field, confirm: confirmed(request.query) });
    return reply.status(204).send();
  });

  app.get('/api/v1/metadata/objects/:object/validation-rules', async (request) => {
    requireActor(request);
    await fresh();
    return { data: platform.registry.requireObject((request.params as P).object).validationRules };
  });
  app.post('/api/v1/metadata/objects/:object/validation-rules', async (request, reply) => {
    const rule = await createValidationRule({ platform, actor: requireActor(request), object: (request.params as P).object, input: request.body });
    return reply.status(201).send(rule);
  });
  app.patch('/api/v1/metadata/objects/:object/validation-rules/:id', async (request) => {
    const p = request.params as P;
    return updateValidationRule({ platform, actor: requireActor(request), object: p.object, id: p.id, input: request.body });
  });
  app.delete('/api/v1/metadata/objects/:object/validation-rules/:id', async (request, reply) => {
    const p = request.params as P;
    await deleteValidationRule({ platform, actor: requireActor(request), object: p.object, id: p.id });
    return reply.status(204).send();
  });

  app.get('/api/v1/metadata/recycle-bin', async (request) => ({ data: await listMetadataRecycleBin({ platform, actor: requireActor(request) }) }));
  app.post('/api/v1/metadata/recycle-bin/:id/restore', async (request) => restoreMetadata({ platform, actor: requireActor(request), id: (request.params as P).id }));
  app.delete('/api/v1/metadata/recycle-bin/:id', async (request, reply) => {
    await purgeMetadata({ platform, actor: requireActor(request), id: (request.params as P).id });
    return reply.status(204).send();
  });
}
