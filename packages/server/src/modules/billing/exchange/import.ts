import { parse } from 'csv-parse/sync';
import { validationFailed, type FieldError } from '../../../platform/errors.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { InputCheck, significantDigits } from '../money/index.ts';
import { saveExchangeRates, type RateInput } from './save.ts';
import { isRealDate } from '../context.ts';

export const MAX_IMPORT_ROWS = 10_000;
const COLUMNS = ['date', 'from', 'to', 'rate'] as const;

/**
 * Imports exchange rates from CSV text with the header `date,from,to,rate` (any order, any case;
 * `1 from = rate to`). Every row is checked first and every problem is reported at once, each
 * naming its CSV line and column (`rows[3].rate`: line 3, the header being line 1); then all rows
 * are saved in one transaction, so a file is imported whole or not at all.
 */
export async function importExchangeRates(args: { ctx: RecordContext; csv: string }) {
  const rows = parseRates(args.csv);
  const saved = await saveExchangeRates({ ctx: args.ctx, rows, source: 'import' });
  return { rows: rows.length, ...saved };
}

export function parseRates(csv: string): RateInput[] {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(csv, { info: true, bom: true, skip_empty_lines: true, trim: true, relax_column_count: true, max_record_size: 10_000 }) as unknown as typeof records;
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw validationFailed([{ field: line ? `rows[${line}]` : '', code: 'invalid_csv', message: (error as Error).message.slice(0, 300) }], 'The CSV could not be read');
  }
  const [header, ...data] = records;
  if (!header) throw validationFailed([{ field: '', code: 'empty', message: 'Send a header line date,from,to,rate and one line per rate' }], 'The CSV is empty');
  const names = header.record.map((h) => h.toLowerCase());
  const errors: FieldError[] = [];
  for (const c of COLUMNS) if (!names.includes(c)) errors.push({ field: 'header', code: 'missing_column', message: `The header has no '${c}' column (expected date,from,to,rate)` });
  names.forEach((n) => {
    if (!(COLUMNS as readonly string[]).includes(n)) errors.push({ field: 'header', code: 'unknown_column', message: `Unknown column '${n.slice(0, 40)}' (expected date,from,to,rate)` });
  });
  if (names.length !== new Set(names).size) errors.push({ field: 'header', code: 'duplicate_column', message: 'A column appears twice' });
  if (errors.length) throw validationFailed(errors, 'The CSV header is not date,from,to,rate');
  if (data.length === 0) throw validationFailed([{ field: '', code: 'empty', message: 'The CSV has a header but no rates' }], 'The CSV has no rates');
  if (data.length > MAX_IMPORT_ROWS) throw validationFailed([{ field: '', code: 'too_many_rows', message: `At most ${MAX_IMPORT_ROWS} rates per file` }], 'The CSV has too many rows');

  const check = new InputCheck();
  const seen = new Map<string, number>();
  const rows: RateInput[] = [];
  for (const { record, info } of data) {
    const at = `rows[${info.lines}]`;
    if (record.length !== names.length) {
      check.fail(at, 'column_count', `Line ${info.lines} has ${record.length} values; the header has ${names.length}`);
      continue;
    }
    const value = (c: (typeof COLUMNS)[number]) => record[names.indexOf(c)]!;
    const date = value('date');
    if (!isRealDate(date)) check.fail(`${at}.date`, 'invalid_date', `Line ${info.lines}: '${date.slice(0, 20)}' is not a date as YYYY-MM-DD`);
    const from = check.currency(`${at}.from`, value('from').toUpperCase());
    const to = check.currency(`${at}.to`, value('to').toUpperCase());
    if (from && to && from === to) check.fail(`${at}.to`, 'same_currency', `Line ${info.lines}: from and to are both ${from}`);
    const rate = check.decimal(`${at}.rate`, value('rate'), { min: 0, minExclusive: true, places: 12 });
    if (rate && significantDigits(rate) > 15) check.fail(`${at}.rate`, 'precision', `Line ${info.lines}: at most 15 significant digits`);
    const key = `${date}|${from}|${to}`;
    if (seen.has(key)) check.fail(at, 'duplicate_rate', `Line ${info.lines} repeats the ${from}→${to} rate of ${date} from line ${seen.get(key)}`);
    seen.set(key, info.lines);
    if (from && to && rate) rows.push({ at, date, from, to, rate: rate.toString() });
  }
  if (check.errors.length) throw validationFailed(check.errors, `${check.errors.length}${check.errors.length === 100 ? '+' : ''} problem(s) in the CSV; nothing was imported`);
  return rows;
}
