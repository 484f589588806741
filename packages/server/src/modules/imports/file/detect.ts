import chardet from 'chardet';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse/sync';
import { AppError } from '../../../platform/errors.ts';

export type ImportFormat = 'csv' | 'xlsx';
export const ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252', 'iso-8859-1'] as const;
export type ImportEncoding = (typeof ENCODINGS)[number];
export const DELIMITERS = [',', ';', '\t', '|'] as const;

const fileProblem = (code: string, message: string) => new AppError('validation_failed', message, { errors: [{ field: 'file', code, message }] });

/** XLSX is a zip (PK\3\4); a .csv that is a zip, or an .xlsx that is not, is refused by what it is, not its name. */
export function detectFormat(fileName: string, head: Buffer): ImportFormat {
  const zip = head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.xlsx')) {
    if (!zip) throw fileProblem('not_xlsx', 'The file is named .xlsx but is not an Excel workbook');
    return 'xlsx';
  }
  if (zip) {
    if (lower.endsWith('.xls') || lower.endsWith('.xlsm') || lower.endsWith('.csv') || lower.endsWith('.txt') || lower.endsWith('.tsv')) {
      throw fileProblem('not_text', 'The file is a compressed (zip) file, not a CSV: save it as CSV or .xlsx');
    }
    return 'xlsx';
  }
  return 'csv';
}

/**
 * The text encoding of a CSV from its first bytes: a byte-order mark decides (UTF-8, UTF-16 LE/BE);
 * else text that decodes as UTF-8 is UTF-8; else chardet's guess among the encodings offered,
 * Windows-1252 when it has none (the usual spreadsheet export). The user can change the guess.
 */
export function detectEncoding(head: Buffer): ImportEncoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  if (isUtf8(head)) return 'utf-8';
  const guess = (chardet.detect(head) ?? '').toLowerCase();
  if (guess === 'utf-16le' || guess === 'utf-16be') return guess;
  if (guess === 'iso-8859-1') return 'windows-1252'; // a superset for the printable range: € and curly quotes decode right
  return 'windows-1252';
}

function isUtf8(head: Buffer): boolean {
  // The sample may end inside a multi-byte character: drop up to three trailing bytes of one.
  for (let cut = 0; cut <= 3 && cut < head.length; cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, head.length - cut));
      return true;
    } catch {
      // try a shorter sample
    }
  }
  return false;
}

/** The first bytes decoded, with a NUL or control-character check: binary data named .csv is refused here. */
export function decodeHead(head: Buffer, encoding: ImportEncoding): string {
  const text = iconv.decode(head, encoding);
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd) control++;
  }
  if (text.length === 0 || control > Math.max(2, text.length * 0.01)) {
    throw fileProblem('not_text', `The file does not read as text in ${encoding} (it looks binary): upload a CSV or an .xlsx workbook, or choose another encoding`);
  }
  return text;
}

/**
 * The delimiter from a sample: csv-parse reads the sample's complete lines with each candidate,
 * and the one giving the most columns, the same on every line, wins (comma when none splits).
 */
export function detectDelimiter(sample: string): string {
  const lastBreak = Math.max(sample.lastIndexOf('\n'), 0);
  const complete = lastBreak > 0 ? sample.slice(0, lastBreak) : sample;
  let best = { delimiter: ',', columns: 1, consistent: false };
  for (const delimiter of DELIMITERS) {
    let rows: string[][];
    try {
      rows = parse(complete, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, to: 20, bom: true }) as string[][];
    } catch {
      continue;
    }
    if (!rows.length) continue;
    const columns = rows[0]!.length;
    const consistent = rows.every((r) => r.length === columns);
    if (columns > 1 && (consistent && !best.consistent || (consistent === best.consistent && columns > best.columns))) best = { delimiter, columns, consistent };
  }
  return best.delimiter;
}
