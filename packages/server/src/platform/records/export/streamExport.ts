import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { writeAudit } from '../../events/audit.ts';
import type { ApiRecord } from '../hooks.ts';
import { listRecords, resolveDisplayNames } from '../read.ts';
import { csvLine, headerRow, recordCells, type Cell } from './cells.ts';
import type { ExportPlan } from './planExport.ts';

/** Who asked, for the audit entry (the route passes the request's address and browser). */
export interface ExportOrigin {
  ip?: string | null;
  userAgent?: string | null;
}

/**
 * The export's rows, one keyset page at a time (EXPORT_PAGE_SIZE rows): only one page is held, so
 * memory stays flat however many rows there are. Each page is read as the list endpoint reads it
 * (the same access and field rules apply on every page, not only the first).
 */
async function* pagesOf(plan: ExportPlan): AsyncGenerator<Cell[][]> {
  const { ctx, object, columns } = plan;
  const names = plan.header === 'label' && columns.some((f) => f.lookup);
  let page = plan.first;
  for (;;) {
    const display = names ? await resolveDisplayNames(ctx, object, page.data) : null;
    yield page.data.map((r: ApiRecord) => recordCells(columns, r, display));
    if (!page.nextCursor) return;
    page = await listRecords({ ctx, object, filter: plan.filter, sort: plan.sort, fields: columns.map((f) => f.apiName), limit: plan.pageSize, maxLimit: plan.pageSize, cursor: page.nextCursor });
  }
}

/**
 * The audit entry (PLT-5) is written once the stream ends, with the rows actually sent: a
 * download the client abandoned is recorded too (completed: false) — those rows left the system.
 */
async function audit(plan: ExportPlan, origin: ExportOrigin, rows: number, completed: boolean): Promise<void> {
  const { ctx, object } = plan;
  try {
    await writeAudit(ctx.platform.db, {
      action: 'records.exported',
      actor: ctx.actor,
      ip: origin.ip ?? null,
      userAgent: origin.userAgent ?? null,
      target: { type: object.apiName, id: plan.viewId ?? object.apiName },
      details: { object: object.apiName, format: plan.format, rows, completed, view: plan.viewId, filter: plan.filter ?? null, sort: plan.sort ?? null, fields: plan.columns.map((f) => f.apiName) },
    });
  } catch (error) {
    ctx.platform.logger.error({ err: error, object: object.apiName }, 'export: the audit entry could not be written');
  }
}

async function* csvChunks(plan: ExportPlan, origin: ExportOrigin): AsyncGenerator<string> {
  let rows = 0;
  let completed = false;
  try {
    // The byte order mark makes Excel read the file as UTF-8 (csv-parse's `bom` option skips it).
    yield `\uFEFF${csvLine(headerRow(plan.columns, plan.header))}`;
    for await (const page of pagesOf(plan)) {
      let chunk = '';
      for (const cells of page) chunk += csvLine(cells);
      rows += page.length;
      yield chunk;
    }
    completed = true;
  } finally {
    await audit(plan, origin, rows, completed);
  }
}

/**
 * XLSX through exceljs's streaming WorkbookWriter (no shared strings, no styles: rows are
 * written out as they are committed). The writer pushes into a PassThrough; between pages the
 * loop waits for the reader to drain it, so a slow download holds back the database reads.
 */
function xlsxStream(plan: ExportPlan, origin: ExportOrigin): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  const sheet = workbook.addWorksheet(plan.object.pluralLabel.slice(0, 31).replace(/[\\/?*[\]:]/g, ' '));
  let rows = 0;
  let aborted = false;
  out.on('close', () => {
    aborted = !out.writableFinished;
  });
  void (async () => {
    let completed = false;
    try {
      sheet.addRow(headerRow(plan.columns, plan.header)).commit();
      for await (const page of pagesOf(plan)) {
        if (aborted || out.destroyed) break;
        for (const cells of page) sheet.addRow(cells).commit();
        rows += page.length;
        if (out.writableNeedDrain) await Promise.race([once(out, 'drain'), once(out, 'close')]);
      }
      if (!aborted && !out.destroyed) {
        await sheet.commit();
        // Every row is in the archive now: the entry is written before the workbook's last bytes,
        // so it exists by the time the client has the whole file.
        completed = true;
        await audit(plan, origin, rows, completed);
        await workbook.commit();
      }
    } catch (error) {
      plan.ctx.platform.logger.error({ err: error, object: plan.object.apiName }, 'export: the XLSX stream failed');
      out.destroy(error as Error);
    } finally {
      if (!completed) await audit(plan, origin, rows, completed);
    }
  })();
  return out;
}

/** The export's body as a stream of bytes; the audit entry follows its end. */
export function streamExport(plan: ExportPlan, origin: ExportOrigin = {}): Readable {
  if (plan.format === 'xlsx') return xlsxStream(plan, origin);
  return Readable.from(csvChunks(plan, origin), { objectMode: false });
}

export function exportFileName(plan: ExportPlan, now = new Date()): string {
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  return `${plan.object.apiName}-${stamp}.${plan.format}`;
}

export const EXPORT_CONTENT_TYPE = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;
