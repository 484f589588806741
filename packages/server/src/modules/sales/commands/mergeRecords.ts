import { sql } from 'kysely';
import { ruleViolation, validationFailed, type FieldError } from '../../../platform/errors.ts';
import { SYSTEM_FIELD_NAMES, type ObjectDefinition } from '../../../platform/metadata/types.ts';
import { assertObjectPermission, isFieldWritable } from '../../../platform/access/policy.ts';
import { inTransaction, type RecordContext, type TxContext } from '../../../platform/records/context.ts';
import { deleteRecord } from '../../../platform/records/delete.ts';
import { recordChange } from '../../../platform/records/history.ts';
import { repointReferences } from '../../../platform/records/repoint.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { getRecord } from '../../../platform/records/read.ts';
import { loadForUpdate, updateRecord } from '../../../platform/records/write.ts';
import { UUID_RE } from '../../../platform/records/values.ts';
import { isBlank, onBehalf } from '../context.ts';
import { isAncestorOrSelf } from '../rules/accountTree.ts';
import { JUNCTION_KEYS } from '../rules/junctions.ts';

export const MAX_MERGE_DUPLICATES = 10;

export interface MergeInput {
  masterId: string;
  duplicateIds: string[];
  /** field → id of the record (master or a duplicate) whose value the master keeps. */
  fieldChoices: Record<string, string>;
}

export interface MergeResult {
  record: ApiRecord;
  merged: string[];
  /** How many records of which object and lookup now point to the master instead of a duplicate. */
  repointed: Array<{ object: string; field: string; count: number }>;
}

export function parseMergeInput(body: unknown): MergeInput {
  const input = (body ?? {}) as Record<string, unknown>;
  const errors: FieldError[] = [];
  if (typeof input !== 'object' || Array.isArray(input)) throw validationFailed([{ field: '', code: 'type', message: 'Send {masterId, duplicateIds, fieldChoices}' }]);
  const isId = (v: unknown) => typeof v === 'string' && UUID_RE.test(v);
  if (!isId(input.masterId)) errors.push({ field: 'masterId', code: 'invalid_reference', message: 'The id of the record to keep' });
  const dups = input.duplicateIds;
  if (!Array.isArray(dups) || !dups.length || dups.length > MAX_MERGE_DUPLICATES || !dups.every(isId)) {
    errors.push({ field: 'duplicateIds', code: 'invalid', message: `1 to ${MAX_MERGE_DUPLICATES} record ids` });
  } else if (new Set(dups).size !== dups.length || dups.includes(input.masterId)) {
    errors.push({ field: 'duplicateIds', code: 'invalid', message: 'Each duplicate once, and not the master' });
  }
  const choices = input.fieldChoices ?? {};
  if (typeof choices !== 'object' || choices === null || Array.isArray(choices) || !Object.values(choices).every(isId)) {
    errors.push({ field: 'fieldChoices', code: 'type', message: 'An object {field: recordId}' });
  }
  if (errors.length) throw validationFailed(errors);
  return { masterId: (input.masterId as string).toLowerCase(), duplicateIds: (dups as string[]).map((d) => d.toLowerCase()), fieldChoices: Object.fromEntries(Object.entries(choices as Record<string, string>).map(([k, v]) => [k, v.toLowerCase()])) };
}

/**
 * Merges duplicates into a master record (PLT-6), for any object, in one transaction: every
 * lookup in every object (custom ones included) that points to a duplicate is re-pointed to the
 * master (bulk SQL, each change written to history), junction rows that became identical are
 * removed, the duplicates are soft-deleted (recycle bin) and the master takes the chosen values.
 * Values: a field in fieldChoices comes from the chosen record; any other field the master
 * leaves empty is filled from the first duplicate that has it, so nothing is lost silently.
 */
export async function mergeRecords(args: { ctx: RecordContext; object: ObjectDefinition; input: MergeInput }): Promise<MergeResult> {
  const { object, input } = args;
  if (object.apiName === 'user') throw ruleViolation([{ field: '', code: 'not_mergeable', message: 'Users cannot be merged; deactivate the extra user instead' }]);
  assertObjectPermission(args.ctx.actor, object, 'edit');
  assertObjectPermission(args.ctx.actor, object, 'delete');
  return inTransaction(args.ctx, async (ctx) => {
    const master = await loadForUpdate(ctx, object, input.masterId);
    const duplicates: ApiRecord[] = [];
    for (const id of input.duplicateIds) duplicates.push(await loadForUpdate(ctx, object, id));
    if (object.apiName === 'lead' && [master, ...duplicates].some((r) => r.status === 'converted')) {
      throw ruleViolation([{ field: 'duplicateIds', code: 'converted', message: 'Converted leads cannot be merged' }]);
    }
    const values = chooseValues(ctx, object, master, duplicates, input.fieldChoices);
    const all = new Set([master.id, ...input.duplicateIds]);
    for (const f of selfLookups(object)) {
      // The master cannot end up pointing to itself or to a record that is going away.
      const v = f.apiName in values ? values[f.apiName] : master[f.apiName];
      if (typeof v === 'string' && all.has(v)) values[f.apiName] = null;
    }
    const repointed = await repointReferences({ ctx, object, fromIds: input.duplicateIds, toId: master.id, exclude: [master.id, ...input.duplicateIds] });
    for (const f of selfLookups(object)) {
      const parent = (f.apiName in values ? values[f.apiName] : master[f.apiName]) as string | null;
      if (parent && (await isAncestorOrSelf({ ctx, object: object.apiName, field: f.apiName, ancestor: master.id, of: parent }))) {
        throw ruleViolation([{ field: 'masterId', code: 'cycle', message: `Merging would make a loop in '${f.label}': a duplicate sits above the master. Merge into the upper record instead.` }]);
      }
    }
    // References that are not lookups (activity links) are the owning modules' business.
    for (const hook of ctx.platform.hooks.for('afterMerge', object.apiName, 'update')) await hook({ ctx, object, masterId: master.id, duplicateIds: input.duplicateIds });
    await removeDuplicateJunctions(ctx, object, master.id);
    for (const d of duplicates) await deleteRecord({ ctx, object, id: d.id });
    if (Object.keys(values).length) await updateRecord({ ctx, object, id: master.id, input: values, options: { allowDuplicate: true } });
    await recordChange({ ctx, object, operation: 'update', recordId: master.id, changes: { merged_from: { old: null, new: input.duplicateIds } } });
    return { record: await getRecord({ ctx, object, id: master.id }), merged: input.duplicateIds, repointed };
  });
}

const selfLookups = (object: ObjectDefinition) => object.fields.filter((f) => f.lookup?.object === object.apiName && f.type === 'lookup');

function chooseValues(ctx: TxContext, object: ObjectDefinition, master: ApiRecord, duplicates: ApiRecord[], choices: Record<string, string>): Record<string, unknown> {
  const byId = new Map([master, ...duplicates].map((r) => [r.id, r]));
  const errors: FieldError[] = [];
  const values: Record<string, unknown> = {};
  const mergeable = (name: string) => {
    const f = object.fields.find((x) => x.apiName === name);
    return f && isFieldWritable(ctx.actor, object, f) && f.apiName !== 'id' ? f : undefined;
  };
  for (const [field, from] of Object.entries(choices)) {
    if (!mergeable(field)) errors.push({ field: `fieldChoices.${field.slice(0, 64)}`, code: 'unknown_field', message: `${object.label} has no field '${field.slice(0, 64)}' that can be chosen` });
    else if (!byId.has(from)) errors.push({ field: `fieldChoices.${field}`, code: 'invalid_reference', message: 'Must be the master or one of the duplicates' });
    else if (from !== master.id) values[field] = byId.get(from)![field] ?? null;
  }
  if (errors.length) throw validationFailed(errors);
  for (const f of object.fields) {
    if (f.apiName in choices || (SYSTEM_FIELD_NAMES as readonly string[]).includes(f.apiName) || !mergeable(f.apiName) || !isBlank(master[f.apiName])) continue;
    const donor = duplicates.find((d) => !isBlank(d[f.apiName]));
    if (donor) values[f.apiName] = donor[f.apiName];
  }
  return values;
}

/** After re-pointing, two junction rows may say the same thing (Jane, billing, Acme): keep the oldest. */
async function removeDuplicateJunctions(ctx: TxContext, object: ObjectDefinition, masterId: string): Promise<void> {
  for (const [name, keys] of Object.entries(JUNCTION_KEYS)) {
    const junction = ctx.platform.registry.getObject(name);
    if (!junction) continue;
    const fields = keys.map((k) => junction.fields.find((f) => f.apiName === k)!);
    const pointing = fields.filter((f) => f.lookup?.object === object.apiName);
    if (!pointing.length) continue;
    const cols = sql.join(fields.map((f) => sql.ref(f.column)));
    const r = await sql<{ id: string }>`SELECT id FROM (
        SELECT id, row_number() OVER (PARTITION BY ${cols} ORDER BY created_at, id) AS n FROM ${sql.table(junction.table)}
        WHERE deleted_at IS NULL AND (${sql.join(pointing.map((f) => sql`${sql.ref(f.column)} = ${masterId}`), sql` OR `)})
      ) x WHERE n > 1`.execute(ctx.trx);
    for (const row of r.rows) await deleteRecord({ ctx: onBehalf(ctx), object: junction, id: row.id });
  }
}

