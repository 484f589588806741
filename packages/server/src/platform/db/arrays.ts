/**
 * PostgreSQL array literals built in one join, for statements that send thousands of elements
 * (a batch's history rows): pg formats an array parameter element by element, escaping each
 * string with two regular expressions, which showed in the import's profile. The statement casts
 * the parameter (`${uuidArray(ids)}::uuid[]`), so the literal is read exactly as pg's would be.
 */

/** Uuids, or integers: no element needs quoting. */
export const plainArray = (values: ReadonlyArray<string | number>): string => `{${values.join(',')}}`;

const NAME = /^[A-Za-z0-9_]+$/;

/** Names (field API names) or NULLs; any other string is quoted and escaped as array_in reads it. */
export function nameArray(values: ReadonlyArray<string | null>): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i) out += ',';
    out += v === null || v === undefined ? 'NULL' : NAME.test(v) ? `"${v}"` : `"${v.replace(/[\\"]/g, '\\$&')}"`;
  }
  return `${out}}`;
}
