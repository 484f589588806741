import { sql } from 'kysely';
import { uuidv7 } from '../ids.ts';
import { AppError, forbidden, notFound, translateDatabaseError } from '../errors.ts';
import type { FieldDefinition, ObjectDefinition } from '../metadata/types.ts';
import { assertObjectPermission, visibilityCondition } from '../access/policy.ts';
import { inSavepoint, inTransaction, type RecordContext, type TxContext } from './context.ts';
import type { ApiRecord } from './hooks.ts';
import { recordChange, recordChanges, type Changes } from './history.ts';
import { rowToRecord } from './serialize.ts';
import { checkLookups, checkLookupsOfRows, validateInput, validateRecord } from './validate.ts';
import { toDb, UUID_RE } from './values.ts';
import { withComputedValues, withComputedValuesOfMany } from './read.ts';

export interface WriteOptions {
  /** Skip duplicate detection (the caller saw the candidates and confirmed). */
  allowDuplicate?: boolean;
  /** Prefix for error field paths (bulk: `records[3].`). */
  pathPrefix?: string;
  /**
   * The caller carries on in the same transaction after this write fails (bulk): the write then
   * runs under a savepoint so a constraint error does not abort the transaction. A single write
   * rolls back as a whole anyway, so it saves the two round trips.
   */
  continueOnError?: boolean;
  /**
   * Values of read-only fields that the calling command, not the client, determines (an upload
   * sets an attachment's detected type, size and storage key; lead conversion sets converted_*;
   * the stalled-deals job sets stalled). They bypass the read-only check of the input; beforeSave
   * hooks see them in data and in options, and a rule that only Meridian may write an object or a
   * state (stage history, a converted lead) asks whether options.systemValues is present.
   */
  systemValues?: Record<string, unknown>;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

async function runBeforeSave(args: { ctx: TxContext; object: ObjectDefinition; operation: 'create' | 'update'; data: Record<string, unknown>; merged: Record<string, unknown>; previous?: ApiRecord; options: WriteOptions }) {
  for (const hook of args.ctx.platform.hooks.for('beforeSave', args.object.apiName, args.operation)) {
    await hook(args);
    Object.assign(args.merged, args.data);
  }
}

function queueAfterCommit(ctx: TxContext, object: ObjectDefinition, operation: 'create' | 'update' | 'delete' | 'restore', record: ApiRecord, changes: Changes, previous?: ApiRecord) {
  const hooks = ctx.platform.hooks.for('afterCommit', object.apiName, operation);
  for (const hook of hooks) ctx.uow.afterCommit(() => hook({ ctx, object, operation, record, previous, changes }));
}

async function autonumberValue(ctx: TxContext, object: ObjectDefinition, f: FieldDefinition): Promise<string> {
  const r = await sql<{ n: string }>`SELECT nextval(${`seq__${object.table}__${f.apiName}`}::regclass) AS n`.execute(ctx.trx);
  const { prefix, digits } = f.autonumber ?? { prefix: '', digits: 6 };
  return `${prefix}${String(r.rows[0]!.n).padStart(digits, '0')}`;
}

/** Records of an object only Meridian's commands write (a log, a run) are refused to everyone else. */
function assertWritable(object: ObjectDefinition, options: WriteOptions): void {
  if (object.writtenBySystem && !options.systemValues) throw new AppError('forbidden', `${object.pluralLabel} are recorded by Meridian and cannot be written`);
}

/** A new record's values from its input: validated, the command's system values, the defaults and the owner. */
function newRecordData(ctx: TxContext, object: ObjectDefinition, input: unknown, options: WriteOptions): Record<string, unknown> {
  const data = validateInput({ ctx, object, input, pathPrefix: options.pathPrefix });
  if (options.systemValues) Object.assign(data, options.systemValues);
  for (const f of object.fields) {
    // Only an object or array default needs its own copy (structuredClone per field and record showed in the import's profile).
    if (!(f.apiName in data) && f.defaultValue !== undefined && !f.readOnly) data[f.apiName] = typeof f.defaultValue === 'object' && f.defaultValue !== null ? structuredClone(f.defaultValue) : f.defaultValue;
  }
  if (!('owner' in data) && ctx.actor.userId && object.apiName !== 'user') data.owner = ctx.actor.userId;
  return data;
}

/** The columns and values a new record is inserted with (autonumbers drawn now). */
async function insertValues(ctx: TxContext, object: ObjectDefinition, id: string, data: Record<string, unknown>): Promise<Map<string, unknown>> {
  const values = new Map<string, unknown>([['id', id], ['created_by', ctx.actor.userId], ['updated_by', ctx.actor.userId]]);
  for (const f of object.fields) {
    if (f.type === 'autonumber') values.set(f.column, await autonumberValue(ctx, object, f));
    else if (f.apiName in data && !['id', 'created_by', 'updated_by'].includes(f.apiName)) values.set(f.column, toDb(f, data[f.apiName]));
  }
  return values;
}

/** What a create writes to history and the event: every value set, but read-only ones other than autonumbers and generated values. */
function createdChanges(object: ObjectDefinition, record: ApiRecord): Changes {
  const changes: Changes = {};
  for (const f of object.fields) {
    if (!f.readOnly || f.type === 'autonumber' || f.generated) {
      const v = record[f.apiName];
      if (v !== null && v !== undefined && f.apiName !== 'id') changes[f.apiName] = { old: null, new: v };
    }
  }
  return changes;
}

/** Create one record: access → validate → beforeSave hooks → insert + history + event → afterCommit. */
export async function createRecord(args: { ctx: RecordContext; object: ObjectDefinition; input: unknown; options?: WriteOptions }): Promise<ApiRecord> {
  const { object } = args;
  const options = args.options ?? {};
  assertObjectPermission(args.ctx.actor, object, 'create');
  assertWritable(object, options);
  return inTransaction(args.ctx, async (ctx) => {
    const data = newRecordData(ctx, object, args.input, options);
    const merged: Record<string, unknown> = { ...data };
    const lookupsChecked = await checkLookups({ ctx, object, merged, changed: new Set(Object.keys(data)), prefix: options.pathPrefix ?? '' });
    await runBeforeSave({ ctx, object, operation: 'create', data, merged, options });
    await validateRecord({ ctx, object, merged, changed: new Set(Object.keys(data)), pathPrefix: options.pathPrefix, lookupsChecked });
    const id = uuidv7();
    const values = await insertValues(ctx, object, id, data);
    const row = await insertRow(ctx, object, [...values.keys()], [...values.values()], options);
    const record = rowToRecord(object.fields, row, object);
    ctx.uow.noteCreated(object.apiName, [id]);
    const changes = createdChanges(object, record);
    await recordChange({ ctx, object, operation: 'create', recordId: id, changes });
    for (const hook of ctx.platform.hooks.for('afterSave', object.apiName, 'create')) await hook({ ctx, object, operation: 'create', record, changes });
    queueAfterCommit(ctx, object, 'create', record, changes);
    return withComputedValues(ctx, object, record);
  });
}

/**
 * Creates several records of one object together (a document's lines), in one transaction and
 * through the same steps as createRecord for every one of them — access, input validation,
 * lookups, beforeSave hooks, required fields and rules, history and event, afterSave and
 * afterCommit hooks — with the statements shared: the lookups of all the records checked with
 * one query per target object, the rows inserted with one multi-row INSERT, their history and
 * events written with one statement. Every record's beforeSave hooks run before any is
 * inserted (a hook counting the object's rows, a next position, must count the batch itself);
 * the afterSave hooks run after all are inserted, in order. One refused record refuses them all,
 * its error named by its own path prefix. Answers the records in the order given.
 */
export async function createRecords(args: { ctx: RecordContext; object: ObjectDefinition; records: Array<{ input: unknown; options?: WriteOptions }> }): Promise<ApiRecord[]> {
  const { object } = args;
  assertObjectPermission(args.ctx.actor, object, 'create');
  for (const r of args.records) assertWritable(object, r.options ?? {});
  if (!args.records.length) return [];
  return inTransaction(args.ctx, async (ctx) => {
    const items = args.records.map(({ input, options = {} }) => {
      const data = newRecordData(ctx, object, input, options);
      return { data, merged: { ...data } as Record<string, unknown>, options, changed: new Set(Object.keys(data)), prefix: options.pathPrefix ?? '' };
    });
    const checked = await checkLookupsOfRows({ ctx, object, rows: items });
    await checkNewRecords(ctx, object, items, checked);
    const rows: Array<Map<string, unknown>> = [];
    for (const item of items) rows.push(await insertValues(ctx, object, uuidv7(), item.data));
    const inserted = await insertRows(ctx, object, rows, items.map((i) => i.options));
    const records = inserted.map((row) => rowToRecord(object.fields, row, object));
    ctx.uow.noteCreated(object.apiName, records.map((r) => r.id));
    const changes = records.map((record) => createdChanges(object, record));
    await recordChanges({ ctx, object, operation: 'create', records: records.map((record, i) => ({ recordId: record.id, changes: changes[i]! })) });
    for (const [i, record] of records.entries()) {
      for (const hook of ctx.platform.hooks.for('afterSave', object.apiName, 'create')) await hook({ ctx, object, operation: 'create', record, changes: changes[i]! });
      queueAfterCommit(ctx, object, 'create', record, changes[i]!);
    }
    return withComputedValuesOfMany(ctx, object, records);
  });
}

type NewItem = { data: Record<string, unknown>; merged: Record<string, unknown>; options: WriteOptions; changed: Set<string> };

/**
 * createRecords' beforeSave hooks and record validation. Without a hook that has a form for many
 * records (runMany), each record in turn: its hooks, then its validation. With one, the hooks run
 * in their order — a run of ordinary hooks record by record, a hook with a form for many once for
 * all the records without an error so far (a duplicate probe per rule for the whole batch, not per
 * record) — each record's first error kept; then, record by record, the first error or the
 * validation. So the record refused is the first in order, with its first error: what the
 * record-by-record order refuses.
 */
async function checkNewRecords(ctx: TxContext, object: ObjectDefinition, items: NewItem[], checked: Array<Map<string, unknown>>): Promise<void> {
  const hooks = ctx.platform.hooks.beforeSaveOf(object.apiName, 'create');
  const argsOf = (item: NewItem) => ({ ctx, object, operation: 'create' as const, data: item.data, merged: item.merged, options: item.options });
  const failed = new Map<number, unknown>();
  const batched = items.length > 1 && hooks.some((h) => h.runMany);
  if (batched) {
    for (let h = 0; h < hooks.length; ) {
      const many = hooks[h]!.runMany;
      if (many) {
        const live = items.flatMap((_, i) => (failed.has(i) ? [] : [i]));
        const errors = await many(live.map((i) => argsOf(items[i]!)));
        live.forEach((i, k) => (errors[k] !== undefined ? failed.set(i, errors[k]) : Object.assign(items[i]!.merged, items[i]!.data)));
        h++;
        continue;
      }
      let end = h;
      while (end < hooks.length && !hooks[end]!.runMany) end++;
      for (const [i, item] of items.entries()) {
        if (failed.has(i)) continue;
        try {
          for (let k = h; k < end; k++) {
            await hooks[k]!.run(argsOf(item));
            Object.assign(item.merged, item.data);
          }
        } catch (error) {
          // A refusal waits for its turn; anything else (a failed statement aborts the transaction) stops here.
          if (!(error instanceof AppError)) throw prefixError(error, item.options.pathPrefix);
          failed.set(i, error);
        }
      }
      h = end;
    }
  }
  for (const [i, item] of items.entries()) {
    try {
      if (failed.has(i)) throw failed.get(i);
      if (!batched) await runBeforeSave(argsOf(item));
      await validateRecord({ ctx, object, merged: item.merged, changed: item.changed, pathPrefix: item.options.pathPrefix, lookupsChecked: checked[i] });
    } catch (error) {
      // A hook names the record's own fields; here they are named under the record's place.
      throw prefixError(error, item.options.pathPrefix);
    }
  }
}

const MAX_PARAMETERS = 65_535;

/**
 * Inserts many rows with one statement (cells a row does not set take the column's default), in
 * the order given. If the database refuses it (a unique value, a check), the rows are inserted
 * again one at a time under a savepoint, so the error names the row that caused it.
 */
async function insertRows(ctx: TxContext, object: ObjectDefinition, rows: Array<Map<string, unknown>>, options: WriteOptions[]): Promise<Array<Record<string, unknown>>> {
  if (rows.length === 1) return [await insertRow(ctx, object, [...rows[0]!.keys()], [...rows[0]!.values()], options[0]!)];
  const columns = [...new Set(rows.flatMap((r) => [...r.keys()]))];
  // A statement binds at most 65,535 parameters (the protocol's limit): a batch beyond it (a run's
  // thousands of invoice lines) is inserted in as many statements as it needs.
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
  if (rows.length > perStatement) {
    const out: Array<Record<string, unknown>> = [];
    for (let i = 0; i < rows.length; i += perStatement) out.push(...(await insertRows(ctx, object, rows.slice(i, i + perStatement), options.slice(i, i + perStatement))));
    return out;
  }
  const insert = async () => {
    const r = await sql<Record<string, unknown>>`INSERT INTO ${sql.table(object.table)} (${sql.join(columns.map((c) => sql.id(c)))})
      VALUES ${sql.join(rows.map((row) => sql`(${sql.join(columns.map((c) => (row.has(c) ? sql`${row.get(c)}` : sql`DEFAULT`)))})`))} RETURNING *`.execute(ctx.trx);
    ctx.platform.statistics?.note(object.table);
    const byId = new Map(r.rows.map((row) => [String(row.id), row]));
    return rows.map((row) => byId.get(String(row.get('id')))!);
  };
  // insertRow throws the refused row's error with its prefix; rows accepted one by one but not together still fail.
  return writeManyNamingFailure(ctx, insert, async () => {
    for (const [i, row] of rows.entries()) await insertRow(ctx, object, [...row.keys()], [...row.values()], options[i]!);
  });
}

/**
 * Runs one statement that writes many records under a savepoint; if the database refuses it, rolls
 * back to the savepoint and lets `oneByOne` write them again one at a time, so the error names the
 * record that caused it, and rethrows. A transaction that is retried one by one as a whole
 * (`retriedOneByOne`) needs no savepoint: the statement runs bare.
 */
export async function writeManyNamingFailure<T>(ctx: TxContext, write: () => Promise<T>, oneByOne: () => Promise<void>): Promise<T> {
  if (ctx.retriedOneByOne) return write();
  try {
    return await inSavepoint(ctx, 'rec_write_many', write);
  } catch (error) {
    await oneByOne();
    throw error;
  }
}

/** Runs one write statement, under a savepoint when the caller continues after a failure. */
async function guardedWrite<T>(ctx: TxContext, options: WriteOptions, run: () => Promise<T>): Promise<T> {
  const savepoint = options.continueOnError === true;
  if (savepoint) await sql`SAVEPOINT rec_write`.execute(ctx.trx);
  try {
    const result = await run();
    if (savepoint) await sql`RELEASE SAVEPOINT rec_write`.execute(ctx.trx);
    return result;
  } catch (error) {
    if (savepoint) await sql`ROLLBACK TO SAVEPOINT rec_write`.execute(ctx.trx);
    throw prefixError(translateDatabaseError(error) ?? error, options.pathPrefix);
  }
}

async function insertRow(ctx: TxContext, object: ObjectDefinition, columns: string[], values: unknown[], options: WriteOptions): Promise<Record<string, unknown>> {
  return guardedWrite(ctx, options, async () => {
    const r = await sql<Record<string, unknown>>`INSERT INTO ${sql.table(object.table)} (${sql.join(columns.map((c) => sql.id(c)))})
      VALUES (${sql.join(values.map((v) => sql`${v}`))}) RETURNING *`.execute(ctx.trx);
    ctx.platform.statistics?.note(object.table);
    return r.rows[0]!;
  });
}

function prefixError(error: unknown, prefix: string | undefined): unknown {
  if (!prefix || !(error instanceof AppError)) return error;
  return new AppError(error.code, error.message, { errors: error.errors.map((e) => ({ ...e, field: e.field.startsWith(prefix) ? e.field : prefix + e.field })), extra: error.extra });
}

/** Locks and loads a live, visible record inside the transaction. */
export async function loadForUpdate(ctx: TxContext, object: ObjectDefinition, id: string, options: { includeDeleted?: boolean; mode?: 'read' | 'edit' } = {}): Promise<ApiRecord> {
  if (!UUID_RE.test(id)) throw notFound(`${object.label} ${id.slice(0, 40)}`);
  for (const hook of ctx.platform.hooks.for('beforeLock', object.apiName, 'update')) await hook({ ctx, object, id });
  const mode = options.mode ?? 'edit';
  const visible = visibilityCondition(ctx.actor, object, 't0', mode);
  const r = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(object.table)} AS t0 WHERE t0.id = ${id}
    ${options.includeDeleted ? sql`` : sql`AND t0.deleted_at IS NULL`} ${visible ? sql`AND ${visible}` : sql``} FOR UPDATE`.execute(ctx.trx);
  const row = r.rows[0];
  if (!row) {
    // Visible but not editable: say so rather than pretend it does not exist.
    if (mode === 'edit' && visible) {
      const readable = visibilityCondition(ctx.actor, object, 't0', 'read');
      const seen = await sql`SELECT 1 FROM ${sql.table(object.table)} AS t0 WHERE t0.id = ${id} AND t0.deleted_at IS NULL ${readable ? sql`AND ${readable}` : sql``}`.execute(ctx.trx);
      if (seen.rows.length) throw forbidden(`You can see this ${object.label.toLowerCase()} but not change it`);
    }
    throw notFound(`${object.label} ${id}`);
  }
  return rowToRecord(object.fields, row, object);
}

export function assertVersion(object: ObjectDefinition, current: ApiRecord, expected: number | undefined) {
  if (expected !== undefined && current.version !== expected) {
    throw new AppError('version_conflict', `This ${object.label.toLowerCase()} was changed by someone else (now at version ${current.version as number}); reload it and apply your change again`, {
      extra: { currentVersion: current.version },
    });
  }
}

/** Update one record. `expectedVersion` (from If-Match or the body's `version`) guards against lost updates. */
export async function updateRecord(args: { ctx: RecordContext; object: ObjectDefinition; id: string; input: unknown; expectedVersion?: number; options?: WriteOptions }): Promise<ApiRecord> {
  const { object } = args;
  const options = args.options ?? {};
  assertObjectPermission(args.ctx.actor, object, 'edit');
  return inTransaction(args.ctx, async (ctx) => {
    let expected = args.expectedVersion;
    const input = args.input as Record<string, unknown>;
    if (input && typeof input === 'object' && !Array.isArray(input) && 'version' in input) {
      if (typeof input.version !== 'number' || !Number.isInteger(input.version)) {
        throw new AppError('validation_failed', 'version must be an integer', { errors: [{ field: (options.pathPrefix ?? '') + 'version', code: 'type', message: 'Must be the integer version you read' }] });
      }
      expected ??= input.version;
    }
    const data = validateInput({ ctx, object, input: args.input, ignore: ['version', 'id'], pathPrefix: options.pathPrefix });
    if (options.systemValues) Object.assign(data, options.systemValues);
    const previous = await loadForUpdate(ctx, object, args.id);
    assertWritable(object, options);
    assertVersion(object, previous, expected);
    const merged: Record<string, unknown> = { ...previous, ...data };
    const lookupsChecked = await checkLookups({ ctx, object, merged, changed: new Set(Object.keys(data).filter((k) => !sameValue(previous[k], data[k]))), prefix: options.pathPrefix ?? '' });
    await runBeforeSave({ ctx, object, operation: 'update', data, merged, previous, options });
    const changed = Object.keys(data).filter((k) => !sameValue(previous[k], data[k]));
    if (!changed.length) return withComputedValues(ctx, object, previous);
    await validateRecord({ ctx, object, merged, changed: new Set(changed), pathPrefix: options.pathPrefix, lookupsChecked });
    const sets = changed.map((k) => {
      const f = ctx.platform.registry.getField(object, k)!;
      return sql`${sql.id(f.column)} = ${toDb(f, data[k])}`;
    });
    const row = await guardedWrite(ctx, options, async () => {
      const r = await sql<Record<string, unknown>>`UPDATE ${sql.table(object.table)} SET ${sql.join(sets)}, version = version + 1,
        updated_at = date_trunc('milliseconds', now()), updated_by = ${ctx.actor.userId} WHERE id = ${args.id} RETURNING *`.execute(ctx.trx);
      return r.rows[0]!;
    });
    const record = rowToRecord(object.fields, row, object);
    const changes: Changes = {};
    for (const f of object.fields) {
      if (['version', 'updated_at', 'updated_by'].includes(f.apiName)) continue;
      if (!sameValue(previous[f.apiName], record[f.apiName])) changes[f.apiName] = { old: previous[f.apiName] ?? null, new: record[f.apiName] ?? null };
    }
    await recordChange({ ctx, object, operation: 'update', recordId: args.id, changes });
    for (const hook of ctx.platform.hooks.for('afterSave', object.apiName, 'update')) await hook({ ctx, object, operation: 'update', record, previous, changes });
    queueAfterCommit(ctx, object, 'update', record, changes, previous);
    return withComputedValues(ctx, object, record);
  });
}

export { queueAfterCommit };
// For updateRecords (updateMany.ts): the same steps, shared rather than copied.
export { assertWritable, guardedWrite, prefixError, runBeforeSave, sameValue };
