/**
 * CSV as RFC 4180 writes it: fields separated by commas, records by CRLF, a field quoted when it
 * holds a comma, a quote, CR or LF, quotes doubled inside. Cells are typed: text cells are
 * guarded against formula injection (OWASP "CSV Injection": a cell starting with =, +, -, @, tab
 * or CR gets a leading single quote, so a spreadsheet shows it as text instead of running it);
 * number cells are written as they are, so a negative amount stays a number.
 */
export type Cell = { text: string | null } | { number: string | null };

export const text = (value: unknown): Cell => ({ text: value === null || value === undefined ? null : String(value) });
export const num = (value: string | null): Cell => ({ number: value });

const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^-?\d+(\.\d+)?$/;

export function cellText(cell: Cell): string {
  if ('number' in cell) {
    if (cell.number === null) return '';
    if (!NUMBER.test(cell.number)) throw new Error(`Not a plain decimal: ${cell.number}`);
    return cell.number;
  }
  if (cell.text === null) return '';
  return FORMULA_START.test(cell.text) ? `'${cell.text}` : cell.text;
}

function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

/** One CSV record with its CRLF. */
export function csvRecord(cells: Cell[]): string {
  return `${cells.map((c) => quote(cellText(c))).join(',')}\r\n`;
}

/** The header record: the layout's column names, as they are (they are ours, not user text). */
export function csvHeader(columns: readonly string[]): string {
  return `${columns.map(quote).join(',')}\r\n`;
}

/** An ISO date (YYYY-MM-DD) in the layout a product reads. */
export function formatDate(iso: unknown, order: 'DD/MM/YYYY' | 'MM/DD/YYYY'): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso ?? ''));
  if (!m) return null;
  const [, y, mo, d] = m;
  return order === 'DD/MM/YYYY' ? `${d}/${mo}/${y}` : `${mo}/${d}/${y}`;
}
