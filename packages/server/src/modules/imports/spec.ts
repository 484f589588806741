import { validationFailed, type FieldError } from '../../platform/errors.ts';
import type { FieldDefinition, ObjectDefinition } from '../../platform/metadata/types.ts';
import type { RecordContext } from '../../platform/records/context.ts';
import { importableFields } from './mapping/suggest.ts';
import type { DateOrder } from './mapping/values.ts';

export type ImportMode = 'insert' | 'update' | 'upsert';
export type DuplicateAction = 'skip' | 'update' | 'create';

/** What one column of the file becomes (by position: columns[i] is the file's column i). */
export interface ColumnMapping {
  field: string | null;
  /** Lookups: the parent's field the cell names it by (its name field by default, an external id, an e-mail, or id). */
  lookupField?: string;
  /** Lookups: create the parent (with just that field) when no record matches. */
  createParent?: boolean;
}

/** An import's choices, set in the wizard's mapping and options steps. */
export interface ImportOptions {
  mode: ImportMode;
  /** update/upsert: the field that finds the record to change (id, an external id or unique field, or an e-mail). */
  matchField?: string;
  /** What to do with a row the duplicate rules match: skip it, update the match, or create anyway. */
  duplicates: DuplicateAction;
  dateOrder: DateOrder;
  decimalComma: boolean;
  columns: ColumnMapping[];
  /** Per picklist field: the file's values not in the list → the list's value ('' = leave empty). */
  picklistValues: Record<string, Record<string, string>>;
}

export const DEFAULT_OPTIONS: Omit<ImportOptions, 'columns'> = { mode: 'insert', duplicates: 'skip', dateOrder: 'ymd', decimalComma: false, picklistValues: {} };

/** Fields a lookup cell may name its parent by: id, the name field, external ids, unique fields and e-mails. */
export function lookupKeys(parent: ObjectDefinition): string[] {
  return ['id', ...parent.fields.filter((f) => f.apiName === parent.nameField || ((f.externalId || f.unique || f.type === 'email') && ['text', 'email'].includes(f.type))).map((f) => f.apiName)];
}

/** Fields update/upsert may find the record by. */
export function matchKeys(object: ObjectDefinition): string[] {
  return object.fields.filter((f) => f.apiName === 'id' || ((f.externalId || f.unique || f.type === 'email') && !f.readOnly)).map((f) => f.apiName);
}

/**
 * Checks the options against the object's metadata and the user's writable fields; every
 * problem is named by its path (`columns[2].field`), all at once.
 */
export function checkOptions(ctx: RecordContext, object: ObjectDefinition, headers: string[], options: ImportOptions): void {
  const errors: FieldError[] = [];
  const writable = new Map(importableFields(ctx.actor, object).map((f) => [f.apiName, f]));
  if (options.columns.length !== headers.length) errors.push({ field: 'columns', code: 'length', message: `Give one entry per column of the file (${headers.length})` });
  const used = new Map<string, number>();
  options.columns.forEach((c, i) => {
    if (!c.field) return;
    const at = `columns[${i}]`;
    const f = writable.get(c.field);
    if (!f) {
      if (!(options.mode !== 'insert' && c.field === 'id')) errors.push({ field: `${at}.field`, code: 'unknown_field', message: `'${c.field.slice(0, 64)}' is not a field of ${object.label} you may import into` });
      if (c.field === 'id') checkUnique(used, c.field, i, at, errors);
      return;
    }
    checkUnique(used, c.field, i, at, errors);
    if (f.type === 'lookup') {
      const parent = ctx.platform.registry.getObject(f.lookup!.object);
      const key = c.lookupField ?? parent?.nameField;
      if (!parent || !key || !lookupKeys(parent).includes(key)) errors.push({ field: `${at}.lookupField`, code: 'invalid', message: `${parent?.label ?? 'The parent'} records are found by one of: ${parent ? lookupKeys(parent).join(', ') : ''}` });
      if (c.createParent && key === 'id') errors.push({ field: `${at}.createParent`, code: 'invalid', message: 'A parent named by its id cannot be created' });
    } else if (c.lookupField || c.createParent) {
      errors.push({ field: `${at}.lookupField`, code: 'invalid', message: `${f.label} is not a lookup` });
    }
  });
  if (!options.columns.some((c) => c.field)) errors.push({ field: 'columns', code: 'empty', message: 'Map at least one column to a field' });
  if (options.mode !== 'insert') {
    if (!options.matchField) errors.push({ field: 'matchField', code: 'required', message: 'Update and upsert need the field that finds the record' });
    else if (!matchKeys(object).includes(options.matchField) || (options.mode === 'upsert' && options.matchField === 'id')) {
      errors.push({ field: 'matchField', code: 'invalid', message: `Records of ${object.label} are found by one of: ${matchKeys(object).filter((k) => options.mode === 'update' || k !== 'id').join(', ')}` });
    } else if (!options.columns.some((c) => c.field === options.matchField)) {
      errors.push({ field: 'matchField', code: 'not_mapped', message: `Map a column to ${options.matchField}: it finds the record to change` });
    }
  }
  for (const [field, values] of Object.entries(options.picklistValues)) {
    const f = object.fields.find((x) => x.apiName === field);
    if (!f || !f.picklist) {
      errors.push({ field: `picklistValues.${field.slice(0, 64)}`, code: 'unknown_field', message: 'Not a picklist field of this object' });
      continue;
    }
    const allowed = new Set(f.picklist.values.map((v) => v.value));
    for (const [raw, value] of Object.entries(values)) {
      if (value && !allowed.has(value)) errors.push({ field: `picklistValues.${field}.${raw.slice(0, 64)}`, code: 'invalid_choice', message: `'${value.slice(0, 64)}' is not a value of ${f.label}` });
    }
  }
  if (errors.length) throw validationFailed(errors);
}

function checkUnique(used: Map<string, number>, field: string, i: number, at: string, errors: FieldError[]) {
  if (used.has(field)) errors.push({ field: `${at}.field`, code: 'duplicate_mapping', message: `Column ${used.get(field)! + 1} is mapped to ${field} already` });
  else used.set(field, i);
}

export function fieldOf(object: ObjectDefinition, name: string): FieldDefinition | undefined {
  return object.fields.find((f) => f.apiName === name);
}

/** Whether two option sets are the same whatever their keys' order (jsonb reorders keys). */
export function sameOptions(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}
