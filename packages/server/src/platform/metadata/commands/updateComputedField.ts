import { sql } from 'kysely';
import { validationFailed, type FieldError } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import type { FieldDefinition, ObjectDefinition } from '../types.ts';
import { requireLabel } from '../validate-definition.ts';
import { checkComputedFieldInput, STORED_ONLY_KEYS, type StoredComputedField } from '../../formula/define.ts';
import { inMetadataTransaction } from './transaction.ts';

/**
 * Changes a formula or roll-up field: label, help text, and its definition (checked like a new
 * one, and refused when it would read itself back through another computed field). Nothing is
 * stored per record, so a new expression holds for every record at once.
 */
export async function updateComputedField(args: { platform: Platform; actor: Actor; object: ObjectDefinition; field: FieldDefinition; input: Record<string, unknown> }): Promise<FieldDefinition> {
  const { platform, object: o, field: current, input } = args;
  const kind = current.formula ? 'formula' : 'rollup';
  const errors: FieldError[] = [];
  // The web app's field form sends the type it shows (the value's type); anything else is a retype.
  if (input.type !== undefined && input.type !== kind && input.type !== current.type) errors.push({ field: 'type', code: 'immutable', message: `A ${kind} field stays a ${kind} field; create a new field instead` });
  for (const key of STORED_ONLY_KEYS) {
    if (input[key] !== undefined && input[key] !== null && input[key] !== false) errors.push({ field: key, code: 'invalid', message: `A ${kind} field is computed when read; it cannot have ${key}` });
  }
  const label = input.label === undefined ? current.label : requireLabel(input.label, 'label', errors);
  let helpText = current.helpText ?? null;
  if (input.helpText !== undefined) {
    if (input.helpText !== null && typeof input.helpText !== 'string') errors.push({ field: 'helpText', code: 'type', message: 'Must be a string' });
    else helpText = input.helpText as string | null;
  }
  if (errors.length) throw validationFailed(errors);
  let stored: StoredComputedField | undefined;
  if (input.formula !== undefined || input.rollup !== undefined) {
    stored = checkComputedFieldInput({ registry: platform.registry, object: o, apiName: current.apiName, type: kind, input }).stored;
  }
  await inMetadataTransaction(platform, args.actor, { action: 'metadata.field.updated', target: { type: 'field', id: `${o.apiName}.${current.apiName}` }, details: { changed: Object.keys(input) } }, async (trx) => {
    await sql`UPDATE meta_field SET label = ${label}, help_text = ${helpText}, updated_at = now()
      ${stored ? sql`, computed = ${JSON.stringify(stored)}::jsonb` : sql``}
      WHERE object = ${o.apiName} AND api_name = ${current.apiName} AND deleted_at IS NULL`.execute(trx);
  }, o.apiName);
  return platform.registry.requireField(platform.registry.requireObject(o.apiName), current.apiName);
}
