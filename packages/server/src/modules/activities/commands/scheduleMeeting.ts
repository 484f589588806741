import { AppError, badRequest, validationFailed, type FieldError } from '../../../platform/errors.ts';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { createRecord } from '../../../platform/records/write.ts';
import { UUID_RE } from '../../../platform/records/values.ts';
import { objectOf } from '../context.ts';
import { INVITEE_RESPONSES, REGARDING } from '../objects.ts';
import { isLinked, underPath } from './logActivity.ts';

export interface MeetingInviteeInput {
  user?: string;
  contact?: string;
  response?: string;
}

export interface ScheduleMeetingInput {
  values: Record<string, unknown>;
  invitees: MeetingInviteeInput[];
  related: Array<{ object: string; id: string }>;
}

/** At most this many invitees and related records in one request. */
export const MAX_PARTS = 100;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseScheduleMeetingInput(body: unknown): ScheduleMeetingInput {
  if (!isObject(body)) throw badRequest('The body must be a JSON object');
  const errors: FieldError[] = [];
  for (const k of Object.keys(body)) if (!['values', 'invitees', 'related'].includes(k)) errors.push({ field: k.slice(0, 64), code: 'unknown_field', message: 'Expected values, invitees and related' });
  if (!isObject(body.values)) errors.push({ field: 'values', code: 'type', message: 'The meeting’s fields, as a JSON object' });
  const list = (name: string): Record<string, unknown>[] => {
    const v = body[name] ?? [];
    if (!Array.isArray(v) || v.length > MAX_PARTS) {
      errors.push({ field: name, code: 'type', message: `A list of at most ${MAX_PARTS}` });
      return [];
    }
    return v.map((x, i) => {
      if (!isObject(x)) errors.push({ field: `${name}[${i}]`, code: 'type', message: 'An object' });
      return isObject(x) ? x : {};
    });
  };
  const invitees = list('invitees');
  invitees.forEach((x, i) => {
    for (const k of Object.keys(x)) if (!['user', 'contact', 'response'].includes(k)) errors.push({ field: `invitees[${i}].${k.slice(0, 64)}`, code: 'unknown_field', message: 'Expected user or contact, and response' });
    // Ids are checked by the record pipeline (live, visible); here only their shape, so a forged value names its place.
    for (const k of ['user', 'contact'] as const) if (x[k] !== undefined && (typeof x[k] !== 'string' || !UUID_RE.test(x[k]))) errors.push({ field: `invitees[${i}].${k}`, code: 'invalid_reference', message: 'A record ID' });
    if (x.response !== undefined && !(INVITEE_RESPONSES as readonly unknown[]).includes(x.response)) errors.push({ field: `invitees[${i}].response`, code: 'invalid_choice', message: `One of ${INVITEE_RESPONSES.join(', ')}` });
  });
  const related = list('related');
  related.forEach((x, i) => {
    for (const k of Object.keys(x)) if (k !== 'object' && k !== 'id') errors.push({ field: `related[${i}].${k.slice(0, 64)}`, code: 'unknown_field', message: 'Expected object and id' });
    if (typeof x.object !== 'string' || !x.object) errors.push({ field: `related[${i}].object`, code: 'required', message: 'An object name' });
    if (typeof x.id !== 'string' || !UUID_RE.test(x.id)) errors.push({ field: `related[${i}].id`, code: 'invalid_reference', message: 'A record ID' });
  });
  if (errors.length) throw validationFailed(errors);
  return {
    values: { ...(body.values as Record<string, unknown>) },
    invitees: invitees.map((x) => ({ ...x }) as MeetingInviteeInput),
    related: related.map((x) => ({ object: x.object as string, id: (x.id as string).toLowerCase() })),
  };
}

/**
 * A meeting with its invitees and the records it is about, in one transaction (issue 17 item 6):
 * the meeting, each invitation (meeting_invitee) and each link go through the record pipeline,
 * so every lookup is checked against what the writer may see, and history and events are
 * written. The first related account, contact, lead or opportunity fills the typed lookup (list
 * views filter on it); the others become activity_link rows. Any refusal rolls back the whole.
 */
export async function scheduleMeeting(args: { ctx: RecordContext; input: ScheduleMeetingInput }): Promise<ApiRecord> {
  const { input } = args;
  return inTransaction(args.ctx, async (ctx) => {
    const values = { ...input.values };
    // A typed lookup filled from `related[i]` reports its errors there, not under values.
    const fromRelated: Record<string, string> = {};
    const links: Array<{ at: number; object: string; id: string }> = [];
    const seen = new Set<string>();
    input.related.forEach((r, at) => {
      if (seen.has(`${r.object}:${r.id}`)) return;
      seen.add(`${r.object}:${r.id}`);
      if ((REGARDING as readonly string[]).includes(r.object) && values[r.object] === undefined) {
        values[r.object] = r.id;
        fromRelated[r.object] = `related[${at}].id`;
      } else links.push({ at, object: r.object, id: r.id });
    });
    const meeting = await underPath('values.', () => createRecord({ ctx, object: objectOf(ctx, 'meeting'), input: values, options: { pathPrefix: 'values.' } })).catch((error: unknown) => {
      throw relocate(error, fromRelated);
    });
    for (const l of links) {
      if (await isLinked(ctx, 'meeting', meeting.id, l.object, l.id)) continue;
      await underPath(`related[${l.at}].`, () => createRecord({ ctx, object: objectOf(ctx, 'activity_link'), input: { activity_object: 'meeting', activity_id: meeting.id, record_object: l.object, record_id: l.id } }), { record_object: 'object', record_id: 'id' });
    }
    for (const [at, invitee] of input.invitees.entries()) {
      const prefix = `invitees[${at}].`;
      await underPath(prefix, () => createRecord({ ctx, object: objectOf(ctx, 'meeting_invitee'), input: { meeting: meeting.id, ...invitee }, options: { pathPrefix: prefix } }));
    }
    return meeting;
  });
}

/** Moves `values.<lookup>` errors to the `related[i].id` the lookup was filled from. */
function relocate(error: unknown, fromRelated: Record<string, string>): unknown {
  if (!(error instanceof AppError) || !error.errors.length) return error;
  const errors = error.errors.map((e) => ({ ...e, field: fromRelated[e.field.replace(/^values\./, '')] ?? e.field }));
  return new AppError(error.code, error.message, { errors, extra: error.extra });
}
