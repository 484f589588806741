import type { Readable } from 'node:stream';
import { writeAudit } from '../../../platform/events/audit.ts';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { neutralise, type Cell } from '../../../platform/records/export/cells.ts';
import { streamTable, tableBuffer, type TableFormat, type TableSource } from '../../../platform/records/export/streamTable.ts';
import type { ReportDefinition } from './definition.ts';
import { runDefinition, type GroupedAnswer, type TabularAnswer } from './run.ts';
import type { SavedReport } from './store.ts';

/** Rows per page when a tabular report is written out (the list read's keyset pages). */
const FILE_PAGE_SIZE = 1000;

const NUMERIC_TYPES = new Set(['number', 'currency', 'percent']);
/** A decimal that a spreadsheet's double holds exactly enough to show as written (15 significant digits). */
const EXACT_DECIMAL = /^-?\d{1,13}(\.\d{1,6})?$/;

/** One value as a spreadsheet cell: numbers stay numbers (money is a decimal string in the API), text is neutralised. */
export function cellOf(value: unknown, type: string, name?: string): Cell {
  if (value === null || value === undefined) return null;
  if (name !== undefined) return neutralise(name);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string' && NUMERIC_TYPES.has(type) && EXACT_DECIMAL.test(value)) return Number(value);
  if (Array.isArray(value)) return neutralise(value.join('; '));
  return neutralise(typeof value === 'object' ? JSON.stringify(value) : String(value));
}

/** A tabular page's rows: direct lookups by the target's name (the answer's `display`, keyed by object). */
export function tabularCells(object: ObjectDefinition, answer: TabularAnswer): Cell[][] {
  const targets = answer.columns.map((c) => object.fields.find((f) => f.apiName === c.key)?.lookup?.object);
  return answer.rows.map((row) => answer.columns.map((c, i) => {
    const value = row[c.key];
    const target = targets[i];
    const name = target && typeof value === 'string' ? answer.display[target]?.[value] : undefined;
    return cellOf(value, c.type, name);
  }));
}

/**
 * A grouped answer's rows, subtotals included: a grouping a row was rolled up over reads "(all)",
 * the grand total "Total"; a lookup group by its record's name (the answer's `display`, keyed by
 * column); an empty group "(none)", as the report page shows them.
 */
export function groupedCells(answer: GroupedAnswer): Cell[][] {
  return answer.rows.map((row) => {
    const rolled = new Set(row.rolledUp ?? []);
    const groups = answer.columns.filter((c) => c.kind === 'group');
    const grand = groups.length > 0 && groups.every((g) => rolled.has(g.key));
    return answer.columns.map((c, i) => {
      if (c.kind === 'group') {
        if (grand) return i === 0 ? 'Total' : null;
        if (rolled.has(c.key)) return '(all)';
        const value = row[c.key];
        if (value === null || value === undefined) return '(none)';
        const name = typeof value === 'string' ? answer.display[c.key]?.[value] : undefined;
        return cellOf(value, c.type, name);
      }
      return cellOf(row[c.key], c.type);
    });
  });
}

export interface ReportTable {
  source: TableSource;
  /** A cap (`maxRows`) cut the rows short. */
  truncated: () => boolean;
  /** The first page's answer (grouped reports: the whole answer), for an inline summary. */
  first: TabularAnswer | GroupedAnswer;
}

/**
 * A report as a table, run as `ctx`'s user (the runner's access, never the author's). The first
 * page is read before anything is returned, so a broken report or bad input fails before an
 * answer starts. `maxRows` caps an e-mail attachment; a download has no cap (pages stream).
 */
export async function openReportTable(args: { ctx: RecordContext; object: ObjectDefinition; name: string; definition: ReportDefinition; maxRows?: number }): Promise<ReportTable> {
  const { ctx, object, definition } = args;
  const first = await runDefinition({ ctx, object, definition, limit: FILE_PAGE_SIZE, maxLimit: FILE_PAGE_SIZE });
  let truncated = false;
  const cap = args.maxRows ?? Number.POSITIVE_INFINITY;
  async function* pages(): AsyncGenerator<Cell[][]> {
    if (first.shape !== 'tabular') {
      const cells = groupedCells(first);
      truncated = first.truncated || cells.length > cap;
      yield cells.slice(0, Number.isFinite(cap) ? cap : undefined);
      return;
    }
    let page: TabularAnswer = first;
    let written = 0;
    for (;;) {
      const cells = tabularCells(object, page);
      const room = cap - written;
      if (cells.length > room) {
        truncated = true;
        yield cells.slice(0, room);
        return;
      }
      written += cells.length;
      yield cells;
      if (!page.nextCursor) return;
      page = (await runDefinition({ ctx, object, definition, cursor: page.nextCursor, limit: FILE_PAGE_SIZE, maxLimit: FILE_PAGE_SIZE })) as TabularAnswer;
    }
  }
  return {
    source: { sheetName: args.name, header: first.columns.map((c) => c.label), pages },
    truncated: () => truncated,
    first,
  };
}

/** A file name from the report's name: letters, digits and dashes, with the time it was made. */
export function reportFileName(name: string, format: TableFormat, now = new Date()): string {
  const base = name.normalize('NFKD').replace(/[^\w\s-]/g, '').trim().replace(/\s+/g, '-').slice(0, 60).toLowerCase() || 'report';
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  return `${base}-${stamp}.${format}`;
}

/**
 * A saved report downloaded as CSV or XLSX, streamed, as the caller. Audited like record exports
 * (`reports.exported`, with the rows actually sent), since the rows leave the system either way.
 */
export async function exportReport(args: { ctx: RecordContext; report: SavedReport; format: TableFormat; origin?: { ip?: string | null; userAgent?: string | null } }): Promise<Readable> {
  const { ctx, report, format } = args;
  const object = ctx.platform.registry.requireObject(report.object);
  const table = await openReportTable({ ctx, object, name: report.name, definition: report.definition });
  return streamTable({
    ...table.source,
    finish: async (rows, completed) => {
      try {
        await writeAudit(ctx.platform.db, {
          action: 'reports.exported', actor: ctx.actor, ip: args.origin?.ip ?? null, userAgent: args.origin?.userAgent ?? null,
          target: { type: 'report', id: report.id },
          details: { report: report.id, object: report.object, format, rows, completed },
        });
      } catch (error) {
        ctx.platform.logger.error({ err: error, report: report.id }, 'report export: the audit entry could not be written');
      }
    },
    onError: (error) => ctx.platform.logger.error({ err: error, report: report.id }, 'report export: the XLSX stream failed'),
  }, format);
}

/** The report as one file in memory (a scheduled e-mail's attachment), capped at `maxRows`. */
export async function reportAttachment(args: { ctx: RecordContext; object: ObjectDefinition; name: string; definition: ReportDefinition; format: TableFormat; maxRows: number }): Promise<{ content: Buffer; truncated: boolean; first: TabularAnswer | GroupedAnswer }> {
  const table = await openReportTable(args);
  const content = await tableBuffer(table.source, args.format);
  return { content, truncated: table.truncated(), first: table.first };
}
