import { sql, type RawBuilder } from 'kysely';
import type { FieldDefinition } from '../../metadata/types.ts';
import { fromDb } from '../values.ts';
import type { RowsArgs } from '../read.ts';
import { csvField, neutralise, startsFormula, valueCell, type Cell } from './cells.ts';

/**
 * Export cells straight from database rows (issue 15 item 14). A list page answers API records
 * (pg parses each timestamp into a Date, fromDb makes an ISO string of it, a record object per
 * row); an export needs only text, so PostgreSQL formats the plain columns as the API writes them
 * and each CSV line is built from the row's strings. Formula and roll-up fields keep the API's
 * conversion (their SQL type is whatever the expression gives).
 */
const Kind = {
  /** Text PostgreSQL formats that can never start a formula nor need quoting: ids and ISO date-times. */
  Plain: 0,
  /** An exact decimal (`trim_scale`: no trailing zeros; an exponent only below 1e-6, as before); XLSX gets a number cell. */
  Number: 1,
  /** 'true' or 'false'; XLSX gets a boolean cell. */
  Boolean: 2,
  /** The user's text (and dates, picklists, joined multi-picklists): neutralised, quoted when needed. */
  Text: 3,
  /** A lookup shown as the linked record's name (labels), its id when the caller may not see it. */
  Name: 4,
  /** A formula or roll-up field: the driver's value converted as the API converts it. */
  Computed: 5,
} as const;
type Kind = (typeof Kind)[keyof typeof Kind];

const NUMERIC = new Set(['number', 'currency', 'percent']);
const UUID = new Set(['id', 'lookup', 'user']);

/** The API's ISO form of a date-time (Date#toISOString: UTC, milliseconds), and its stand-ins for ±infinity (fromDb). */
const ISO_UTC = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"';

/**
 * A field's value as the export selects it: text formatted by PostgreSQL for plain columns, or
 * null to select it as it is (text columns, ids; formula and roll-up fields).
 */
export function exportValue(field: FieldDefinition, value: RawBuilder<unknown>): RawBuilder<unknown> | null {
  if (field.formula || field.rollup) return null;
  if (NUMERIC.has(field.type)) return sql`trim_scale(${value}::numeric)::text`;
  if (field.type === 'boolean') return sql`${value}::text`;
  if (field.type === 'multi_picklist') return sql`array_to_string(${value}, '; ', '')`;
  if (field.type === 'datetime') {
    return sql`CASE WHEN ${value} = 'infinity' THEN '9999-12-31T23:59:59.999Z' WHEN ${value} = '-infinity' THEN '0001-01-01T00:00:00.000Z'
      ELSE to_char(${value} AT TIME ZONE 'UTC', ${sql.lit(ISO_UTC)}) END`;
  }
  return null;
}

export interface ExportColumn {
  field: FieldDefinition;
  /** The row's key (listRows keys rows by field column). */
  column: string;
  kind: Kind;
}

/** How each column is written; lookups are names only with label headers. */
export function exportColumns(fields: FieldDefinition[], names: boolean): ExportColumn[] {
  return fields.map((field) => {
    let kind: Kind = Kind.Text;
    if (field.formula || field.rollup) kind = Kind.Computed;
    else if (names && field.lookup) kind = Kind.Name;
    else if (NUMERIC.has(field.type)) kind = Kind.Number;
    else if (field.type === 'boolean') kind = Kind.Boolean;
    else if (UUID.has(field.type) || field.type === 'datetime') kind = Kind.Plain;
    return { field, column: field.column, kind };
  });
}

/**
 * The CSV line in SQL (issue 15 item 14): when every column is one PostgreSQL can write as rowLine
 * would (no lookup shown as a name, no formula or roll-up field), the page's query selects each
 * row's whole line as one text value, so Node neither parses a field per column nor builds the
 * line. rowLine's and csvField's rules, in SQL: NULL is an empty cell (concat skips it); text is
 * neutralised (a first character = + - @ tab CR gets an apostrophe; ascii() is its code point, 0
 * for '') and quoted, quotes doubled, when it holds a quote, comma, CR or LF; numbers, booleans,
 * ids and date-times are written as they come.
 */
export function sqlLine(columns: ExportColumn[]): Pick<RowsArgs, 'format' | 'join'> | null {
  if (columns.some((c) => c.kind === Kind.Name || c.kind === Kind.Computed)) return null;
  const kinds = new Map(columns.map((c) => [c.field, c.kind]));
  return {
    format: (field, value) => csvCellSql(field, kinds.get(field) ?? Kind.Text, value),
    // concat() takes at most 100 arguments: a wide line is joined from concats of 32 cells.
    join: (valueOf) => {
      const values = columns.map((c) => valueOf(c.field));
      const runs: RawBuilder<unknown>[] = [];
      for (let i = 0; i < values.length; i += 32) runs.push(sql`concat(${sql.join(values.slice(i, i + 32), sql`, ',', `)})`);
      return sql`concat(${sql.join(runs, sql`, ',', `)}, E'\\r\\n')`;
    },
  };
}

function csvCellSql(field: FieldDefinition, kind: Kind, value: RawBuilder<unknown>): RawBuilder<unknown> {
  if (kind === Kind.Number) {
    // numberText in SQL: below 1e-6 JavaScript's String(Number(text)) — the double's shortest form
    // with an exponent, which float8's text matches but for the exponent's leading zero (1e-07);
    // 0 below the smallest double; without an exponent when the double rounds up to 1e-6.
    return sql`CASE WHEN ${value} = 0 OR abs(${value}) >= 0.000001 THEN trim_scale(${value}::numeric)::text
      WHEN abs(${value}) <= 2.4703282292062328e-324 THEN '0'
      WHEN abs(${value}::float8) = 0.000001 THEN CASE WHEN ${value} < 0 THEN '-0.000001' ELSE '0.000001' END
      ELSE regexp_replace(${value}::float8::text, 'e-0*', 'e-') END`;
  }
  if (kind === Kind.Plain || kind === Kind.Boolean) return exportValue(field, value) ?? sql`${value}::text`;
  const text = field.type === 'multi_picklist' ? exportValue(field, value)! : field.type === 'date' ? sql`${value}::text` : value;
  const neutralised = sql`CASE WHEN ascii(${text}) IN (61, 43, 45, 64, 9, 13) THEN '''' || ${text} ELSE ${text} END`;
  return sql`CASE WHEN strpos(${text}, '"') > 0 OR strpos(${text}, ',') > 0 OR strpos(${text}, E'\\n') > 0 OR strpos(${text}, E'\\r') > 0
    THEN '"' || replace(${neutralised}, '"', '""') || '"' ELSE ${neutralised} END`;
}

/** The ids a page's lookup columns name, by target object: what resolveNames looks up (labels only). */
export function lookupIds(columns: ExportColumn[], rows: Record<string, unknown>[]): Map<string, Set<string>> {
  const byTarget = new Map<string, Set<string>>();
  for (const c of columns) {
    if (c.kind !== Kind.Name) continue;
    const target = c.field.lookup!.object;
    const ids = byTarget.get(target) ?? new Set<string>();
    byTarget.set(target, ids);
    for (const row of rows) {
      const v = row[c.column];
      if (typeof v === 'string') ids.add(v);
    }
  }
  return byTarget;
}

export type Names = Record<string, Record<string, string>> | null;

/** Below 1e-6 JavaScript writes a number with an exponent (1e-7), as the API's numbers always came out; larger ones PostgreSQL's text already matches. */
const TINY = /^-?0\.000000/;

function numberText(text: string): string {
  const c = text.charCodeAt(text.charCodeAt(0) === 45 ? 1 : 0);
  return c === 48 && TINY.test(text) ? String(Number(text)) : text;
}

function nameOf(c: ExportColumn, id: string, names: Names): string {
  return names?.[c.field.lookup!.object]?.[id] ?? id;
}

/** One row → its CSV line (RFC 4180, CRLF), the same text as csvLine(cells) of the API values. */
export function rowLine(columns: ExportColumn[], row: Record<string, unknown>, names: Names): string {
  let line = '';
  for (let i = 0; i < columns.length; i++) {
    if (i) line += ',';
    const c = columns[i]!;
    const v = row[c.column];
    if (v === null || v === undefined) continue;
    if (c.kind === Kind.Number) line += numberText(v as string);
    else if (c.kind <= Kind.Boolean) line += v as string;
    else if (c.kind === Kind.Text && typeof v === 'string') line += csvField(startsFormula(v) ? `'${v}` : v);
    else if (c.kind === Kind.Name) line += csvField(neutralise(nameOf(c, v as string, names)));
    else {
      // Formula fields, and a text column whose driver value is not a string: as the API converts it.
      const cell = valueCell(c.field, fromDb(c.field, v), names);
      if (cell !== null) line += csvField(typeof cell === 'string' ? cell : String(cell));
    }
  }
  return `${line}\r\n`;
}

/** One row → its cells for XLSX: numbers and booleans as such, text neutralised. */
export function rowCells(columns: ExportColumn[], row: Record<string, unknown>, names: Names): Cell[] {
  return columns.map((c) => {
    const v = row[c.column];
    if (v === null || v === undefined) return null;
    switch (c.kind) {
      case Kind.Number:
        return Number(v);
      case Kind.Boolean:
        return v === 'true';
      case Kind.Name:
        return neutralise(nameOf(c, v as string, names));
      case Kind.Plain:
        return v as string;
      case Kind.Text:
        if (typeof v === 'string') return neutralise(v);
        return valueCell(c.field, fromDb(c.field, v), names);
      default:
        return valueCell(c.field, fromDb(c.field, v), names);
    }
  });
}
