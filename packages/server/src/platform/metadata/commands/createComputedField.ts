import { validationFailed, type FieldError } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import type { FieldDefinition, ObjectDefinition } from '../types.ts';
import { requireLabel } from '../validate-definition.ts';
import { checkComputedFieldInput, STORED_ONLY_KEYS } from '../../formula/define.ts';
import { newFieldRow, insertFieldRow } from './fieldRows.ts';
import { inMetadataTransaction } from './transaction.ts';

/**
 * Adds a formula or roll-up field (formula/): checked against the metadata now (400 naming
 * `formula.expression` with the character, or `rollup.<key>`), stored as metadata only — it has
 * no column and is computed whenever records are read (decision 0007).
 */
export async function createComputedField(args: { platform: Platform; actor: Actor; object: ObjectDefinition; apiName: string; type: 'formula' | 'rollup'; input: Record<string, unknown> }): Promise<FieldDefinition> {
  const { platform, object: o, apiName, input } = args;
  const errors: FieldError[] = [];
  const label = requireLabel(input.label, 'label', errors);
  for (const key of STORED_ONLY_KEYS) {
    if (input[key] !== undefined && input[key] !== null && input[key] !== false) {
      errors.push({ field: key, code: 'invalid', message: `A ${args.type} field is computed when read; it cannot have ${key}` });
    }
  }
  if (input.helpText !== undefined && input.helpText !== null && (typeof input.helpText !== 'string' || input.helpText.length > 1000)) {
    errors.push({ field: 'helpText', code: 'type', message: 'Must be a string of at most 1000 characters' });
  }
  if (errors.length) throw validationFailed(errors);
  const checked = checkComputedFieldInput({ registry: platform.registry, object: o, apiName, type: args.type, input });
  const row = newFieldRow({ object: o.apiName, apiName, label, type: checked.type, position: o.fields.filter((f) => !f.standard).length + 1 });
  row.type = args.type as typeof row.type;
  row.help_text = typeof input.helpText === 'string' ? input.helpText : null;
  row.computed = checked.stored;
  await inMetadataTransaction(platform, args.actor, { action: 'metadata.field.created', target: { type: 'field', id: `${o.apiName}.${apiName}` }, details: { type: args.type } }, async (trx) => {
    await insertFieldRow(trx, row);
  }, o.apiName);
  return platform.registry.requireField(platform.registry.requireObject(o.apiName), apiName);
}
