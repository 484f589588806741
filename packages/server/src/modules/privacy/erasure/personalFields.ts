import type { FieldDefinition, ObjectDefinition } from '../../../platform/metadata/types.ts';

// Field types that hold what a person wrote or what identifies them. Picklists, booleans,
// numbers and lookups describe the relationship (source, status, account) and stay.
const PERSONAL_TYPES = new Set(['text', 'long_text', 'rich_text', 'email', 'phone', 'url', 'date', 'datetime', 'address']);

// A lead's company names a business, not the person: it stays for the pipeline's figures.
const NOT_PERSONAL = new Set(['company']);

/** The fields of a person's record that erasure clears: writable values of personal types. */
export function personalFields(object: ObjectDefinition): FieldDefinition[] {
  return object.fields.filter((f) => PERSONAL_TYPES.has(f.type) && !NOT_PERSONAL.has(f.apiName) && !f.generated && !f.readOnly && !f.formula);
}

export const NAME_FIELDS = ['first_name', 'last_name'];
