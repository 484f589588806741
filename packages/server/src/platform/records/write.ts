import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { AppError, forbidden, notFound, translateDatabaseError } from '../errors.ts';
import type { FieldDefinition, ObjectDefinition } from '../metadata/types.ts';
import { assertObjectPermission, visibilityCondition } from '../access/policy.ts';
import { inTransaction, type RecordContext, type TxContext } from './context.ts';
import type { ApiRecord } from './hooks.ts';
import { recordChange, type Changes } from './history.ts';
import { rowToRecord } from './serialize.ts';
import { checkLookups, validateInput, validateRecord } from './validate.ts';
import { toDb, UUID_RE } from './values.ts';
import { withComputedValues } from './read.ts';

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

/** Create one record: access → validate → beforeSave hooks → insert + history + event → afterCommit. */
export async function createRecord(args: { ctx: RecordContext; object: ObjectDefinition; input: unknown; options?: WriteOptions }): Promise<ApiRecord> {
  const { object } = args;
  const options = args.options ?? {};
  assertObjectPermission(args.ctx.actor, object, 'create');
  assertWritable(object, options);
  return inTransaction(args.ctx, async (ctx) => {
    const data = validateInput({ ctx, object, input: args.input, pathPrefix: options.pathPrefix });
    if (options.systemValues) Object.assign(data, options.systemValues);
    for (const f of object.fields) {
      if (!(f.apiName in data) && f.defaultValue !== undefined && !f.readOnly) data[f.apiName] = structuredClone(f.defaultValue);
    }
    if (!('owner' in data) && ctx.actor.userId && object.apiName !== 'user') data.owner = ctx.actor.userId;
    const merged: Record<string, unknown> = { ...data };
    const lookupsChecked = await checkLookups({ ctx, object, merged, changed: new Set(Object.keys(data)), prefix: options.pathPrefix ?? '' });
    await runBeforeSave({ ctx, object, operation: 'create', data, merged, options });
    await validateRecord({ ctx, object, merged, changed: new Set(Object.keys(data)), pathPrefix: options.pathPrefix, lookupsChecked });
    const id = uuidv7();
    const columns: string[] = ['id', 'created_by', 'updated_by'];
    const values: unknown[] = [id, ctx.actor.userId, ctx.actor.userId];
    for (const f of object.fields) {
      if (f.type === 'autonumber') {
        columns.push(f.column);
        values.push(await autonumberValue(ctx, object, f));
      } else if (f.apiName in data && !['id', 'created_by', 'updated_by'].includes(f.apiName)) {
        columns.push(f.column);
        values.push(toDb(f, data[f.apiName]));
      }
    }
    const row = await insertRow(ctx, object, columns, values, options);
    const record = rowToRecord(object.fields, row, object);
    const changes: Changes = {};
    for (const f of object.fields) {
      if (!f.readOnly || f.type === 'autonumber' || f.generated) {
        const v = record[f.apiName];
        if (v !== null && v !== undefined && f.apiName !== 'id') changes[f.apiName] = { old: null, new: v };
      }
    }
    await recordChange({ ctx, object, operation: 'create', recordId: id, changes });
    for (const hook of ctx.platform.hooks.for('afterSave', object.apiName, 'create')) await hook({ ctx, object, operation: 'create', record, changes });
    queueAfterCommit(ctx, object, 'create', record, changes);
    return withComputedValues(ctx, object, record);
  });
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
    return r.rows[0]!;
  });
}

function prefixError(error: unknown, prefix: string | undefined): unknown {
  if (!prefix || !(error instanceof AppError)) return error;
  return new AppError(error.code, error.message, { errors: error.errors.map((e) => ({ ...e, field: prefix + e.field })), extra: error.extra });
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
