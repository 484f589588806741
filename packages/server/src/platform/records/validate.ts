import { sql } from 'kysely';
import { validationFailed, type FieldError, ruleViolation } from '../errors.ts';
import type { FieldDefinition, ObjectDefinition } from '../metadata/types.ts';
import { isFieldReadable, isFieldWritable, visibilityCondition, permissionsFor } from '../access/policy.ts';
import { asSystem, type RecordContext } from './context.ts';
import { coerceValue, isEmpty } from './values.ts';
import { evaluateRules } from './rules.ts';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Checks the shape and types of client input against the object's fields. Unknown and read-only
 * fields are errors (a typo must not be silently dropped). Returns normalised values.
 */
export function validateInput(args: { ctx: RecordContext; object: ObjectDefinition; input: unknown; ignore?: string[]; pathPrefix?: string }): Record<string, unknown> {
  const { ctx, object, input } = args;
  const prefix = args.pathPrefix ?? '';
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw validationFailed([{ field: prefix.replace(/\.$/, ''), code: 'type', message: 'The record must be a JSON object' }]);
  }
  const errors: FieldError[] = [];
  const out: Record<string, unknown> = {};
  const registry = ctx.platform.registry;
  for (const [key, value] of Object.entries(input)) {
    if (args.ignore?.includes(key)) continue;
    const found = FORBIDDEN_KEYS.has(key) ? undefined : registry.getField(object, key);
    // A field hidden from the actor answers like a field that does not exist.
    const field = found && isFieldReadable(ctx.actor, object, found) ? found : undefined;
    if (!field) {
      errors.push({ field: prefix + key.slice(0, 64), code: 'unknown_field', message: `${object.label} has no field '${key.slice(0, 64)}'` });
      continue;
    }
    if (!isFieldWritable(ctx.actor, object, field)) {
      errors.push({ field: prefix + key, code: 'read_only', message: `${field.label} cannot be set` });
      continue;
    }
    const c = coerceValue(field, value, prefix + key);
    if (!c.ok) errors.push(c.error);
    else out[key] = c.value;
  }
  if (errors.length) throw validationFailed(errors);
  return out;
}

/** Required fields and lookups (the referenced record must exist and be live), then validation rules. */
export async function validateRecord(args: { ctx: RecordContext; object: ObjectDefinition; merged: Record<string, unknown>; changed: Set<string>; pathPrefix?: string; lookupsChecked?: Map<string, unknown> }): Promise<void> {
  const { ctx, object, merged } = args;
  // Lookups the pipeline checked before the hooks ran need no second query unless a hook changed them.
  const changed = new Set([...args.changed].filter((k) => !args.lookupsChecked?.has(k) || args.lookupsChecked.get(k) !== merged[k]));
  const prefix = args.pathPrefix ?? '';
  const errors: FieldError[] = [];
  for (const f of object.fields) {
    if (f.required && !f.readOnly && !f.generated && f.type !== 'autonumber' && isEmpty(merged[f.apiName])) {
      errors.push({ field: prefix + f.apiName, code: 'required', message: `${f.label} is required` });
    }
  }
  if (errors.length) throw validationFailed(errors);
  // Lookups the user sent were checked against their visibility before the hooks ran; what the
  // hooks set themselves (a default pipeline) is the rule's decision: it must exist, whoever sees it.
  await checkLookups({ ctx: args.lookupsChecked ? asSystem(ctx) : ctx, object, merged, changed, prefix });
  await evaluateRules({ ctx, object, record: merged, pathPrefix: prefix }).then((ruleErrors) => {
    if (ruleErrors.length) throw ruleViolation(ruleErrors);
  });
}

/**
 * Every lookup written must point to a live record the actor can see, of an object their profile
 * may read; anything else answers exactly like a missing record (400 invalid_reference naming only
 * the field and the id sent), so a reference reveals nothing. The record pipeline runs this before
 * any module hook reads the target, so no rule can name an invisible record (issue 18, item 5).
 * Answers the values it checked.
 */
export async function checkLookups(args: { ctx: RecordContext; object: ObjectDefinition; merged: Record<string, unknown>; changed: Set<string>; prefix: string }): Promise<Map<string, unknown>> {
  const [checked] = await checkLookupsOfRows({ ctx: args.ctx, object: args.object, rows: [args] });
  return checked!;
}

/**
 * checkLookups for several records of one object written together (createRecords): one query
 * per target object for all of them; every refused reference is reported with its record's
 * prefix. Answers, per record, the values it checked.
 */
export async function checkLookupsOfRows(args: { ctx: RecordContext; object: ObjectDefinition; rows: Array<{ merged: Record<string, unknown>; changed: Set<string>; prefix: string }> }): Promise<Array<Map<string, unknown>>> {
  const { ctx, object, rows } = args;
  const errors: FieldError[] = [];
  const byTarget = new Map<string, Array<{ field: FieldDefinition; id: string; row: number }>>();
  for (const [row, { merged, changed }] of rows.entries()) {
    for (const f of object.fields) {
      if (!f.lookup || !changed.has(f.apiName)) continue;
      const id = merged[f.apiName];
      if (typeof id !== 'string') continue;
      // The actor was loaded (and is active) when they authenticated: no need to look them up again.
      if (f.lookup.object === 'user' && id === ctx.actor.userId) continue;
      if (!byTarget.has(f.lookup.object)) byTarget.set(f.lookup.object, []);
      byTarget.get(f.lookup.object)!.push({ field: f, id, row });
    }
  }
  const checked = rows.map(() => new Map<string, unknown>());
  for (const [target, refs] of byTarget) {
    const t = ctx.platform.registry.getObject(target);
    if (!t) continue;
    for (const ref of refs) checked[ref.row]!.set(ref.field.apiName, ref.id);
    const refused = (ref: { field: FieldDefinition; id: string; row: number }) =>
      errors.push({ field: rows[ref.row]!.prefix + ref.field.apiName, code: 'invalid_reference', message: `No ${t.label.toLowerCase()} with id ${ref.id}` });
    if (!permissionsFor(ctx.actor, t).read) {
      refs.forEach(refused);
      continue;
    }
    // A record the actor cannot see cannot be referenced either (it would reveal that it exists).
    const visible = t.apiName === 'user' ? undefined : visibilityCondition(ctx.actor, t, 't0', 'read');
    // Records this transaction created (and has not deleted) exist: for an actor who sees every
    // record, one referenced by a document's lines or its log row needs no query.
    const ids = [...new Set(refs.map((r) => r.id))].filter((id) => visible !== undefined || !ctx.uow?.created(t.apiName, id));
    if (!ids.length) continue;
    const r = await sql<{ id: string }>`SELECT id FROM ${sql.table(t.table)} AS t0 WHERE id = ANY(${ids}::uuid[]) AND deleted_at IS NULL ${visible ? sql`AND ${visible}` : sql``}`.execute(ctx.trx ?? ctx.platform.db);
    const found = new Set(r.rows.map((x) => x.id));
    const queried = new Set(ids);
    for (const ref of refs) if (!found.has(ref.id) && queried.has(ref.id)) refused(ref);
  }
  if (errors.length) throw validationFailed(errors);
  return checked;
}
