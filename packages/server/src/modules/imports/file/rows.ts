import { createReadStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { parse, CsvError } from 'csv-parse';
import ExcelJS from 'exceljs';
import { AppError } from '../../../platform/errors.ts';
import type { ImportEncoding, ImportFormat } from './detect.ts';

/** A record longer than this is refused (a 10 MB line is a broken file, not a contact). */
export const MAX_RECORD_CHARS = 1024 * 1024;

export interface FileSource {
  path: string;
  format: ImportFormat;
  encoding?: ImportEncoding | null;
  delimiter?: string | null;
}

export interface RowReader {
  /** Every row of the file as cell texts, the header first; empty lines are skipped. */
  rows: AsyncIterable<string[]>;
  /** Bytes of the file read so far (progress: a running import's share of the file). */
  bytesRead(): number;
  close(): void;
}

/** A problem with the file found while reading it: the import stops with this message. */
export class FileReadError extends AppError {
  constructor(message: string) {
    super('validation_failed', message, { errors: [{ field: 'file', code: 'unreadable', message }] });
  }
}

/**
 * Streams a CSV or XLSX file's rows: CSV through iconv-lite (the chosen encoding, a BOM dropped)
 * into csv-parse; XLSX through exceljs's streaming WorkbookReader, first worksheet only, where a
 * formula cell gives its stored result (formulas are never evaluated) and merged cells their
 * top-left value only. Memory stays flat whatever the file's size.
 */
export function openRows(source: FileSource): RowReader {
  let bytes = 0;
  const file = createReadStream(source.path, { highWaterMark: 256 * 1024 });
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  file.on('error', (error) => meter.destroy(error));
  file.pipe(meter);
  const rows = source.format === 'xlsx' ? xlsxRows(meter) : csvRows(meter, source);
  return { rows, bytesRead: () => bytes, close: () => file.destroy() };
}

async function* csvRows(input: Readable, source: FileSource): AsyncGenerator<string[]> {
  const decoder = iconv.decodeStream(source.encoding ?? 'utf-8', { stripBOM: true }) as unknown as Transform;
  input.on('error', (error) => decoder.destroy(error));
  const parser = parse({
    delimiter: source.delimiter ?? ',',
    relax_column_count: true,
    skip_empty_lines: true,
    bom: true,
    max_record_size: MAX_RECORD_CHARS,
  });
  decoder.on('error', (error) => parser.destroy(error));
  input.pipe(decoder).pipe(parser);
  try {
    for await (const record of parser as AsyncIterable<string[]>) yield record;
  } catch (error) {
    throw translateCsvError(error);
  } finally {
    input.destroy();
  }
}

function translateCsvError(error: unknown): unknown {
  if (!(error instanceof CsvError)) return error;
  const line = (error as CsvError & { lines?: number }).lines;
  const where = line ? ` (line ${line})` : '';
  if (error.code === 'CSV_MAX_RECORD_SIZE') return new FileReadError(`A row is longer than ${MAX_RECORD_CHARS} characters${where}: the file is not a CSV of records, or a quote is never closed`);
  if (error.code === 'CSV_QUOTE_NOT_CLOSED') return new FileReadError(`A quoted value is never closed${where}`);
  if (error.code === 'CSV_INVALID_CLOSING_QUOTE' || error.code === 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE') return new FileReadError(`A quote is followed by other characters${where}: write a quote inside a quoted value as two quotes ("")`);
  return new FileReadError(`The CSV cannot be read${where}: ${error.message}`);
}

async function* xlsxRows(input: Readable): AsyncGenerator<string[]> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'emit' });
  try {
    for await (const sheet of reader) {
      for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
        const values = row.values as unknown[];
        const cells: string[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
        while (cells.length && cells[cells.length - 1] === '') cells.pop();
        if (cells.length) yield cells;
      }
      return; // the first worksheet only
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new FileReadError(`The workbook cannot be read: ${(error as Error).message?.slice(0, 200) ?? String(error)}`);
  } finally {
    input.destroy();
  }
}

/** A cell's value as text: a formula's cached result (never evaluated), rich text joined, dates as ISO. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if ('formula' in v || 'sharedFormula' in v) return cellText(v.result);
    if (Array.isArray(v.richText)) return (v.richText as Array<{ text: string }>).map((r) => r.text).join('');
    if ('text' in v) return cellText(v.text);
    if ('error' in v) return '';
    return '';
  }
  return String(value);
}
