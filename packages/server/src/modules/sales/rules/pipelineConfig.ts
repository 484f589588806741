import { sql } from 'kysely';
import { ruleViolation, type FieldError } from '../../../platform/errors.ts';
import type { AfterSaveArgs, BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import { updateRecord } from '../../../platform/records/write.ts';
import { db, objectOf, onBehalf, splitList, tableOf } from '../context.ts';
import { changed } from './changed.ts';

/**
 * Pipeline configuration stays usable: a stage's value is unique in its pipeline, its required
 * fields exist on opportunity, its backward moves name real stages, and it is won or lost, not both.
 */
export async function validatePipelineStage({ ctx, operation, data, merged, previous }: BeforeSaveArgs): Promise<void> {
  const next = { ...merged, ...data };
  if (next.is_partial) data.is_won = next.is_won = true;
  const errors: FieldError[] = [];
  if (next.is_won && next.is_lost) errors.push({ field: 'is_lost', code: 'invalid', message: 'A stage is won or lost, not both' });
  const opportunity = objectOf(ctx, 'opportunity');
  if ('required_fields' in data) {
    const names = splitList(data.required_fields);
    const unknown = names.filter((n) => !opportunity.fields.some((f) => f.apiName === n));
    if (unknown.length) errors.push({ field: 'required_fields', code: 'unknown_field', message: `Opportunity has no field ${unknown.map((u) => `'${u}'`).join(', ')}` });
    data.required_fields = names.length ? names.join(', ') : null;
  }
  if ('allowed_backward' in data) {
    const values = splitList(data.allowed_backward);
    const stageValues = opportunity.fields.find((f) => f.apiName === 'stage')!.picklist!.values.map((v) => v.value);
    const unknown = values.filter((v) => !stageValues.includes(v));
    if (unknown.length) errors.push({ field: 'allowed_backward', code: 'invalid_choice', message: `Not stage values: ${unknown.join(', ')} (values: ${stageValues.join(', ')})` });
    data.allowed_backward = values.length ? values.join(', ') : null;
  }
  if (errors.length) throw ruleViolation(errors);
  if (operation === 'create' || changed(data, previous, 'api_value') || changed(data, previous, 'pipeline')) {
    const r = await sql<{ id: string }>`SELECT id FROM ${tableOf(ctx, 'pipeline_stage')} WHERE pipeline_id = ${next.pipeline as string}
      AND api_value = ${next.api_value as string} AND deleted_at IS NULL ${previous ? sql`AND id <> ${previous.id}` : sql``} LIMIT 1`.execute(db(ctx));
    if (r.rows.length) throw ruleViolation([{ field: 'api_value', code: 'duplicate_stage', message: `The pipeline already has a stage for '${String(next.api_value)}'` }]);
  }
}

/** Only one default pipeline: marking one default clears the mark on the others. */
export async function keepOneDefaultPipeline({ ctx, object, record, changes }: AfterSaveArgs): Promise<void> {
  if (!record.is_default || !changes.is_default) return;
  const r = await sql<{ id: string }>`SELECT id FROM ${sql.table(object.table)} WHERE is_default AND id <> ${record.id} AND deleted_at IS NULL`.execute(ctx.trx);
  for (const row of r.rows) await updateRecord({ ctx: onBehalf(ctx), object, id: row.id, input: { is_default: false } });
}

/** Stage history is written by Meridian only (writeStageHistory), never by hand. */
export function refuseManualStageHistory({ options }: BeforeSaveArgs): void {
  // writeStageHistory writes with systemValues (its own values); a client's write has none.
  if (!options.systemValues) {
    throw ruleViolation([{ field: '', code: 'read_only', message: 'Stage history is recorded automatically when an opportunity changes stage' }]);
  }
}
