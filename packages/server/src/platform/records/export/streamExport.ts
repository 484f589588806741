import type { Readable } from 'node:stream';
import { writeAudit } from '../../events/audit.ts';
import { resolveNames } from '../read.ts';
import { headerRow, type Cell } from './cells.ts';
import { exportColumns, lookupIds, rowCells, rowLine, type ExportColumn, type Names } from './rowCells.ts';
import { streamTable, TABLE_CONTENT_TYPE, type CsvPage } from './streamTable.ts';
import { copyLines, takeCopySlot } from './copyLines.ts';
import { exportLinesQuery, readExportPage, type ExportPlan } from './planExport.ts';

/** Who asked, for the audit entry (the route passes the request's address and browser). */
export interface ExportOrigin {
  ip?: string | null;
  userAgent?: string | null;
}

interface RowPage {
  rows: Record<string, unknown>[];
  names: Names;
}

/**
 * The export's rows, one keyset page at a time (EXPORT_PAGE_SIZE rows): at most two pages are
 * held — the one being written and the next, read meanwhile — so memory stays flat however many
 * rows there are. Reading the next page while this one is formatted and sent lets PostgreSQL and
 * Node work at the same time instead of taking turns. Each page is read as the list endpoint
 * reads it (the same access and field rules apply on every page, not only the first).
 */
async function* rowPages(plan: ExportPlan, columns: ExportColumn[]): AsyncGenerator<RowPage> {
  const { ctx } = plan;
  const read = (cursor: string) => readExportPage({ ctx, object: plan.object, filter: plan.filter, sort: plan.sort, columns: plan.columns, pageSize: plan.pageSize, cursor, lines: plan.lines ? plan.header : undefined });
  let page = plan.first;
  for (;;) {
    const next = page.nextCursor ? read(page.nextCursor) : null;
    // A download abandoned mid-page leaves the read ahead unawaited: its failure is not an error then.
    next?.catch(() => {});
    const ids = lookupIds(columns, page.rows);
    yield { rows: page.rows, names: ids.size ? await resolveNames(ctx, ids) : null };
    if (!next) return;
    page = await next;
  }
}

function exportColumnsOf(plan: ExportPlan): ExportColumn[] {
  return exportColumns(plan.columns, plan.header === 'label');
}

/** CSV: each page's lines written straight from its rows, or on PostgreSQL streamed by one COPY. */
async function* csvPagesOf(plan: ExportPlan): AsyncGenerator<CsvPage> {
  const slot = plan.copy ? takeCopySlot(plan.ctx.platform.database) : null;
  if (slot) {
    try {
      yield* copyLines({ connectionString: plan.ctx.platform.database.connectionString!, db: plan.ctx.platform.db, query: exportLinesQuery(plan) });
    } finally {
      slot();
    }
    return;
  }
  // Keyset pages: the plan's, or every COPY slot is taken (the plan's first page is then its one
  // checked row, and the pages go on from it).
  const columns = exportColumnsOf(plan);
  for await (const { rows, names } of rowPages(plan, columns)) {
    let text = '';
    if (plan.lines) for (const row of rows) text += row.line as string;
    else for (const row of rows) text += rowLine(columns, row, names);
    yield { text, rows: rows.length };
  }
}

/** XLSX: each page's cells (numbers and booleans as such). */
async function* cellPagesOf(plan: ExportPlan): AsyncGenerator<Cell[][]> {
  const columns = exportColumnsOf(plan);
  for await (const { rows, names } of rowPages(plan, columns)) yield rows.map((row) => rowCells(columns, row, names));
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

/** The export's body as a stream of bytes; the audit entry follows its end. */
export function streamExport(plan: ExportPlan, origin: ExportOrigin = {}): Readable {
  return streamTable({
    sheetName: plan.object.pluralLabel,
    header: headerRow(plan.columns, plan.header),
    pages: () => cellPagesOf(plan),
    csvPages: () => csvPagesOf(plan),
    finish: (rows, completed) => audit(plan, origin, rows, completed),
    onError: (error) => plan.ctx.platform.logger.error({ err: error, object: plan.object.apiName }, 'export: the XLSX stream failed'),
  }, plan.format);
}

export function exportFileName(plan: ExportPlan, now = new Date()): string {
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  return `${plan.object.apiName}-${stamp}.${plan.format}`;
}

export const EXPORT_CONTENT_TYPE = TABLE_CONTENT_TYPE;
