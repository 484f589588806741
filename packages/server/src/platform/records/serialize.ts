import type { FieldDefinition, ObjectDefinition } from '../metadata/types.ts';
import type { ApiRecord } from './hooks.ts';
import { fromDb } from './values.ts';
import { markRecord } from './present.ts';

/**
 * A database row → the API record: keys are field API names, values in their API types. The
 * record is marked with its object, so the presenter (present.ts) hides what the caller may not see.
 */
export function rowToRecord(fields: FieldDefinition[], row: Record<string, unknown>, object: ObjectDefinition): ApiRecord {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.column in row) out[f.apiName] = fromDb(f, row[f.column]);
  }
  return markRecord(object, out as ApiRecord);
}

export function recordName(object: ObjectDefinition, record: Record<string, unknown>): string {
  const v = record[object.nameField];
  return v === null || v === undefined || v === '' ? String(record.id ?? '') : String(v);
}
