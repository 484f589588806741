import type { Platform } from '../../../platform/kernel.ts';
import { openRows, type RowReader } from '../file/rows.ts';
import { importFilePath, type ImportRow } from '../store.ts';
import type { SourceRow } from './batch.ts';

/**
 * The import's data rows in batches, from the row after `after` (a resumed import re-reads the
 * file from its start and skips the rows its checkpoint covers — a CSV cannot be entered mid-way
 * safely, a quoted value may span lines).
 */
export async function* batchesOf(platform: Platform, job: ImportRow, after: number, size: number, reader: RowReader = readerOf(platform, job)): AsyncGenerator<SourceRow[]> {
  let n = -1; // the header is row 0
  let batch: SourceRow[] = [];
  try {
    for await (const cells of reader.rows) {
      n++;
      if (n === 0 || n <= after) continue;
      batch.push({ n, cells });
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  } finally {
    reader.close();
  }
}

export function readerOf(platform: Platform, job: ImportRow): RowReader {
  return openRows({ path: importFilePath(platform, job.file_key), format: job.format, encoding: job.encoding, delimiter: job.delimiter });
}

/**
 * The batches with the file's bytes read when each was complete (the progress), each next batch
 * read and parsed while the caller writes the one before: reading waits on the disk and parsing
 * on the CPU, and both fit in the time the batch's statements wait on the database.
 */
export async function* readAhead(batches: AsyncGenerator<SourceRow[]>, bytesRead: () => number): AsyncGenerator<{ rows: SourceRow[]; bytes: number }> {
  const pull = async () => {
    const r = await batches.next();
    return r.done ? undefined : { rows: r.value, bytes: bytesRead() };
  };
  let next = pull();
  try {
    for (;;) {
      const current = await next;
      if (!current) return;
      next = pull();
      // A failed read is raised when its batch is asked for, not while this one is being written.
      next.catch(() => {});
      yield current;
    }
  } finally {
    // Let a read in flight end before closing the file (a generator cannot be closed while it runs).
    await next.catch(() => {});
    await batches.return(undefined);
  }
}
