import type { FieldDefinition, FieldType, ObjectDefinition } from './types.ts';

/** Field types that fit a list column; long text, rich text and files do not. */
const SHORT: ReadonlySet<FieldType> = new Set<FieldType>(['picklist', 'multi_picklist', 'date', 'datetime', 'currency', 'number', 'percent', 'email', 'phone', 'url', 'lookup', 'user', 'boolean', 'text', 'autonumber'] as FieldType[]);
const SYSTEM = new Set(['id', 'version', 'created_at', 'updated_at', 'created_by', 'updated_by', 'owner']);
const MAX_DERIVED = 4;

/** Fields a generated name is built from (first_name and last_name of full_name): never listed next to it. */
function nameParts(object: ObjectDefinition): Set<string> {
  const name = object.fields.find((f) => f.apiName === object.nameField);
  const expression = name?.generated ?? '';
  return new Set(object.fields.filter((f) => f.apiName !== object.nameField && new RegExp(`\\b${f.apiName}\\b`).test(expression)).map((f) => f.apiName));
}

/**
 * A list's default columns: the name field, then the columns the object declares, or for objects
 * that declare none (custom objects) up to four short fields in their order — never the parts of
 * a composed name, never read-only bookkeeping. Declared names that no longer exist are skipped.
 */
export function listColumnsOf(object: ObjectDefinition): string[] {
  const exists = new Map(object.fields.map((f) => [f.apiName, f]));
  const parts = nameParts(object);
  const usable = (f: FieldDefinition | undefined): f is FieldDefinition => !!f && f.apiName !== object.nameField && !parts.has(f.apiName);
  const declared = object.listColumns?.map((n) => exists.get(n)).filter(usable);
  const rest = declared ?? object.fields.filter((f) => usable(f) && !SYSTEM.has(f.apiName) && !f.readOnly && !f.generated && SHORT.has(f.type)).slice(0, MAX_DERIVED);
  return [object.nameField, ...rest.map((f) => f.apiName)];
}
