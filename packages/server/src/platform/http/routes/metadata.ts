import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../kernel.ts';
import {
  createField, createObject, createValidationRule, deleteField, deleteObject, deleteValidationRule, describeField, describeObject,
  listMetadataRecycleBin, purgeMetadata, restoreMetadata, updateField, updateObject, updateValidationRule,
} from '../../metadata/commands/index.ts';
import { adminsOnly, requireActor } from '../context.ts';
import { notFound } from '../../errors.ts';
import { permissionsFor, readableFields } from '../../access/policy.ts';
import type { Actor } from '../../records/context.ts';
import type { ObjectDefinition } from '../../metadata/types.ts';
import type { TSchema } from '@sinclair/typebox';
import { DataList, NoContent, ProblemSchema, T, routeSchema } from '../schema/common.ts';
import { FIELD_TYPES } from '../../metadata/types.ts';

const Nullable = <S extends TSchema>(schema: S) => T.Union([schema, T.Null()]);
const PicklistValueSchema = T.Object({ value: T.String(), label: T.String(), active: T.Optional(T.Boolean()) });
const FieldSchema = T.Object({
  apiName: T.String(), label: T.String(), type: T.Union([...FIELD_TYPES, 'id'].map((t) => T.Literal(t))), required: T.Boolean(), unique: T.Boolean(), defaultValue: T.Unknown(), helpText: Nullable(T.String()),
  picklist: Nullable(T.Object({ values: T.Array(PicklistValueSchema), global: T.Optional(T.String()) }, { description: 'The values of a picklist field (global: the shared list it uses)' })),
  lookup: Nullable(T.Object({ object: T.String(), onDelete: T.Union([T.Literal('restrict'), T.Literal('cascade'), T.Literal('clear')]) })),
  autonumber: Nullable(T.Object({ prefix: T.String(), digits: T.Integer() })),
  standard: T.Boolean(), readOnly: T.Boolean(), searchable: T.Boolean(), externalId: T.Boolean(),
}, { additionalProperties: true });
const RuleSchema = T.Object({ id: T.String(), name: T.String(), condition: T.Unknown(), message: T.String(), field: T.Optional(T.String()), active: T.Boolean() });
const ObjectSchema = T.Object({
  apiName: T.String(), label: T.String(), pluralLabel: T.String(), description: T.Union([T.String(), T.Null()]), standard: T.Boolean(), nameField: T.String(),
  navOrder: T.Number(), inNavigation: T.Boolean(), mergeable: T.Boolean({ description: 'The app offers to find and merge duplicates (POST /{object}/merge)' }),
  writtenBySystem: T.Optional(T.Boolean({ description: "Only Meridian's commands write (and none delete) its records: payments, logs of runs; the generic write routes answer 403" })),
  listColumns: T.Array(T.String(), { description: "A list's default columns when the user has no saved view: the name field, then the object's declared (or derived) short fields" }), fields: T.Array(FieldSchema), validationRules: T.Array(RuleSchema),
}, { additionalProperties: true });
const ObjectInput = (create: boolean) => T.Object({
  ...(create ? { apiName: T.String({ maxLength: 63 }), nameFieldLabel: T.Optional(T.String({ maxLength: 200 })) } : {}),
  label: create ? T.String({ maxLength: 200 }) : T.Optional(T.String({ maxLength: 200 })),
  pluralLabel: T.Optional(T.String({ maxLength: 200 })),
  description: T.Optional(T.Union([T.String({ maxLength: 2000 }), T.Null()])),
  navOrder: T.Optional(T.Integer({ minimum: 0, maximum: 100_000 })),
}, { additionalProperties: false });
const FieldInput = (create: boolean) => T.Object({
  ...(create ? { apiName: T.String({ maxLength: 63 }) } : {}),
  label: create ? T.String({ maxLength: 200 }) : T.Optional(T.String({ maxLength: 200 })),
  type: create ? T.String({ maxLength: 30 }) : T.Optional(T.String({ maxLength: 30 })),
  required: T.Optional(T.Boolean()), unique: T.Optional(T.Boolean()), searchable: T.Optional(T.Boolean()), externalId: T.Optional(T.Boolean()),
  defaultValue: T.Optional(T.Unknown()), helpText: T.Optional(T.Union([T.String({ maxLength: 1000 }), T.Null()])),
  picklist: T.Optional(T.Unknown({ description: '{values: [{value, label?, active?}]} or {global: "<name>"}' })),
  lookup: T.Optional(T.Unknown({ description: '{object, onDelete?: restrict | cascade | clear}' })),
  autonumber: T.Optional(T.Unknown({ description: '{prefix, digits}' })),
  formula: T.Optional(T.Unknown({ description: 'For type formula: {expression, returnType}' })),
  rollup: T.Optional(T.Unknown({ description: 'For type rollup: the children, function, field and condition' })),
}, { additionalProperties: false });
const RuleInput = (create: boolean) => T.Object({
  name: create ? T.String({ maxLength: 63 }) : T.Optional(T.String({ maxLength: 63 })),
  condition: create ? T.Unknown() : T.Optional(T.Unknown()),
  message: create ? T.String({ maxLength: 1000 }) : T.Optional(T.String({ maxLength: 1000 })),
  field: T.Optional(T.Union([T.String({ maxLength: 63 }), T.Null()])),
  active: T.Optional(T.Boolean()),
}, { additionalProperties: false });
const BinItem = T.Object({ kind: T.Union([T.Literal('object'), T.Literal('field')]), id: T.String(), object: T.String(), apiName: T.String(), label: T.String(), deletedAt: T.String({ format: 'date-time' }) });
const ObjectParams = T.Object({ object: T.String({ maxLength: 63 }) });
const FieldParams = T.Object({ object: T.String({ maxLength: 63 }), field: T.String({ maxLength: 63 }) });
const RuleParams = T.Object({ object: T.String({ maxLength: 63 }), id: T.String({ maxLength: 64 }) });
const Confirm = T.Object({ confirm: T.Optional(T.Union([T.Literal('true'), T.Literal('false')], { description: 'Must be true: deleting hides the data from everyone' })) });
const tags = ['metadata'];

type P = { object: string; field: string; id: string };
const confirmed = (q: unknown) => (q as Record<string, string>).confirm === 'true';

/**
 * Thin routes over the metadata commands: parse, authorise (in the command), answer. Reads answer
 * a user only the objects their profile may read and the fields it does not hide; anything else
 * answers 404 like an unknown name (admins see everything: they set it up).
 */
export function registerMetadataRoutes(app: FastifyInstance, platform: Platform) {
  const fresh = () => platform.registry.ensureFresh();
  const visibleObjects = (actor: Actor) => platform.registry.listObjects().filter((o) => permissionsFor(actor, o).read);
  const visibleObject = (actor: Actor, name: string): ObjectDefinition => {
    const o = platform.registry.getObject(name);
    if (!o || !permissionsFor(actor, o).read) throw notFound(`Object '${name.slice(0, 64)}'`);
    return o;
  };
  const asSeen = (actor: Actor, o: ObjectDefinition): ObjectDefinition => (actor.isAdmin ? o : { ...o, fields: readableFields(actor, o) });

  app.get('/api/v1/metadata/objects', { schema: routeSchema({ tags, operationId: 'listObjects', summary: 'Objects and their fields', response: { 200: DataList(ObjectSchema) } }) }, async (request) => {
    const actor = requireActor(request);
    await fresh();
    return { data: visibleObjects(actor).map((o) => describeObject(asSeen(actor, o))) };
  });
  app.post('/api/v1/metadata/objects', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'createObject', summary: 'Create a custom object (admins)', body: ObjectInput(true), response: { 201: ObjectSchema } }) }, async (request, reply) => {
    const o = await createObject({ platform, actor: requireActor(request), input: request.body });
    return reply.status(201).send(describeObject(o));
  });
  app.get('/api/v1/metadata/objects/:object', { schema: routeSchema({ tags, operationId: 'getObject', summary: 'One object with its fields and rules', params: ObjectParams, response: { 200: ObjectSchema } }) }, async (request) => {
    const actor = requireActor(request);
    await fresh();
    return describeObject(asSeen(actor, visibleObject(actor, (request.params as P).object)));
  });
  app.patch('/api/v1/metadata/objects/:object', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'updateObject', summary: 'Relabel or reorder an object (admins)', params: ObjectParams, body: ObjectInput(false), response: { 200: ObjectSchema } }) }, async (request) => {
    return describeObject(await updateObject({ platform, actor: requireActor(request), object: (request.params as P).object, input: request.body }));
  });
  app.delete('/api/v1/metadata/objects/:object', {
    ...adminsOnly,
    schema: routeSchema({ tags, operationId: 'deleteObject', summary: 'Delete a custom object to the metadata recycle bin (admins; ?confirm=true)', params: ObjectParams, querystring: Confirm, response: { 204: NoContent, 428: ProblemSchema } }),
  }, async (request, reply) => {
    await deleteObject({ platform, actor: requireActor(request), object: (request.params as P).object, confirm: confirmed(request.query) });
    return reply.status(204).send();
  });

  app.get('/api/v1/metadata/objects/:object/fields', { schema: routeSchema({ tags, operationId: 'listFields', summary: "An object's fields", params: ObjectParams, response: { 200: DataList(FieldSchema) } }) }, async (request) => {
    const actor = requireActor(request);
    await fresh();
    return { data: asSeen(actor, visibleObject(actor, (request.params as P).object)).fields.map(describeField) };
  });
  app.post('/api/v1/metadata/objects/:object/fields', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'createField', summary: 'Add a field (admins)', params: ObjectParams, body: FieldInput(true), response: { 201: FieldSchema } }) }, async (request, reply) => {
    const f = await createField({ platform, actor: requireActor(request), object: (request.params as P).object, input: request.body });
    return reply.status(201).send(describeField(f));
  });
  app.get('/api/v1/metadata/objects/:object/fields/:field', { schema: routeSchema({ tags, operationId: 'getField', summary: 'One field', params: FieldParams, response: { 200: FieldSchema } }) }, async (request) => {
    const actor = requireActor(request);
    await fresh();
    const p = request.params as P;
    const field = asSeen(actor, visibleObject(actor, p.object)).fields.find((f) => f.apiName === p.field);
    if (!field) throw notFound(`Field '${p.field.slice(0, 64)}'`);
    return describeField(field);
  });
  app.patch('/api/v1/metadata/objects/:object/fields/:field', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'updateField', summary: 'Change a field: label, help, values, required, safe type changes (admins)', params: FieldParams, body: FieldInput(false), response: { 200: FieldSchema } }) }, async (request) => {
    const p = request.params as P;
    return describeField(await updateField({ platform, actor: requireActor(request), object: p.object, field: p.field, input: request.body }));
  });
  app.delete('/api/v1/metadata/objects/:object/fields/:field', {
    ...adminsOnly,
    schema: routeSchema({ tags, operationId: 'deleteField', summary: 'Delete a custom field to the metadata recycle bin (admins; ?confirm=true)', params: FieldParams, querystring: Confirm, response: { 204: NoContent, 428: ProblemSchema } }),
  }, async (request, reply) => {
    const p = request.params as P;
    await deleteField({ platform, actor: requireActor(request), object: p.object, field: p.field, confirm: confirmed(request.query) });
    return reply.status(204).send();
  });

  app.get('/api/v1/metadata/objects/:object/validation-rules', { schema: routeSchema({ tags, operationId: 'listValidationRules', summary: "An object's validation rules", params: ObjectParams, response: { 200: DataList(RuleSchema) } }) }, async (request) => {
    const actor = requireActor(request);
    await fresh();
    return { data: visibleObject(actor, (request.params as P).object).validationRules };
  });
  app.post('/api/v1/metadata/objects/:object/validation-rules', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'createValidationRule', summary: 'Add a validation rule (admins)', params: ObjectParams, body: RuleInput(true), response: { 201: RuleSchema } }) }, async (request, reply) => {
    const rule = await createValidationRule({ platform, actor: requireActor(request), object: (request.params as P).object, input: request.body });
    return reply.status(201).send(rule);
  });
  app.patch('/api/v1/metadata/objects/:object/validation-rules/:id', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'updateValidationRule', summary: 'Change a validation rule (admins)', params: RuleParams, body: RuleInput(false), response: { 200: RuleSchema } }) }, async (request) => {
    const p = request.params as P;
    return updateValidationRule({ platform, actor: requireActor(request), object: p.object, id: p.id, input: request.body });
  });
  app.delete('/api/v1/metadata/objects/:object/validation-rules/:id', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'deleteValidationRule', summary: 'Delete a validation rule (admins)', params: RuleParams, response: { 204: NoContent } }) }, async (request, reply) => {
    const p = request.params as P;
    await deleteValidationRule({ platform, actor: requireActor(request), object: p.object, id: p.id });
    return reply.status(204).send();
  });

  app.get('/api/v1/metadata/recycle-bin', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'listMetadataRecycleBin', summary: 'Deleted objects and fields (admins)', response: { 200: DataList(BinItem) } }) }, async (request) => ({ data: await listMetadataRecycleBin({ platform, actor: requireActor(request) }) }));
  app.post('/api/v1/metadata/recycle-bin/:id/restore', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'restoreMetadata', summary: 'Restore a deleted object or field (admins)', params: T.Object({ id: T.String({ maxLength: 64 }) }), response: { 200: BinItem } }) }, async (request) => restoreMetadata({ platform, actor: requireActor(request), id: (request.params as P).id }));
  app.delete('/api/v1/metadata/recycle-bin/:id', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'purgeMetadata', summary: 'Purge a deleted object or field for good (admins)', params: T.Object({ id: T.String({ maxLength: 64 }) }), response: { 204: NoContent } }) }, async (request, reply) => {
    await purgeMetadata({ platform, actor: requireActor(request), id: (request.params as P).id });
    return reply.status(204).send();
  });
}
