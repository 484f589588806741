import { sql } from 'kysely';
import * as rruleNs from 'rrule';
import { badRequest, validationFailed, type FieldError } from '../../../platform/errors.ts';
import { inTransaction, type RecordContext, type TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { createRecord, loadForUpdate, updateRecord } from '../../../platform/records/write.ts';
import { expandDates, expandInstants, parseExceptions } from '../domain/recurrence.ts';
import { objectOf, tableOf } from '../context.ts';
import { linkActivity } from '../rules/links.ts';

const { RRule } = ((rruleNs as unknown as { default?: typeof rruleNs }).default ?? rruleNs) as typeof rruleNs;

export type EditScope = 'this' | 'following' | 'all';
export const RECURRING_OBJECTS = ['meeting', 'call', 'task'];

export interface EditOccurrenceInput {
  occurrence: string;
  scope: EditScope;
  changes: Record<string, unknown>;
}

export function parseEditOccurrenceInput(body: unknown): EditOccurrenceInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The body must be a JSON object');
  const b = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  if (typeof b.occurrence !== 'string' || !b.occurrence) errors.push({ field: 'occurrence', code: 'required', message: 'The occurrence from the agenda' });
  if (!['this', 'following', 'all'].includes(b.scope as string)) errors.push({ field: 'scope', code: 'invalid', message: 'this, following or all' });
  if (b.changes !== undefined && (typeof b.changes !== 'object' || b.changes === null || Array.isArray(b.changes))) errors.push({ field: 'changes', code: 'type', message: 'An object of field values' });
  if (errors.length) throw validationFailed(errors);
  return { occurrence: b.occurrence as string, scope: b.scope as EditScope, changes: (b.changes as Record<string, unknown>) ?? {} };
}

/**
 * Editing a recurring meeting, call or task as calendar apps do (ACT-2):
 * - `all`: the series itself changes;
 * - `this`: the occurrence is skipped in the series (an exception) and becomes a record of its
 *   own with the changes (cancelling one occurrence = scope this, changes {status: cancelled});
 * - `following`: the series ends before the occurrence (UNTIL) and a new series starts at it
 *   with the changes (COUNT is split between the two).
 * Split-off records keep the series' links, so they stay on the same timelines.
 */
export async function editOccurrence(args: { ctx: RecordContext; object: string; id: string; input: EditOccurrenceInput }): Promise<{ series: ApiRecord; created: ApiRecord | null }> {
  if (!RECURRING_OBJECTS.includes(args.object)) throw badRequest('Only meetings, calls and tasks recur');
  return inTransaction(args.ctx, async (ctx) => {
    const object = objectOf(ctx, args.object);
    const series = await loadForUpdate(ctx, object, args.id, { mode: 'edit' });
    const rule = series.recurrence_rule as string | null;
    if (!rule) throw validationFailed([{ field: 'id', code: 'not_recurring', message: 'This record does not repeat' }]);
    const dated = object.apiName === 'task';
    const occurrence = normaliseOccurrence(args.input.occurrence, dated);
    const all = occurrencesOf(series, dated, occurrence);
    if (!all.includes(occurrence)) throw validationFailed([{ field: 'occurrence', code: 'not_an_occurrence', message: 'The series has no occurrence there' }]);
    const { scope, changes } = args.input;
    if (scope === 'all' || (scope === 'following' && all[0] === occurrence)) {
      return { series: await updateRecord({ ctx, object, id: series.id, input: changes }), created: null };
    }
    const base = copyOf(object.fields, series);
    const when = placeAt(series, dated, occurrence);
    if (scope === 'this') {
      const exceptions = [...parseExceptions(series.recurrence_exceptions), occurrence].join('\n');
      const updated = await updateRecord({ ctx, object, id: series.id, input: { recurrence_exceptions: exceptions } });
      const created = await createRecord({ ctx, object, input: { ...base, ...when, recurrence_rule: null, recurrence_exceptions: null, ...changes } });
      await copyLinks(ctx, object.apiName, series, created);
      return { series: updated, created };
    }
    // following
    const options = RRule.parseString(rule);
    const before = all.indexOf(occurrence);
    const untilBefore = dated ? new Date(Date.parse(`${occurrence}T00:00:00Z`) - 86_400_000) : new Date(Date.parse(occurrence) - 1000);
    const head = RRule.optionsToString({ ...options, count: null, until: untilBefore }).replace(/^RRULE:/, '');
    const tail = RRule.optionsToString({ ...options, ...(options.count ? { count: options.count - before } : {}) }).replace(/^RRULE:/, '');
    const laterExceptions = [...parseExceptions(series.recurrence_exceptions)].filter((e) => e >= occurrence);
    const updated = await updateRecord({ ctx, object, id: series.id, input: { recurrence_rule: head } });
    const created = await createRecord({ ctx, object, input: { ...base, ...when, recurrence_rule: tail, recurrence_exceptions: laterExceptions.join('\n') || null, ...changes } });
    await copyLinks(ctx, object.apiName, series, created);
    return { series: updated, created };
  });
}

function normaliseOccurrence(value: string, dated: boolean): string {
  if (dated) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw validationFailed([{ field: 'occurrence', code: 'type', message: 'The due date of the occurrence' }]);
    return value;
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw validationFailed([{ field: 'occurrence', code: 'type', message: 'The start of the occurrence' }]);
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

/** The occurrences from the series' start up to and including `until` (exceptions included). */
function occurrencesOf(series: ApiRecord, dated: boolean, until: string): string[] {
  const rule = series.recurrence_rule as string;
  if (dated) return expandDates({ rule, start: series.due_date as string, from: series.due_date as string, to: until });
  const start = new Date(series.start_at as string);
  return expandInstants({ rule, start, timeZone: (series.time_zone as string) || 'UTC', from: start, to: new Date(Date.parse(until) + 1000) }).map((d) => d.toISOString().replace('.000Z', 'Z'));
}

function placeAt(series: ApiRecord, dated: boolean, occurrence: string): Record<string, unknown> {
  if (dated) return { due_date: occurrence };
  const duration = series.end_at ? Date.parse(series.end_at as string) - Date.parse(series.start_at as string) : null;
  return { start_at: occurrence, end_at: duration === null ? null : new Date(Date.parse(occurrence) + duration).toISOString() };
}

const NOT_COPIED = new Set(['recurrence_rule', 'recurrence_exceptions', 'completed_at']);

function copyOf(fields: Array<{ apiName: string; readOnly: boolean; type: string }>, record: ApiRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.readOnly || f.type === 'id' || NOT_COPIED.has(f.apiName)) continue;
    if (record[f.apiName] !== null && record[f.apiName] !== undefined) out[f.apiName] = record[f.apiName];
  }
  return out;
}

async function copyLinks(ctx: TxContext, object: string, from: ApiRecord, to: ApiRecord): Promise<void> {
  const r = await sql<{ record_object: string; record_id: string }>`SELECT record_object, record_id FROM ${tableOf(ctx, 'activity_link')}
    WHERE activity_id = ${from.id} AND deleted_at IS NULL`.execute(ctx.trx);
  await linkActivity(ctx, { object, id: to.id, owner: (to.owner as string | null) ?? null }, r.rows.map((l) => ({ object: l.record_object, id: l.record_id })));
}
