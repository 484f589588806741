import { sql } from 'kysely';
import { AppError } from '../errors.ts';
import type { ObjectDefinition } from '../metadata/types.ts';
import { assertObjectPermission, visibilityCondition } from '../access/policy.ts';
import { inTransaction, type RecordContext, type TxContext } from './context.ts';
import type { ApiRecord } from './hooks.ts';
import { recordChanges, type Changes } from './history.ts';
import { rowToRecord } from './serialize.ts';
import { checkLookupsOfRows, validateInput, validateRecord } from './validate.ts';
import { toDb, UUID_RE } from './values.ts';
import { withComputedValuesOfMany } from './read.ts';
import {
  assertVersion, assertWritable, guardedWrite, writeManyNamingFailure, loadForUpdate, prefixError, queueAfterCommit, runBeforeSave, sameValue, type WriteOptions,
} from './write.ts';

export interface UpdateItem {
  id: string;
  input: unknown;
  expectedVersion?: number;
  options?: WriteOptions;
}

interface Item extends UpdateItem {
  options: WriteOptions;
  data?: Record<string, unknown>;
  refused?: unknown;
  previous?: ApiRecord;
  merged?: Record<string, unknown>;
  changed?: string[];
}

/**
 * Updates several records of one object together (the orders an invoice is made from), in one
 * transaction and through the same steps as updateRecord for every one of them — access, input
 * validation, the lock and load with the actor's edit access, version, lookups, beforeSave hooks,
 * required fields and rules, history and event, afterSave and afterCommit hooks — with the
 * statements shared: the records locked and read with one SELECT … FOR UPDATE (in id order, as
 * single updates taking them one by one in that order would), the lookups checked with one query
 * per target object, records whose change is the same written with one UPDATE, and all the
 * history rows and events with one statement. A refused record refuses them all, named by its own
 * path prefix (`pathPrefix` in its options) or, for a record missing or not editable, by the same
 * error updateRecord gives. Every record's beforeSave hooks run before any is written, and the
 * afterSave hooks after all are written, in the order given. Answers the records in that order.
 */
export async function updateRecords(args: { ctx: RecordContext; object: ObjectDefinition; records: UpdateItem[] }): Promise<ApiRecord[]> {
  const { object } = args;
  assertObjectPermission(args.ctx.actor, object, 'edit');
  if (!args.records.length) return [];
  if (new Set(args.records.map((r) => r.id)).size !== args.records.length) throw new Error('updateRecords: each record once');
  return inTransaction(args.ctx, async (ctx) => {
    const items: Item[] = args.records.map((r) => ({ ...r, options: r.options ?? {} }));
    for (const item of items) {
      try {
        item.data = inputOf(ctx, object, item);
      } catch (error) {
        // Reported in the records' order, after the earlier records' own checks (below).
        item.refused = error;
      }
    }
    const loaded = await lockRecords(ctx, object, items.map((i) => i.id));
    for (const item of items) {
      if (item.refused) throw item.refused;
      // Missing, deleted or not editable: updateRecord's own answer for that record (404 or 403).
      item.previous = loaded.get(item.id) ?? (await loadForUpdate(ctx, object, item.id));
      assertWritable(object, item.options);
      assertVersion(object, item.previous, item.expectedVersion);
      item.merged = { ...item.previous, ...item.data };
    }
    const checked = await checkLookupsOfRows({
      ctx, object, rows: items.map((i) => ({ merged: i.merged!, changed: new Set(Object.keys(i.data!).filter((k) => !sameValue(i.previous![k], i.data![k]))), prefix: i.options.pathPrefix ?? '' })),
    });
    for (const [n, item] of items.entries()) {
      const { data, merged, previous, options } = item as Required<Item>;
      try {
        await runBeforeSave({ ctx, object, operation: 'update', data, merged, previous, options });
        item.changed = Object.keys(data).filter((k) => !sameValue(previous[k], data[k]));
        if (item.changed.length) await validateRecord({ ctx, object, merged, changed: new Set(item.changed), pathPrefix: options.pathPrefix, lookupsChecked: checked[n] });
      } catch (error) {
        throw prefixError(error, options.pathPrefix);
      }
    }
    const written = items.filter((i) => i.changed!.length);
    const rows = await writeRows(ctx, object, written);
    const changed = written.map((item) => {
      const record = rowToRecord(object.fields, rows.get(item.id)!, object);
      const changes: Changes = {};
      for (const f of object.fields) {
        if (['version', 'updated_at', 'updated_by'].includes(f.apiName)) continue;
        if (!sameValue(item.previous![f.apiName], record[f.apiName])) changes[f.apiName] = { old: item.previous![f.apiName] ?? null, new: record[f.apiName] ?? null };
      }
      return { item, record, changes };
    });
    await recordChanges({ ctx, object, operation: 'update', records: changed.map((c) => ({ recordId: c.item.id, changes: c.changes })) });
    for (const { item, record, changes } of changed) {
      for (const hook of ctx.platform.hooks.for('afterSave', object.apiName, 'update')) await hook({ ctx, object, operation: 'update', record, previous: item.previous, changes });
      queueAfterCommit(ctx, object, 'update', record, changes, item.previous);
    }
    const byId = new Map(changed.map((c) => [c.item.id, c.record]));
    return withComputedValuesOfMany(ctx, object, items.map((i) => byId.get(i.id) ?? i.previous!));
  });
}

/** updateRecord's reading of one record's input: the version it names, its validated values, the command's system values. */
function inputOf(ctx: TxContext, object: ObjectDefinition, item: Item): Record<string, unknown> {
  const input = item.input as Record<string, unknown>;
  const prefix = item.options.pathPrefix ?? '';
  if (input && typeof input === 'object' && !Array.isArray(input) && 'version' in input) {
    if (typeof input.version !== 'number' || !Number.isInteger(input.version)) {
      throw new AppError('validation_failed', 'version must be an integer', { errors: [{ field: prefix + 'version', code: 'type', message: 'Must be the integer version you read' }] });
    }
    item.expectedVersion ??= input.version;
  }
  const data = validateInput({ ctx, object, input: item.input, ignore: ['version', 'id'], pathPrefix: item.options.pathPrefix });
  if (item.options.systemValues) Object.assign(data, item.options.systemValues);
  return data;
}

/**
 * loadForUpdate for many: the beforeLock hooks of each record (a line locks its document first),
 * then the live records the actor may edit, locked in id order with one statement. Records it
 * does not answer are left to loadForUpdate, which says why.
 */
async function lockRecords(ctx: TxContext, object: ObjectDefinition, ids: string[]): Promise<Map<string, ApiRecord>> {
  const valid = [...ids].filter((id) => UUID_RE.test(id)).sort();
  for (const id of valid) for (const hook of ctx.platform.hooks.for('beforeLock', object.apiName, 'update')) await hook({ ctx, object, id });
  if (!valid.length) return new Map();
  const visible = visibilityCondition(ctx.actor, object, 't0', 'edit');
  const r = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(object.table)} AS t0 WHERE t0.id = ANY(${valid}::uuid[])
    AND t0.deleted_at IS NULL ${visible ? sql`AND ${visible}` : sql``} ORDER BY t0.id FOR UPDATE`.execute(ctx.trx);
  return new Map(r.rows.map((row) => [String(row.id), rowToRecord(object.fields, row, object)]));
}

/** Field types whose values go through a JSON document into the table's own column types unchanged (jsonb_populate_recordset). */
const PER_ROW_TYPES = new Set(['text', 'long_text', 'email', 'phone', 'url', 'number', 'currency', 'percent', 'boolean', 'date', 'datetime', 'picklist', 'lookup', 'user']);

/**
 * The UPDATEs: records changing the same fields with one statement — with the same values (every
 * order marked with one invoice) as updateRecord writes it, with different values (invoices
 * posted with their own numbers) from one JSON document typed by the table's own row type — any
 * other record with its own. If the database refuses a shared statement (a unique value, a
 * check), its records are written again one at a time, so the error names the record.
 */
async function writeRows(ctx: TxContext, object: ObjectDefinition, items: Item[]): Promise<Map<string, Record<string, unknown>>> {
  const byFields = new Map<string, Item[]>();
  for (const item of items) {
    const key = JSON.stringify(item.changed);
    byFields.set(key, [...(byFields.get(key) ?? []), item]);
  }
  const rows = new Map<string, Record<string, unknown>>();
  const fieldsOf = (item: Item) => item.changed!.map((k) => ctx.platform.registry.getField(object, k)!);
  const valuesKey = (item: Item) => JSON.stringify(item.changed!.map((k) => item.data![k]));
  for (const sameFields of byFields.values()) {
    const [first] = sameFields as [Item];
    const fields = fieldsOf(first);
    const alike = sameFields.every((i) => valuesKey(i) === valuesKey(first));
    if (alike || !fields.every((f) => PER_ROW_TYPES.has(f.type))) {
      const byValues = new Map<string, Item[]>();
      for (const item of sameFields) byValues.set(valuesKey(item), [...(byValues.get(valuesKey(item)) ?? []), item]);
      for (const group of byValues.values()) await writeShared(ctx, object, group, rows, () => sameValuesUpdate(ctx, object, group));
    } else {
      await writeShared(ctx, object, sameFields, rows, () => perRowUpdate(ctx, object, sameFields));
    }
  }
  return rows;
}

/** One UPDATE giving every record of the group the first one's values. */
function sameValuesUpdate(ctx: TxContext, object: ObjectDefinition, group: Item[]) {
  const [first] = group as [Item];
  const sets = first.changed!.map((k) => {
    const f = ctx.platform.registry.getField(object, k)!;
    return sql`${sql.id(f.column)} = ${toDb(f, first.data![k])}`;
  });
  return sql<Record<string, unknown>>`UPDATE ${sql.table(object.table)} SET ${sql.join(sets)}, version = version + 1,
    updated_at = date_trunc('milliseconds', now()), updated_by = ${ctx.actor.userId} WHERE id = ANY(${group.map((i) => i.id)}::uuid[]) RETURNING *`.execute(ctx.trx);
}

/** One UPDATE giving each record of the group its own values of the same fields, sent as one JSON document read as the table's rows. */
function perRowUpdate(ctx: TxContext, object: ObjectDefinition, group: Item[]) {
  const fields = group[0]!.changed!.map((k) => ctx.platform.registry.getField(object, k)!);
  const doc = group.map((item) => Object.fromEntries([['id', item.id], ...fields.map((f) => [f.column, toDb(f, item.data![f.apiName])])]));
  return sql<Record<string, unknown>>`UPDATE ${sql.table(object.table)} AS t SET ${sql.join(fields.map((f) => sql`${sql.id(f.column)} = r.${sql.id(f.column)}`))},
    version = t.version + 1, updated_at = date_trunc('milliseconds', now()), updated_by = ${ctx.actor.userId}
    FROM jsonb_populate_recordset(NULL::${sql.table(object.table)}, ${JSON.stringify(doc)}::jsonb) AS r WHERE t.id = r.id RETURNING t.*`.execute(ctx.trx);
}

/** Runs a shared UPDATE (alone when it is one record); refused, its records are written one at a time so the error names the record. */
async function writeShared(ctx: TxContext, object: ObjectDefinition, group: Item[], rows: Map<string, Record<string, unknown>>, shared: () => Promise<{ rows: Array<Record<string, unknown>> }>): Promise<void> {
  const one = async (item: Item) => {
    const r = await guardedWrite(ctx, item.options, () => sameValuesUpdate(ctx, object, [item]));
    rows.set(item.id, r.rows[0]!);
  };
  if (group.length === 1) return one(group[0]!);
  const written = await writeManyNamingFailure(ctx, shared, async () => {
    for (const item of group) await one(item);
  });
  for (const row of written.rows) rows.set(String(row.id), row);
}
