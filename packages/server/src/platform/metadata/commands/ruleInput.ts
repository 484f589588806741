import { AppError, validationFailed, type FieldError } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import { parseCondition } from '../../query/index.ts';
import type { ObjectDefinition, ValidationRule } from '../types.ts';
import { rejectUnknownKeys } from '../validate-definition.ts';

/** Input of validation rules (the condition language, checked against the object). */
export function parseRuleInput(platform: Platform, o: ObjectDefinition, input: Record<string, unknown>, partial: boolean) {
  rejectUnknownKeys(input, ['name', 'condition', 'message', 'field', 'active']);
  const errors: FieldError[] = [];
  const out: Partial<ValidationRule> = {};
  if (input.name !== undefined || !partial) {
    if (typeof input.name !== 'string' || !/^[a-z][a-z0-9_]{0,62}$/.test(input.name)) errors.push({ field: 'name', code: 'invalid_name', message: 'Lower snake case, up to 63 characters' });
    else out.name = input.name;
  }
  if (input.message !== undefined || !partial) {
    if (typeof input.message !== 'string' || !input.message.trim() || input.message.length > 500) errors.push({ field: 'message', code: 'required', message: 'A message of at most 500 characters is required' });
    else out.message = input.message.trim();
  }
  if (input.field !== undefined && input.field !== null) {
    if (typeof input.field !== 'string' || !platform.registry.getField(o, input.field)) errors.push({ field: 'field', code: 'unknown_field', message: `No field '${String(input.field).slice(0, 64)}' on ${o.apiName}` });
    else out.field = input.field;
  }
  if (input.active !== undefined) {
    if (typeof input.active !== 'boolean') errors.push({ field: 'active', code: 'type', message: 'Must be true or false' });
    else out.active = input.active;
  }
  if (errors.length) throw validationFailed(errors);
  if (input.condition !== undefined || !partial) {
    try {
      parseCondition({ input: input.condition, object: o, registry: platform.registry });
    } catch (error) {
      if (error instanceof AppError) throw validationFailed(error.errors.map((e) => ({ ...e, field: 'condition', message: e.message.replace(/^filter/, 'condition') })), 'The rule condition is not valid');
      throw error;
    }
    out.condition = input.condition as ValidationRule['condition'];
  }
  return out;
}
