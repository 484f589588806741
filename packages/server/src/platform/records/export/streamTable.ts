import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { csvLine, neutralise, type Cell } from './cells.ts';

export type TableFormat = 'csv' | 'xlsx';

/**
 * A table to write out as a file: a header and its rows a page at a time (only one page is held,
 * so memory stays flat). Record exports and report exports (analytics) share it, so both get the
 * same CSV dialect, the same XLSX writer and the same formula neutralisation.
 */
export interface TableSource {
  /** The XLSX sheet's name (cut to Excel's 31 characters, its forbidden characters replaced). */
  sheetName: string;
  header: string[];
  pages: () => AsyncGenerator<Cell[][]>;
  /**
   * The same pages as CSV text, for a source that writes its lines itself (record exports build
   * each line straight from the database row, without cells in between); CSV uses it over pages.
   */
  csvPages?: () => AsyncGenerator<CsvPage>;
  /** Called once when the stream ends, with the rows written and whether all of them were (an abandoned download was not). */
  finish?: (rows: number, completed: boolean) => Promise<void>;
  /** Told when the XLSX writer fails mid-stream (the answer has started, so it can only be logged). */
  onError?: (error: unknown) => void;
}

/** A page of CSV lines (each ending CRLF), as text or UTF-8 bytes, and how many rows they are. */
export interface CsvPage {
  text: string | Uint8Array;
  rows: number;
}

async function* csvOfCells(pages: AsyncGenerator<Cell[][]>): AsyncGenerator<CsvPage> {
  for await (const page of pages) {
    let text = '';
    for (const cells of page) text += csvLine(cells);
    yield { text, rows: page.length };
  }
}

async function* csvChunks(source: TableSource): AsyncGenerator<string | Uint8Array> {
  let rows = 0;
  let completed = false;
  try {
    // The byte order mark makes Excel read the file as UTF-8 (csv-parse's `bom` option skips it).
    yield `\uFEFF${csvLine(source.header.map(neutralise))}`;
    const pages = source.csvPages?.() ?? csvOfCells(source.pages());
    for await (const page of pages) {
      rows += page.rows;
      yield page.text;
    }
    completed = true;
  } finally {
    await source.finish?.(rows, completed);
  }
}

/**
 * XLSX through exceljs's streaming WorkbookWriter (no shared strings, no styles: rows are
 * written out as they are committed). The writer pushes into a PassThrough; between pages the
 * loop waits for the reader to drain it, so a slow download holds back the database reads.
 */
function xlsxStream(source: TableSource): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  const sheet = workbook.addWorksheet(source.sheetName.slice(0, 31).replace(/[\\/?*[\]:]/g, ' ') || 'Sheet1');
  let rows = 0;
  let aborted = false;
  out.on('close', () => {
    aborted = !out.writableFinished;
  });
  void (async () => {
    let completed = false;
    try {
      sheet.addRow(source.header.map(neutralise)).commit();
      for await (const page of source.pages()) {
        if (aborted || out.destroyed) break;
        for (const cells of page) sheet.addRow(cells).commit();
        rows += page.length;
        if (out.writableNeedDrain) await Promise.race([once(out, 'drain'), once(out, 'close')]);
      }
      if (!aborted && !out.destroyed) {
        await sheet.commit();
        // Every row is in the archive now: `finish` runs before the workbook's last bytes, so an
        // audit entry exists by the time the client has the whole file.
        completed = true;
        await source.finish?.(rows, completed);
        await workbook.commit();
      }
    } catch (error) {
      source.onError?.(error);
      out.destroy(error as Error);
    } finally {
      if (!completed) await source.finish?.(rows, completed);
    }
  })();
  return out;
}

/** The table as a stream of bytes in the format asked for. */
export function streamTable(source: TableSource, format: TableFormat): Readable {
  if (format === 'xlsx') return xlsxStream(source);
  return Readable.from(csvChunks(source), { objectMode: false });
}

/** The whole file in memory: for e-mail attachments, whose rows the source caps. */
export async function tableBuffer(source: TableSource, format: TableFormat): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of streamTable(source, format)) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

export const TABLE_CONTENT_TYPE = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;
