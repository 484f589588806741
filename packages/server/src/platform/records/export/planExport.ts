import { sql } from 'kysely';
import { badRequest, notFound, validationFailed } from '../../errors.ts';
import type { FieldDefinition, ObjectDefinition } from '../../metadata/types.ts';
import { assertObjectPermission, readableFields } from '../../access/policy.ts';
import type { RecordContext } from '../context.ts';
import { listLinesQuery, listRows, selectFields, type RowsResult } from '../read.ts';
import { UUID_RE } from '../values.ts';
import { exportColumns, exportValue, sqlLine } from './rowCells.ts';

export type ExportFormat = 'csv' | 'xlsx';
export type ExportHeader = 'label' | 'api';

/** What the caller asks for: a saved view and/or a filter, sort and columns — the list endpoint's parameters. */
export interface ExportInput {
  format?: unknown;
  view?: unknown;
  filter?: unknown;
  sort?: unknown;
  fields?: unknown;
  header?: unknown;
}

/** An export checked and started: the first page is read before anything is sent, so bad input answers 400. */
export interface ExportPlan {
  ctx: RecordContext;
  object: ObjectDefinition;
  format: ExportFormat;
  header: ExportHeader;
  columns: FieldDefinition[];
  filter: unknown;
  sort: string | undefined;
  viewId: string | null;
  pageSize: number;
  /** CSV whose every line PostgreSQL writes (sqlLine): each page's rows are `{ line }`. */
  lines: boolean;
  /**
   * Those lines streamed by one COPY statement (copyLines) instead of keyset pages: on PostgreSQL,
   * outside a caller's transaction (COPY runs on a connection of its own). `first` is then only the
   * check that the query runs (one row), so bad input still answers before the file starts.
   */
  copy: boolean;
  first: RowsResult;
}

/** Rows per keyset page: large enough that round trips do not dominate, small enough that memory stays flat. */
export const EXPORT_PAGE_SIZE = 2000;

/** System fields an export leaves out unless asked for: the optimistic-lock counter and the bin marker. */
const LEFT_OUT = new Set(['version', 'deleted_at']);

interface ViewRow {
  id: string;
  object: string;
  filter: unknown;
  sort: string | null;
  columns: string[];
}

async function loadView(ctx: RecordContext, object: ObjectDefinition, id: unknown): Promise<ViewRow | null> {
  if (id === undefined || id === null || id === '') return null;
  if (typeof id !== 'string' || !UUID_RE.test(id)) throw notFound('View');
  // The caller's own views and shared ones, as the views list answers them.
  const r = await sql<ViewRow>`SELECT id, object, filter, sort, columns FROM list_view WHERE id = ${id} AND (owner_id = ${ctx.actor.userId} OR shared)`.execute(ctx.platform.db);
  const view = r.rows[0];
  if (!view) throw notFound('View');
  if (view.object !== object.apiName) throw validationFailed([{ field: 'view', code: 'invalid', message: `The view lists ${view.object}, not ${object.apiName}` }]);
  return view;
}

function parseFieldList(value: unknown): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : null;
  if (!list || list.length > 200 || list.some((v) => typeof v !== 'string')) throw validationFailed([{ field: 'fields', code: 'type', message: 'A comma-separated list of field names' }]);
  return (list as string[]).map((s) => s.trim()).filter(Boolean);
}

/**
 * Checks an export request and reads its first page. The rows are exactly the list endpoint's:
 * the view's filter AND the caller's, the same sort, the caller's record visibility, and only
 * fields their profile lets them read (a hidden field asked for by name is refused like in a list).
 */
export async function planExport(args: { ctx: RecordContext; object: ObjectDefinition; input: ExportInput; pageSize?: number }): Promise<ExportPlan> {
  const { ctx, object, input } = args;
  const pageSize = args.pageSize ?? EXPORT_PAGE_SIZE;
  assertObjectPermission(ctx.actor, object, 'read');
  const format = input.format ?? 'csv';
  if (format !== 'csv' && format !== 'xlsx') throw validationFailed([{ field: 'format', code: 'invalid_choice', message: "'csv' or 'xlsx'" }]);
  const header = input.header ?? 'label';
  if (header !== 'label' && header !== 'api') throw validationFailed([{ field: 'header', code: 'invalid_choice', message: "'label' (field labels, lookups by name) or 'api' (API names, lookups by id)" }]);
  if (input.sort !== undefined && input.sort !== null && typeof input.sort !== 'string') throw badRequest('sort must be a string', [{ field: 'sort', code: 'type', message: 'e.g. sort=-amount,name' }]);
  const view = await loadView(ctx, object, input.view);
  const filters = [view?.filter, input.filter].filter((f) => f !== undefined && f !== null);
  const filter = filters.length === 2 ? { and: filters } : filters[0];
  const sort = (input.sort as string | undefined) || view?.sort || undefined;
  const asked = parseFieldList(input.fields);
  const readable = new Set(readableFields(ctx.actor, object).map((f) => f.apiName));
  // A shared view may name a column this caller's profile hides: it is left out, not refused.
  const requested = asked ?? (view?.columns.length ? view.columns.filter((c) => readable.has(c)) : undefined);
  const selected = selectFields(ctx, object, requested);
  const columns = requested
    ? ['id', ...requested.filter((n) => n !== 'id')].map((n) => selected.find((f) => f.apiName === n)!).filter(Boolean)
    : selected.filter((f) => !LEFT_OUT.has(f.apiName));
  const lines = format === 'csv' && sqlLine(exportColumns(columns, header === 'label')) !== null;
  // A caller that sets the page size asks for keyset pages (the paging tests), so it gets them.
  const copy = lines && ctx.platform.database.kind === 'postgres' && !!ctx.platform.database.connectionString && !ctx.trx && !args.pageSize;
  const first = await readExportPage({ ctx, object, filter, sort, columns, pageSize: copy ? 1 : pageSize, lines: lines ? header : undefined });
  return { ctx, object, format, header, columns, filter, sort, viewId: view?.id ?? null, pageSize, lines, copy, first };
}

/**
 * One keyset page of an export: the list's query (its access condition, readable fields, filter,
 * sort and cursor — listRows) with the plain columns formatted as text by PostgreSQL, or with
 * `lines` (the CSV's header kind) each row's whole CSV line written by PostgreSQL.
 */
export function readExportPage(args: { ctx: RecordContext; object: ObjectDefinition; filter: unknown; sort: string | undefined; columns: FieldDefinition[]; pageSize: number; cursor?: string; lines?: ExportHeader }): Promise<RowsResult> {
  const { ctx, object, filter, sort, columns, pageSize, cursor } = args;
  const select = (args.lines && sqlLine(exportColumns(columns, args.lines === 'label'))) || { format: exportValue };
  return listRows({ ctx, object, filter, sort, fields: columns.map((f) => f.apiName), limit: pageSize, maxLimit: pageSize, cursor, ...select });
}

/** The export's every line in one statement (listLinesQuery: the page query's rules without cursor or limit), for COPY. */
export function exportLinesQuery(plan: ExportPlan) {
  const select = sqlLine(exportColumns(plan.columns, plan.header === 'label'));
  if (!select?.join) throw new Error('exportLinesQuery: the export has a column PostgreSQL cannot write');
  return listLinesQuery({ ctx: plan.ctx, object: plan.object, filter: plan.filter, sort: plan.sort, fields: plan.columns.map((f) => f.apiName), limit: 1, ...select, join: select.join });
}
