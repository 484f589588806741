import type { FieldDefinition } from '../../metadata/types.ts';

/** A spreadsheet cell: text, a number, a boolean or empty. */
export type Cell = string | number | boolean | null;

const NUMERIC = new Set(['number', 'currency', 'percent']);

/**
 * Formula injection (CWE-1236): a spreadsheet treats a cell starting with = + - @ (and a tab or
 * carriage return in front of one) as a formula. Such text gets a leading apostrophe, which
 * spreadsheets show as text and never evaluate. Numbers Meridian formats itself (a negative
 * amount) are not text and stay numbers.
 */
export function startsFormula(text: string): boolean {
  // = + - @ tab CR, by char code: checked for every text cell of an export.
  const c = text.charCodeAt(0);
  return c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13;
}

export function neutralise(text: string): string {
  return startsFormula(text) ? `'${text}` : text;
}

/** The header row: field labels (for people) or API names (for re-import and integrations). */
export function headerRow(columns: FieldDefinition[], header: 'label' | 'api'): string[] {
  return columns.map((f) => neutralise(header === 'api' ? f.apiName : f.label));
}

/**
 * One API value → its cell. Lookups are the target's display name with label headers (ids with
 * API headers); multi-picklists are joined with '; '. Every piece of text passes neutralise.
 * Exports take plain columns from rowCells.ts; this is the API-value path their formula fields keep.
 */
export function valueCell(f: FieldDefinition, v: unknown, names: Record<string, Record<string, string>> | null): Cell {
  if (v === null || v === undefined) return null;
  if (NUMERIC.has(f.type) && typeof v === 'number') return v;
  if (typeof v === 'boolean') return v;
  if (f.lookup && names && typeof v === 'string') return neutralise(names[f.lookup.object]?.[v] ?? v);
  if (Array.isArray(v)) return neutralise(v.join('; '));
  return neutralise(typeof v === 'object' ? JSON.stringify(v) : String(v));
}

const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A CSV line of cells; rows end with CRLF. */
export function csvLine(cells: Cell[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    if (i) line += ',';
    const c = cells[i];
    if (c === null || c === undefined) continue;
    line += csvField(typeof c === 'string' ? c : String(c));
  }
  return `${line}\r\n`;
}
