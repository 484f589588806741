import { sql } from 'kysely';
import { AppError, badRequest, notFound, validationFailed, type FieldError } from '../../../platform/errors.ts';
import { permissionsFor } from '../../../platform/access/policy.ts';
import { inTransaction, type RecordContext, type TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { getRecord } from '../../../platform/records/read.ts';
import { createRecord } from '../../../platform/records/write.ts';
import { objectOf, tableOf } from '../context.ts';
import { ACTIVITY_OBJECTS, REGARDING, type ActivityObject } from '../objects.ts';

export interface LogActivityInput {
  type: ActivityObject;
  values: Record<string, unknown>;
}

/** Errors about the activity's own fields are reported under `values.` — the part of the body they came from. */
const VALUES = 'values.';

export function parseLogActivityInput(body: unknown): LogActivityInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The body must be a JSON object');
  const b = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const k of Object.keys(b)) if (k !== 'type' && k !== 'values') errors.push({ field: k.slice(0, 64), code: 'unknown_field', message: 'Expected type and values' });
  if (typeof b.type !== 'string' || !(ACTIVITY_OBJECTS as readonly string[]).includes(b.type)) {
    errors.push({ field: 'type', code: 'invalid', message: `One of ${ACTIVITY_OBJECTS.join(', ')}` });
  }
  if (b.values !== undefined && (typeof b.values !== 'object' || b.values === null || Array.isArray(b.values))) {
    errors.push({ field: 'values', code: 'type', message: 'The activity’s fields, as a JSON object' });
  }
  if (errors.length) throw validationFailed(errors);
  return { type: b.type as ActivityObject, values: { ...((b.values as Record<string, unknown> | undefined) ?? {}) } };
}

/**
 * Logs a call, adds a task or note (any activity) already filed against a record, in one
 * transaction: the activity goes through the record pipeline (validation, sanitising, hooks,
 * history, events), then its activity_link to the record — also through the pipeline, so the
 * link is checked and audited like any record. If the link is refused, the activity is rolled
 * back with it.
 */
export async function logActivity(args: { ctx: RecordContext; object: string; id: string; input: LogActivityInput }): Promise<ApiRecord> {
  const object = args.ctx.platform.registry.requireObject(args.object);
  if (object.apiName === 'activity_link') throw notFound('The record');
  const type = objectOf(args.ctx, args.input.type);
  if (!permissionsFor(args.ctx.actor, type).create) {
    throw new AppError('forbidden', `Your profile does not allow you to create ${type.pluralLabel.toLowerCase()}`, {
      errors: [{ field: 'type', code: 'forbidden', message: `You may not create ${type.pluralLabel.toLowerCase()}` }],
    });
  }
  return inTransaction(args.ctx, async (ctx) => {
    const record = await getRecord({ ctx, object, id: args.id, fields: ['id'] });
    const values = { ...args.input.values };
    // File it under the typed lookup too when the record is one of them (list views filter on it);
    // the afterSave mirror hook then writes the link itself.
    if ((REGARDING as readonly string[]).includes(object.apiName) && values[object.apiName] === undefined) values[object.apiName] = record.id;
    const activity = await underValues(() => createRecord({ ctx, object: type, input: values, options: { pathPrefix: VALUES } }));
    if (!(await isLinked(ctx, type.apiName, activity.id, object.apiName, record.id))) {
      await createRecord({
        ctx,
        object: objectOf(ctx, 'activity_link'),
        input: { activity_object: type.apiName, activity_id: activity.id, record_object: object.apiName, record_id: record.id },
      });
    }
    return activity;
  });
}

export async function isLinked(ctx: TxContext, activityObject: string, activityId: string, recordObject: string, recordId: string): Promise<boolean> {
  const r = await sql`SELECT 1 FROM ${tableOf(ctx, 'activity_link')} WHERE activity_object = ${activityObject} AND activity_id = ${activityId}
    AND record_object = ${recordObject} AND record_id = ${recordId.toLowerCase()} AND deleted_at IS NULL LIMIT 1`.execute(ctx.trx);
  return r.rows.length > 0;
}

/** Field errors raised by hooks (sanitising, recurrence) name bare fields; point them into `values`. */
const underValues = <T>(fn: () => Promise<T>): Promise<T> => underPath(VALUES, fn);

/**
 * Runs one write of a composite command and reports its field errors under `prefix`, the part of
 * the body they came from (`values.subject`, `invitees[1].contact`); `rename` maps a record's
 * field to the body's name for it (`record_id` → `id`).
 */
export async function underPath<T>(prefix: string, fn: () => Promise<T>, rename: Record<string, string> = {}): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof AppError) || !error.errors.length) throw error;
    const errors = error.errors.map((e) => {
      const bare = e.field.startsWith(prefix) ? e.field.slice(prefix.length) : e.field;
      return { ...e, field: bare ? prefix + (rename[bare] ?? bare) : prefix.replace(/\.$/, '') };
    });
    throw new AppError(error.code, error.message, { errors, extra: error.extra });
  }
}
