import { sql, type RawBuilder } from 'kysely';
import { badRequest, notFound, validationFailed } from '../errors.ts';
import type { FieldDefinition, ObjectDefinition } from '../metadata/types.ts';
import { assertObjectPermission, pathVisibility, readableFields, unreadablePath, visibilityCondition, permissionsFor } from '../access/policy.ts';
import { compileCondition, parseCondition, type ParsedCondition } from '../query/index.ts';
import type { RecordContext } from './context.ts';
import type { ApiRecord } from './hooks.ts';
import { rowToRecord, recordName } from './serialize.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { fromDb, UUID_RE } from './values.ts';
import { compileComputedField } from '../formula/computed.ts';

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;
const UNSORTABLE = new Set(['long_text', 'multi_picklist']);

function executor(ctx: RecordContext) {
  return ctx.trx ?? ctx.platform.db;
}

/** Which fields to return: all readable ones, or the requested subset (always with id and version). */
export function selectFields(ctx: RecordContext, object: ObjectDefinition, requested?: string[]): FieldDefinition[] {
  const readable = readableFields(ctx.actor, object);
  if (!requested?.length) return readable;
  const byName = new Map(readable.map((f) => [f.apiName, f]));
  const unknown = requested.filter((n) => !byName.has(n));
  if (unknown.length) {
    throw validationFailed(unknown.map((n) => ({ field: 'fields', code: 'unknown_field', message: `Unknown field '${n.slice(0, 64)}' on ${object.apiName}` })));
  }
  const wanted = new Set(['id', 'version', ...requested]);
  return readable.filter((f) => wanted.has(f.apiName));
}

/**
 * What a field reads as in SQL over the row `t0`: its column, or a formula / roll-up field's
 * expression (computed when read, with the caller's visibility of related records).
 */
function fieldValue(ctx: RecordContext, object: ObjectDefinition, f: FieldDefinition): RawBuilder<unknown> {
  if (!f.formula && !f.rollup) return sql.ref(`t0.${f.column}`);
  return compileComputedField({ object, field: f, alias: 't0', context: conditionContext(ctx), visibility: pathVisibility(ctx.actor) });
}

function columnsOf(ctx: RecordContext, object: ObjectDefinition, fields: FieldDefinition[]): RawBuilder<unknown> {
  return sql.join(fields.map((f) => (f.formula || f.rollup ? sql`${fieldValue(ctx, object, f)} AS ${sql.id(f.column)}` : sql.ref(`t0.${f.column}`))));
}

/**
 * Live records by id through the reader's access and readable fields, `fields` chosen or all:
 * the one query behind getRecord and getRecordsById. Ids must be well-formed.
 */
async function selectByIds(ctx: RecordContext, object: ObjectDefinition, ids: string[], options: { fields?: string[]; includeDeleted?: boolean } = {}): Promise<ApiRecord[]> {
  const fields = selectFields(ctx, object, options.fields);
  const visible = visibilityCondition(ctx.actor, object, 't0');
  const match = ids.length === 1 ? sql`t0.id = ${ids[0]}` : sql`t0.id = ANY(${ids}::uuid[])`;
  const r = await sql<Record<string, unknown>>`SELECT ${columnsOf(ctx, object, fields)} FROM ${sql.table(object.table)} AS t0
    WHERE ${match} ${options.includeDeleted ? sql`` : sql`AND t0.deleted_at IS NULL`} ${visible ? sql`AND ${visible}` : sql``}`.execute(executor(ctx));
  return r.rows.map((row) => rowToRecord(fields, row, object));
}

/** Loads one live record, or throws not_found (also when it exists but the actor may not see it). */
export async function getRecord(args: { ctx: RecordContext; object: ObjectDefinition; id: string; fields?: string[]; includeDeleted?: boolean }): Promise<ApiRecord> {
  const { ctx, object, id } = args;
  assertObjectPermission(ctx.actor, object, 'read');
  if (!UUID_RE.test(id)) throw notFound(`${object.label} ${id.slice(0, 40)}`);
  const [record] = await selectByIds(ctx, object, [id], args);
  if (!record) throw notFound(`${object.label} ${id}`);
  return record;
}

/**
 * Loads live records by id in one query, keyed by id: a batch's records without a query each.
 * Ids that are malformed, missing, deleted or invisible to the actor are left out.
 */
export async function getRecordsById(args: { ctx: RecordContext; object: ObjectDefinition; ids: string[] }): Promise<Map<string, ApiRecord>> {
  const { ctx, object } = args;
  assertObjectPermission(ctx.actor, object, 'read');
  const ids = [...new Set(args.ids.filter((id) => UUID_RE.test(id)))];
  if (!ids.length) return new Map();
  return new Map((await selectByIds(ctx, object, ids)).map((record) => [String(record.id), record]));
}

interface SortKey {
  field: FieldDefinition;
  desc: boolean;
}

export function parseSort(object: ObjectDefinition, fieldsOf: (name: string) => FieldDefinition | undefined, sort: string | undefined): SortKey[] {
  const keys: SortKey[] = [];
  if (sort) {
    if (sort.length > 500) throw badRequest('sort is too long', [{ field: 'sort', code: 'invalid_sort', message: 'At most 500 characters' }]);
    const parts = sort.split(',').map((s) => s.trim()).filter(Boolean);
    if (parts.length > 5) throw badRequest('Sort by at most 5 fields', [{ field: 'sort', code: 'invalid_sort', message: 'At most 5 sort fields' }]);
    for (const part of parts) {
      const desc = part.startsWith('-');
      const name = desc ? part.slice(1) : part;
      const f = fieldsOf(name);
      if (!f) throw badRequest(`Cannot sort by '${name.slice(0, 64)}'`, [{ field: 'sort', code: 'invalid_sort', message: `Unknown field '${name.slice(0, 64)}' on ${object.apiName}` }]);
      if (UNSORTABLE.has(f.type)) throw badRequest(`Cannot sort by '${name}'`, [{ field: 'sort', code: 'invalid_sort', message: `Fields of type ${f.type} cannot be sorted` }]);
      if (keys.some((k) => k.field.apiName === name)) continue;
      keys.push({ field: f, desc });
    }
  }
  // The id breaks ties so that every row has exactly one place in the order (keyset paging).
  if (!keys.some((k) => k.field.apiName === 'id')) keys.push({ field: fieldsOf('id')!, desc: keys.length ? keys[keys.length - 1]!.desc : false });
  return keys;
}

/** System columns that are never NULL: their comparison can bound an index scan without an OR. */
const NOT_NULL = new Set(['id', 'created_at', 'updated_at', 'version']);

/** Rows strictly after the cursor in ORDER BY keys; NULLs sort last ascending and first descending (PostgreSQL's default). */
function afterCursor(keys: SortKey[], values: unknown[], valueOf: (f: FieldDefinition) => RawBuilder<unknown>): RawBuilder<boolean> {
  const ors: RawBuilder<boolean>[] = [];
  for (let i = 0; i < keys.length; i++) {
    const parts: RawBuilder<unknown>[] = [];
    for (let j = 0; j < i; j++) {
      const col = valueOf(keys[j]!.field);
      parts.push(values[j] === null ? sql`${col} IS NULL` : sql`${col} = ${values[j]}`);
    }
    const col = valueOf(keys[i]!.field);
    const v = values[i];
    let after: RawBuilder<unknown> | null;
    const nullable = !NOT_NULL.has(keys[i]!.field.column);
    if (!keys[i]!.desc) after = v === null ? null : nullable ? sql`(${col} > ${v} OR ${col} IS NULL)` : sql`${col} > ${v}`;
    else after = v === null ? sql`${col} IS NOT NULL` : sql`${col} < ${v}`;
    if (!after) continue;
    parts.push(after);
    ors.push(sql<boolean>`(${sql.join(parts, sql` AND `)})`);
  }
  return ors.length ? sql<boolean>`(${sql.join(ors, sql` OR `)})` : sql<boolean>`false`;
}

function cursorValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  return v ?? null;
}

/**
 * Adds the formula and roll-up values the caller may read to a record just written (the write
 * answers what a read would; computed fields have no column to return). One query, none when
 * the object has no computed fields.
 */
export async function withComputedValues(ctx: RecordContext, object: ObjectDefinition, record: ApiRecord): Promise<ApiRecord> {
  const computed = readableFields(ctx.actor, object).filter((f) => f.formula || f.rollup);
  if (!computed.length || typeof record.id !== 'string') return record;
  const r = await sql<Record<string, unknown>>`SELECT ${columnsOf(ctx, object, computed)} FROM ${sql.table(object.table)} AS t0 WHERE t0.id = ${record.id}`.execute(executor(ctx));
  const row = r.rows[0];
  if (row) for (const f of computed) record[f.apiName] = fromDb(f, row[f.column]);
  return record;
}

/** withComputedValues for several records of one object (createRecords): one query for all of them. */
export async function withComputedValuesOfMany(ctx: RecordContext, object: ObjectDefinition, records: ApiRecord[]): Promise<ApiRecord[]> {
  const computed = readableFields(ctx.actor, object).filter((f) => f.formula || f.rollup);
  if (!computed.length || records.length < 2) return Promise.all(records.map((record) => withComputedValues(ctx, object, record)));
  const r = await sql<Record<string, unknown>>`SELECT t0.id AS "__id", ${columnsOf(ctx, object, computed)} FROM ${sql.table(object.table)} AS t0 WHERE t0.id = ANY(${records.map((x) => x.id)}::uuid[])`.execute(executor(ctx));
  const byId = new Map(r.rows.map((row) => [String(row.__id), row]));
  for (const record of records) {
    const row = byId.get(record.id);
    if (row) for (const f of computed) record[f.apiName] = fromDb(f, row[f.column]);
  }
  return records;
}

export interface ListArgs {
  ctx: RecordContext;
  object: ObjectDefinition;
  filter?: unknown;
  sort?: string;
  fields?: string[];
  limit?: number;
  cursor?: string;
  /** Extra SQL condition over alias t0 from a trusted caller (e.g. a related list). */
  where?: RawBuilder<boolean>;
  /** A larger page cap for a trusted caller that streams (exports read 2,000 rows a page). */
  maxLimit?: number;
}

export interface ListResult {
  data: ApiRecord[];
  nextCursor: string | null;
}

export function conditionContext(ctx: RecordContext) {
  return { now: new Date(), timeZone: ctx.actor.timeZone };
}

/** What a list reads (alias t0): not deleted, visible to the actor, the caller's condition and filter. Exported for
 * module aggregates (the board's stage totals) so they count exactly what the list shows. */
export function listConditions(ctx: RecordContext, object: ObjectDefinition, filter: unknown, where?: RawBuilder<boolean>): RawBuilder<unknown>[] {
  const conditions: RawBuilder<unknown>[] = [sql`t0.deleted_at IS NULL`];
  const visible = visibilityCondition(ctx.actor, object, 't0');
  if (visible) conditions.push(visible);
  if (where) conditions.push(where);
  const filtered = filterCondition(ctx, object, filter);
  if (filtered) conditions.push(filtered.sql);
  return conditions;
}

/**
 * A list filter parsed, checked against the caller's field access (a hidden field reads as an
 * unknown one) and compiled on `alias`; undefined for no filter.
 */
export function filterCondition(ctx: RecordContext, object: ObjectDefinition, filter: unknown, alias = 't0'): { parsed: ParsedCondition; sql: RawBuilder<unknown> } | undefined {
  if (filter === undefined || filter === null) return undefined;
  const parsed = parseCondition({ input: filter, object, registry: ctx.platform.registry });
  const hidden = unreadablePath(ctx.actor, ctx.platform.registry, object, parsed);
  if (hidden) throw validationFailed([{ field: 'filter', code: 'invalid_filter', message: `filter: unknown field '${hidden}' on ${object.apiName}` }]);
  return { parsed, sql: compileCondition({ condition: parsed, alias, context: conditionContext(ctx), visibility: pathVisibility(ctx.actor) }) };
}

/** Counted exactly up to this many; above it the planner's estimate is given (exact: false). */
export const EXACT_COUNT_LIMIT = 10_000;

/**
 * How many records a list would show — the same conditions as listRecords, so access applies.
 * Exact while cheap (a bounded scan of at most EXACT_COUNT_LIMIT + 1 rows); above that the
 * planner's row estimate, which the app shows as "about N".
 */
export async function countRecords(args: { ctx: RecordContext; object: ObjectDefinition; filter?: unknown; where?: RawBuilder<boolean> }): Promise<{ count: number; exact: boolean }> {
  const { ctx, object } = args;
  assertObjectPermission(ctx.actor, object, 'read');
  const where = sql.join(listConditions(ctx, object, args.filter, args.where), sql` AND `);
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM (SELECT 1 FROM ${sql.table(object.table)} AS t0 WHERE ${where} LIMIT ${EXACT_COUNT_LIMIT + 1}) s`.execute(executor(ctx));
  const n = Number(r.rows[0]?.n ?? 0);
  if (n <= EXACT_COUNT_LIMIT) return { count: n, exact: true };
  const plan = await sql<{ 'QUERY PLAN': unknown }>`EXPLAIN (FORMAT JSON) SELECT 1 FROM ${sql.table(object.table)} AS t0 WHERE ${where}`.execute(executor(ctx));
  const raw = plan.rows[0]?.['QUERY PLAN'];
  const parsed = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{ Plan: { 'Plan Rows': number } }>;
  return { count: Math.max(EXACT_COUNT_LIMIT + 1, Math.round(parsed[0]?.Plan['Plan Rows'] ?? 0)), exact: false };
}

/** One keyset page's query as a list reads it: the checks, the fields, the sort keys, the conditions (with the cursor's). */
function planListPage(args: ListArgs) {
  const { ctx, object } = args;
  assertObjectPermission(ctx.actor, object, 'read');
  const limit = args.limit ?? DEFAULT_PAGE_SIZE;
  const maxLimit = args.maxLimit ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
    throw badRequest(`limit must be between 1 and ${maxLimit}`, [{ field: 'limit', code: 'out_of_range', message: `Between 1 and ${maxLimit}` }]);
  }
  const fields = selectFields(ctx, object, args.fields);
  const readable = new Map(readableFields(ctx.actor, object).map((f) => [f.apiName, f]));
  const keys = parseSort(object, (n) => readable.get(n), args.sort);
  const conditions = listConditions(ctx, object, args.filter, args.where);
  const queryKey = JSON.stringify([object.apiName, keys.map((k) => [k.field.apiName, k.desc]), args.filter ?? null]);
  const valueOf = (f: FieldDefinition) => fieldValue(ctx, object, f);
  if (args.cursor) conditions.push(afterCursor(keys, decodeCursor(ctx.platform.signingKey, args.cursor, queryKey, keys.length), valueOf));
  const order = sql.join(keys.map((k) => sql`${valueOf(k.field)} ${k.desc ? sql`DESC NULLS FIRST` : sql`ASC NULLS LAST`}`));
  return { limit, fields, keys, queryKey, valueOf, where: sql.join(conditions, sql` AND `), order };
}

type ListPagePlan = ReturnType<typeof planListPage>;

/** Runs a planned page with the given select list; `keyOf` reads a sort key's value from a row. */
async function readPage(args: ListArgs, plan: ListPagePlan, select: RawBuilder<unknown>, keyOf: (row: Record<string, unknown>, key: number) => unknown) {
  const { ctx, object } = args;
  const r = await sql<Record<string, unknown>>`SELECT ${select} FROM ${sql.table(object.table)} AS t0
    WHERE ${plan.where} ORDER BY ${plan.order} LIMIT ${plan.limit + 1}`.execute(executor(ctx));
  const rows = r.rows;
  const hasMore = rows.length > plan.limit;
  const page = hasMore ? rows.slice(0, plan.limit) : rows;
  const last = page[page.length - 1];
  const nextCursor = hasMore && last ? encodeCursor(ctx.platform.signingKey, plan.keys.map((_, i) => cursorValue(keyOf(last, i))), plan.queryKey) : null;
  return { rows: page, nextCursor };
}

export async function listRecords(args: ListArgs): Promise<ListResult> {
  const plan = planListPage(args);
  const { fields, keys } = plan;
  // Sort columns are selected too so the cursor can be built from the last row.
  const selected = [...fields, ...keys.map((k) => k.field).filter((f) => !fields.includes(f))];
  const page = await readPage(args, plan, columnsOf(args.ctx, args.object, selected), (row, i) => row[keys[i]!.field.column]);
  return { data: page.rows.map((row) => rowToRecord(fields, row, args.object)), nextCursor: page.nextCursor };
}

export interface RowsResult {
  /** Each row keyed by field column, holding what `format` selected for it (or `line`, with `join`). */
  rows: Record<string, unknown>[];
  nextCursor: string | null;
}

export interface RowsArgs extends ListArgs {
  /** A field's value wrapped in SQL (e.g. text formatted by PostgreSQL), or null to select it as it is. */
  format: (field: FieldDefinition, value: RawBuilder<unknown>) => RawBuilder<unknown> | null;
  /** The formatted values made into one expression (in the caller's order), selected as `line` instead of a column per field. */
  join?: (valueOf: (field: FieldDefinition) => RawBuilder<unknown>) => RawBuilder<unknown>;
}

/**
 * A list page as raw rows, for a trusted caller that turns rows into something other than API
 * records (exports write CSV lines straight from them). The rows, their order, the cursor and the
 * rules are listRecords': the same conditions (access, filter, cursor) and only fields the caller
 * may read (a hidden one asked for is refused). Only the fields asked for are selected (id always);
 * `format` may wrap a field's value in SQL (text formatted by PostgreSQL), or return null to
 * select it as it is; `join` makes one value of the row's (a CSV line written by PostgreSQL).
 */
export async function listRows(args: RowsArgs): Promise<RowsResult> {
  const plan = planListPage(args);
  const { fields, values, asIs } = formattedValues(args, plan);
  const select = args.join ? [sql`${args.join(valueOfIn(fields, values))} AS line`] : fields.map((f, i) => sql`${values[i]} AS ${sql.id(f.column)}`);
  // A sort key selected as it is serves the cursor; any other (every one, when the row is one line) is selected raw beside it.
  const keyAlias = plan.keys.map((k, i) => (!args.join && asIs.has(k.field) ? k.field.column : `__sort_key_${i}`));
  plan.keys.forEach((k, i) => {
    if (keyAlias[i] !== k.field.column) select.push(sql`${plan.valueOf(k.field)} AS ${sql.id(keyAlias[i]!)}`);
  });
  return readPage(args, plan, sql.join(select), (row, i) => row[keyAlias[i]!]);
}

/** The fields listRows selects (only those asked for, id always) and each one's value as `format` wraps it. */
function formattedValues(args: RowsArgs, plan: ListPagePlan) {
  const asked = args.fields?.length ? new Set(['id', ...args.fields]) : null;
  const fields = asked ? plan.fields.filter((f) => asked.has(f.apiName)) : plan.fields;
  const asIs = new Set<FieldDefinition>();
  const values = fields.map((f) => {
    const value = plan.valueOf(f);
    const formatted = args.format(f, value);
    if (!formatted) asIs.add(f);
    return formatted ?? value;
  });
  return { fields, values, asIs };
}

function valueOfIn(fields: FieldDefinition[], values: RawBuilder<unknown>[]) {
  return (f: FieldDefinition) => {
    const i = fields.indexOf(f);
    if (i < 0) throw new Error(`listRows: ${f.apiName} is not a selected field`);
    return values[i]!;
  };
}

/**
 * listRows' query for every row at once, each as one `line` (`join` is required): the same
 * conditions (access, filter), readable fields and order, without a limit or cursor. For a caller
 * that streams the whole list in one statement (exports on PostgreSQL, through COPY); `limit` is
 * only checked.
 */
export function listLinesQuery(args: RowsArgs & Required<Pick<RowsArgs, 'join'>>): RawBuilder<{ line: string }> {
  const plan = planListPage({ ...args, cursor: undefined });
  const { fields, values } = formattedValues(args, plan);
  return sql<{ line: string }>`SELECT ${args.join(valueOfIn(fields, values))} AS line FROM ${sql.table(args.object.table)} AS t0
    WHERE ${plan.where} ORDER BY ${plan.order}`;
}

/**
 * Display names of the records that lookups point to, one query per target object (no N+1):
 * `{ account: { "<id>": "Acme" } }`. Records the actor may not see are left out.
 */
export async function resolveDisplayNames(ctx: RecordContext, object: ObjectDefinition, records: ApiRecord[]): Promise<Record<string, Record<string, string>>> {
  const byTarget = new Map<string, Set<string>>();
  for (const f of object.fields) {
    if (!f.lookup) continue;
    for (const r of records) {
      const v = r[f.apiName];
      if (typeof v === 'string') {
        if (!byTarget.has(f.lookup.object)) byTarget.set(f.lookup.object, new Set());
        byTarget.get(f.lookup.object)!.add(v);
      }
    }
  }
  return resolveNames(ctx, byTarget);
}

/** Display names by target object and id (`{ account: { "<id>": "Acme" } }`): one query per target, only what the actor may see. */
export async function resolveNames(ctx: RecordContext, byTarget: Map<string, Set<string>>): Promise<Record<string, Record<string, string>>> {
  const registry = ctx.platform.registry;
  const out: Record<string, Record<string, string>> = {};
  for (const [target, ids] of byTarget) {
    const t = registry.getObject(target);
    // Names only of objects the caller's profile may read, and of records they can see.
    if (!t || !permissionsFor(ctx.actor, t).read) continue;
    const nameField = registry.getField(t, t.nameField)!;
    const visible = visibilityCondition(ctx.actor, t, 't0');
    const r = await sql<{ id: string; name: unknown }>`SELECT t0.id, ${sql.ref(`t0.${nameField.column}`)} AS name FROM ${sql.table(t.table)} AS t0
      WHERE t0.id = ANY(${[...ids]}::uuid[]) AND t0.deleted_at IS NULL ${visible ? sql`AND ${visible}` : sql``}`.execute(executor(ctx));
    out[target] = Object.fromEntries(r.rows.map((row) => [row.id, recordName(t, { id: row.id, [t.nameField]: row.name })]));
  }
  return out;
}
