import { sql, type Transaction } from 'kysely';
import { uuidv7 } from '../../ids.ts';
import { columnFor } from '../define.ts';
import type { FieldType } from '../types.ts';

/** meta_field rows written by the field commands. */
export interface NewFieldRow {
  id: string;
  object: string;
  api_name: string;
  label: string;
  type: FieldType;
  column_name: string;
  required: boolean;
  is_unique: boolean;
  default_value: unknown;
  help_text: string | null;
  picklist: unknown;
  lookup: unknown;
  autonumber: unknown;
  external_id: boolean;
  searchable: boolean;
  is_standard: boolean;
  position: number;
  deleted_at: null;
  /** Formula and roll-up definitions (formula/define.ts). */
  computed: unknown;
}

export function newFieldRow(a: { object: string; apiName: string; label: string; type: FieldType; required?: boolean; unique?: boolean; searchable?: boolean; position: number }): NewFieldRow {
  return {
    id: uuidv7(), object: a.object, api_name: a.apiName, label: a.label, type: a.type, column_name: columnFor(a.apiName, a.type),
    required: a.required ?? false, is_unique: a.unique ?? false, default_value: null, help_text: null, picklist: null, lookup: null,
    autonumber: null, external_id: false, searchable: a.searchable ?? false, is_standard: false, position: a.position, deleted_at: null, computed: null,
  };
}

export async function insertFieldRow(trx: Transaction<any>, row: NewFieldRow) {
  await sql`INSERT INTO meta_field (id, object, api_name, label, type, column_name, required, is_unique, default_value, help_text, picklist, lookup, autonumber, external_id, searchable, is_standard, position, computed)
    VALUES (${row.id}, ${row.object}, ${row.api_name}, ${row.label}, ${row.type}, ${row.column_name}, ${row.required}, ${row.is_unique},
      ${row.default_value === null ? null : JSON.stringify(row.default_value)}::jsonb, ${row.help_text}, ${row.picklist === null ? null : JSON.stringify(row.picklist)}::jsonb,
      ${row.lookup === null ? null : JSON.stringify(row.lookup)}::jsonb, ${row.autonumber === null ? null : JSON.stringify(row.autonumber)}::jsonb,
      ${row.external_id}, ${row.searchable}, ${row.is_standard}, ${row.position}, ${row.computed === null ? null : JSON.stringify(row.computed)}::jsonb)`.execute(trx);
}

export const FIELD_KEYS = ['apiName', 'label', 'type', 'required', 'unique', 'defaultValue', 'helpText', 'picklist', 'lookup', 'autonumber', 'externalId', 'searchable', 'formula', 'rollup'];
