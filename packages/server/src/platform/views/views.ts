import { sql } from 'kysely';
import { uuidv7 } from '../ids.ts';
import { forbidden, notFound, validationFailed, type FieldError } from '../errors.ts';
import type { RecordContext } from '../records/context.ts';
import { assertPlainObject, rejectUnknownKeys } from '../metadata/validate-definition.ts';
import { parseCondition } from '../query/index.ts';
import { parseSort } from '../records/read.ts';
import { readableFields } from '../access/policy.ts';
import { UUID_RE } from '../records/values.ts';

/**
 * Saved list views: a filter (the condition language), sort, columns and layout for an object,
 * private to their owner or shared with everyone. Sharing a view shares the question, never the
 * answers: each user still sees only the records they may see.
 */
export interface ListView {
  id: string;
  object: string;
  name: string;
  ownerId: string;
  shared: boolean;
  kind: 'table' | 'kanban';
  filter: unknown;
  sort: string | null;
  columns: string[];
  groupBy: string | null;
  updatedAt: string;
}

interface Row {
  id: string;
  object: string;
  name: string;
  owner_id: string;
  shared: boolean;
  kind: 'table' | 'kanban';
  filter: unknown;
  sort: string | null;
  columns: string[];
  group_by: string | null;
  updated_at: Date;
}

const toView = (r: Row): ListView => ({
  id: r.id, object: r.object, name: r.name, ownerId: r.owner_id, shared: r.shared, kind: r.kind, filter: r.filter, sort: r.sort,
  columns: r.columns, groupBy: r.group_by, updatedAt: new Date(r.updated_at).toISOString(),
});

export async function listViews(args: { ctx: RecordContext; object?: string }): Promise<ListView[]> {
  const { ctx } = args;
  const r = await sql<Row>`SELECT * FROM list_view WHERE (owner_id = ${ctx.actor.userId} OR shared) ${args.object ? sql`AND object = ${args.object}` : sql``}
    ORDER BY object, shared, lower(name)`.execute(ctx.platform.db);
  return r.rows.map(toView);
}

function validateView(ctx: RecordContext, input: Record<string, unknown>, existing?: Row) {
  rejectUnknownKeys(input, ['object', 'name', 'shared', 'kind', 'filter', 'sort', 'columns', 'groupBy']);
  const errors: FieldError[] = [];
  const objectName = (input.object ?? existing?.object) as string;
  const object = typeof objectName === 'string' ? ctx.platform.registry.getObject(objectName) : undefined;
  if (!object) throw validationFailed([{ field: 'object', code: 'unknown_object', message: 'Name the object the view lists' }]);
  const name = input.name ?? existing?.name;
  if (typeof name !== 'string' || !name.trim() || name.length > 100) errors.push({ field: 'name', code: 'required', message: 'A name of at most 100 characters' });
  const shared = input.shared ?? existing?.shared ?? false;
  if (typeof shared !== 'boolean') errors.push({ field: 'shared', code: 'type', message: 'true or false' });
  const kind = input.kind ?? existing?.kind ?? 'table';
  if (kind !== 'table' && kind !== 'kanban') errors.push({ field: 'kind', code: 'invalid_choice', message: "'table' or 'kanban'" });
  const readable = new Map(readableFields(ctx.actor, object).map((f) => [f.apiName, f]));
  const columns = input.columns ?? existing?.columns ?? [];
  if (!Array.isArray(columns) || columns.length > 50 || columns.some((c) => typeof c !== 'string' || !readable.has(c))) {
    errors.push({ field: 'columns', code: 'invalid', message: 'An array of at most 50 field names of the object' });
  }
  const groupBy = input.groupBy ?? existing?.group_by ?? null;
  if (groupBy !== null && (typeof groupBy !== 'string' || readable.get(groupBy)?.type !== 'picklist')) errors.push({ field: 'groupBy', code: 'invalid', message: 'A picklist field of the object' });
  if (errors.length) throw validationFailed(errors);
  const filter = input.filter !== undefined ? input.filter : existing?.filter;
  if (filter !== undefined && filter !== null) parseCondition({ input: filter, object, registry: ctx.platform.registry });
  const sort = (input.sort !== undefined ? input.sort : existing?.sort) ?? null;
  if (sort !== null) {
    if (typeof sort !== 'string') throw validationFailed([{ field: 'sort', code: 'type', message: 'e.g. -amount,name' }]);
    parseSort(object, (n) => readable.get(n), sort);
  }
  return { object: object.apiName, name: (name as string).trim(), shared: shared as boolean, kind: kind as 'table', filter: filter ?? null, sort, columns: columns as string[], groupBy: groupBy as string | null };
}

export async function createView(args: { ctx: RecordContext; input: unknown }): Promise<ListView> {
  const v = validateView(args.ctx, assertPlainObject(args.input, 'The view'));
  const r = await sql<Row>`INSERT INTO list_view (id, object, name, owner_id, shared, kind, filter, sort, columns, group_by)
    VALUES (${uuidv7()}, ${v.object}, ${v.name}, ${args.ctx.actor.userId}, ${v.shared}, ${v.kind}, ${v.filter === null ? null : JSON.stringify(v.filter)}::jsonb, ${v.sort},
      ${JSON.stringify(v.columns)}::jsonb, ${v.groupBy}) RETURNING *`.execute(args.ctx.platform.db);
  return toView(r.rows[0]!);
}

async function loadOwn(ctx: RecordContext, id: string): Promise<Row> {
  if (!UUID_RE.test(id)) throw notFound('View');
  const r = await sql<Row>`SELECT * FROM list_view WHERE id = ${id} AND (owner_id = ${ctx.actor.userId} OR shared)`.execute(ctx.platform.db);
  const row = r.rows[0];
  if (!row) throw notFound('View');
  // Shared views are changed by their owner or an admin, not by everyone who uses them.
  if (row.owner_id !== ctx.actor.userId && !ctx.actor.isAdmin) throw forbidden('Only the owner of a shared view or an admin can change it');
  return row;
}

export async function updateView(args: { ctx: RecordContext; id: string; input: unknown }): Promise<ListView> {
  const row = await loadOwn(args.ctx, args.id);
  const v = validateView(args.ctx, assertPlainObject(args.input, 'The view'), row);
  const r = await sql<Row>`UPDATE list_view SET name = ${v.name}, shared = ${v.shared}, kind = ${v.kind}, filter = ${v.filter === null ? null : JSON.stringify(v.filter)}::jsonb,
    sort = ${v.sort}, columns = ${JSON.stringify(v.columns)}::jsonb, group_by = ${v.groupBy}, updated_at = now() WHERE id = ${row.id} RETURNING *`.execute(args.ctx.platform.db);
  return toView(r.rows[0]!);
}

export async function deleteView(args: { ctx: RecordContext; id: string }): Promise<void> {
  const row = await loadOwn(args.ctx, args.id);
  await sql`DELETE FROM list_view WHERE id = ${row.id}`.execute(args.ctx.platform.db);
}
