import type { FieldDefinition, ObjectDefinition } from '../metadata/types.ts';
import type { ApiRecord } from './hooks.ts';
import { fromDb } from './values.ts';

/** A database row → the API record: keys are field API names, values in their API types. */
export function rowToRecord(fields: FieldDefinition[], row: Record<string, unknown>): ApiRecord {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.column in row) out[f.apiName] = fromDb(f, row[f.column]);
  }
  return out as ApiRecord;
}

export function recordName(object: ObjectDefinition, record: Record<string, unknown>): string {
  const v = record[object.nameField];
  return v === null || v === undefined || v === '' ? String(record.id ?? '') : String(v);
}
