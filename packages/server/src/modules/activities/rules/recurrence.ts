import { validationFailed, type FieldError } from '../../../platform/errors.ts';
import type { BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import { normaliseExceptions, normaliseRule } from '../domain/recurrence.ts';

/**
 * recurrence_rule must be a valid RRULE (normalised), and a series needs its first start: a
 * start_at for meetings and calls, a due_date for tasks. Exceptions are normalised to UTC
 * instants (dates for tasks).
 */
export function validateRecurrence({ object, data, merged }: BeforeSaveArgs): void {
  const errors: FieldError[] = [];
  const dated = object.apiName === 'task';
  if (typeof data.recurrence_rule === 'string') {
    const r = normaliseRule(data.recurrence_rule);
    if ('error' in r) errors.push(r.error);
    else data.recurrence_rule = r.rule;
  }
  if (typeof data.recurrence_exceptions === 'string') {
    const r = normaliseExceptions(data.recurrence_exceptions, dated);
    if ('error' in r) errors.push(r.error);
    else data.recurrence_exceptions = r.value || null;
  }
  const rule = data.recurrence_rule ?? merged.recurrence_rule;
  if (rule && dated && !(data.due_date ?? merged.due_date)) errors.push({ field: 'due_date', code: 'required', message: 'A repeating task needs its first due date' });
  if (errors.length) throw validationFailed(errors);
}
