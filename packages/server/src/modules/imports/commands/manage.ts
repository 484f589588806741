import { sql } from 'kysely';
import { AppError, validationFailed } from '../../../platform/errors.ts';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import { permissionsFor } from '../../../platform/access/policy.ts';
import { importFilePath, loadImport, type ImportRow } from '../store.ts';
import { analyseFile, SAMPLE_ROWS } from './upload.ts';
import { checkOptions, DEFAULT_OPTIONS, lookupKeys, matchKeys, sameOptions, type ImportOptions } from '../spec.ts';
import { importableFields, suggestMapping } from '../mapping/suggest.ts';
import { wakeImports } from '../engine/run.ts';
import { stopDryRun } from '../engine/dryRun.ts';
import { passProgress } from '../engine/progress.ts';
import type { ImportEncoding } from '../file/detect.ts';

export interface ImportView {
  id: string;
  object: string;
  fileName: string;
  fileBytes: number;
  format: string;
  encoding: string | null;
  delimiter: string | null;
  headers: string[];
  status: string;
  options: ImportOptions;
  progress: {
    rowsDone: number; created: number; updated: number; skipped: number; rejected: number;
    totalRows: number | null; fraction: number; rowsPerSecond: number | null; secondsLeft: number | null;
  };
  error: string | null;
  createdBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** An import as the API shows it, with its progress: rows done, speed since this run started, and time left from the share of the file read. */
export function presentImport(job: ImportRow, now = new Date()): ImportView {
  const fileBytes = Number(job.file_bytes);
  const { rowsDone: done, fraction, rowsPerSecond: rate, secondsLeft: left } = passProgress({
    running: job.status === 'running', finished: job.status === 'completed' || job.status === 'undone' || job.status === 'undoing',
    checkpoint: job.checkpoint, bytesDone: job.bytes_done, fileBytes, startedAt: job.run_started_at, startRows: job.run_start_rows,
  }, now);
  return {
    id: job.id, object: job.object, fileName: job.file_name, fileBytes, format: job.format, encoding: job.encoding, delimiter: job.delimiter,
    headers: job.headers, status: job.status, options: { ...DEFAULT_OPTIONS, columns: [], ...job.settings } as ImportOptions,
    progress: { rowsDone: done, created: job.created, updated: job.updated, skipped: job.skipped, rejected: job.rejected, totalRows: job.total_rows === null ? null : Number(job.total_rows), fraction, rowsPerSecond: rate, secondsLeft: left },
    error: job.error, createdBy: job.created_by, createdAt: iso(job.created_at)!, startedAt: iso(job.started_at), finishedAt: iso(job.finished_at),
  };
}

export interface FieldChoice {
  apiName: string;
  label: string;
  type: string;
  required: boolean;
  lookup?: { object: string; label: string; keys: string[]; nameField: string };
  values?: Array<{ value: string; label: string }>;
}

/** The wizard's mapping step: the file's first rows, the fields to choose from, and a suggestion per column (or the choices made). */
export async function getImportSetup(ctx: RecordContext, id: string): Promise<{ import: ImportView; sample: string[][]; fields: FieldChoice[]; matchKeys: string[]; suggested: Array<string | null> }> {
  const job = await loadImport(ctx, id);
  const object = ctx.platform.registry.requireObject(job.object);
  const fields = importableFields(ctx.actor, object);
  const a = await analyseFile(importFilePath(ctx.platform, job.file_key), job.file_name, { encoding: job.encoding ?? undefined, delimiter: job.delimiter ?? undefined }).catch(() => undefined);
  const saved = await sql<{ columns: Array<{ header: string; field: string | null }> }>`SELECT columns FROM import_mapping WHERE object = ${job.object} AND user_id = ${ctx.actor.userId}`.execute(ctx.platform.db);
  const suggested = suggestMapping({ headers: job.headers, fields, saved: saved.rows[0]?.columns });
  return {
    import: presentImport(job),
    sample: (a?.sample ?? []).slice(0, SAMPLE_ROWS),
    fields: fields.map((f) => fieldChoice(ctx, f)),
    matchKeys: matchKeys(object),
    suggested,
  };
}

function fieldChoice(ctx: RecordContext, f: ObjectDefinition['fields'][number]): FieldChoice {
  const parent = f.type === 'lookup' ? ctx.platform.registry.getObject(f.lookup!.object) : undefined;
  return {
    apiName: f.apiName, label: f.label, type: f.type, required: f.required,
    ...(parent ? { lookup: { object: parent.apiName, label: parent.label, keys: lookupKeys(parent), nameField: parent.nameField } } : {}),
    ...(f.picklist ? { values: f.picklist.values.filter((v) => v.active !== false).map((v) => ({ value: v.value, label: v.label })) } : {}),
  };
}

export interface ConfigureInput extends Partial<ImportOptions> {
  encoding?: ImportEncoding;
  delimiter?: string;
}

/**
 * The mapping and options step: a draft import's encoding and delimiter (the file is read again
 * with them: its columns may change), its mapping and options — checked against the metadata and
 * the user's writable fields — and the mapping kept for the next import of this object.
 */
export async function configureImport(ctx: RecordContext, id: string, input: ConfigureInput): Promise<ImportView> {
  const job = await loadImport(ctx, id);
  if (job.status !== 'draft') throw new AppError('conflict', `This import is ${job.status}: only a draft can be changed`);
  const object = ctx.platform.registry.requireObject(job.object);
  let headers = job.headers;
  let encoding = job.encoding;
  let delimiter = job.delimiter;
  if ((input.encoding && input.encoding !== job.encoding) || (input.delimiter && input.delimiter !== job.delimiter)) {
    if (job.format !== 'csv') throw validationFailed([{ field: input.encoding ? 'encoding' : 'delimiter', code: 'not_csv', message: 'Only a CSV file has an encoding and a delimiter' }]);
    const a = await analyseFile(importFilePath(ctx.platform, job.file_key), job.file_name, { encoding: input.encoding ?? job.encoding ?? undefined, delimiter: input.delimiter ?? job.delimiter ?? undefined }).catch((error: unknown) => {
      if (error instanceof AppError) throw new AppError(error.code, error.message, { errors: error.errors.map((e) => ({ ...e, field: input.encoding ? 'encoding' : 'delimiter' })) });
      throw error;
    });
    headers = a.headers;
    encoding = a.encoding;
    delimiter = a.delimiter;
  }
  const { encoding: _e, delimiter: _d, ...rest } = input;
  const previous = job.settings ?? {};
  const options: ImportOptions = { ...DEFAULT_OPTIONS, columns: [], ...previous, ...rest } as ImportOptions;
  if (headers.length !== job.headers.length && !input.columns) options.columns = [];
  if (options.columns.length) checkOptions(ctx, object, headers, options);
  await inTransaction(ctx, async (tx) => {
    await sql`UPDATE import_job SET settings = ${JSON.stringify(options)}::jsonb, headers = ${JSON.stringify(headers)}::jsonb, encoding = ${encoding}, delimiter = ${delimiter} WHERE id = ${id}`.execute(tx.trx);
    // A dry run of other options would count what this import will no longer do.
    if (!sameOptions(options, previous)) await stopDryRun(tx.trx, id);
    if (options.columns.length && ctx.actor.userId) {
      const columns = JSON.stringify(headers.map((header, i) => ({ header, field: options.columns[i]?.field ?? null })));
      await sql`INSERT INTO import_mapping (object, user_id, columns) VALUES (${job.object}, ${ctx.actor.userId}, ${columns}::jsonb)
        ON CONFLICT (object, user_id) DO UPDATE SET columns = EXCLUDED.columns, updated_at = now()`.execute(tx.trx);
    }
  });
  return presentImport(await loadImport(ctx, id));
}

/** The options of a draft that is ready to run or dry-run: mapped and valid. */
export function readyOptions(ctx: RecordContext, object: ObjectDefinition, job: ImportRow): ImportOptions {
  const options = { ...DEFAULT_OPTIONS, columns: [], ...job.settings } as ImportOptions;
  if (!options.columns.length) throw validationFailed([{ field: 'columns', code: 'required', message: 'Map the columns first (PATCH the import with its columns)' }]);
  checkOptions(ctx, object, job.headers, options);
  const perms = permissionsFor(ctx.actor, object);
  if (options.mode === 'insert' && !perms.create) throw new AppError('forbidden', `You may not create ${object.pluralLabel.toLowerCase()}`);
  if (options.mode === 'update' && !perms.edit) throw new AppError('forbidden', `You may not change ${object.pluralLabel.toLowerCase()}`);
  return options;
}

/** Starts a draft: queued, then run in the background (here at once, else by the minute job wherever jobs run). */
export async function startImport(ctx: RecordContext, id: string): Promise<ImportView> {
  await inTransaction(ctx, async (tx) => {
    const job = await loadImport(tx, id, { lock: true });
    if (job.status !== 'draft') throw new AppError('conflict', `This import is ${job.status} already`);
    readyOptions(ctx, ctx.platform.registry.requireObject(job.object), job);
    await sql`UPDATE import_job SET status = 'queued' WHERE id = ${id}`.execute(tx.trx);
    await stopDryRun(tx.trx, id);
    tx.uow.afterCommit(() => void wakeImports(ctx.platform));
  });
  return presentImport(await loadImport(ctx, id));
}

/** Cancel: a queued or running import stops after the batch in flight (its rows stay imported; undo removes them). */
export async function cancelImport(ctx: RecordContext, id: string): Promise<ImportView> {
  await inTransaction(ctx, async (tx) => {
    const job = await loadImport(tx, id, { lock: true });
    if (!['draft', 'queued', 'running'].includes(job.status)) throw new AppError('conflict', `This import is ${job.status}: there is nothing to cancel`);
    await sql`UPDATE import_job SET status = 'cancelled', finished_at = now(), lease_token = NULL, lease_until = NULL WHERE id = ${id}`.execute(tx.trx);
    await stopDryRun(tx.trx, id);
  });
  return presentImport(await loadImport(ctx, id));
}

/** Undo a finished import in the background: created records to the recycle bin, updated ones back to their previous values. */
export async function undoImport(ctx: RecordContext, id: string): Promise<ImportView> {
  await inTransaction(ctx, async (tx) => {
    const job = await loadImport(tx, id, { lock: true });
    if (!['completed', 'cancelled', 'failed'].includes(job.status)) throw new AppError('conflict', `This import is ${job.status}: only a finished import can be undone`);
    await sql`UPDATE import_job SET status = 'undoing', lease_token = NULL, lease_until = NULL, finished_at = NULL WHERE id = ${id}`.execute(tx.trx);
    tx.uow.afterCommit(() => void wakeImports(ctx.platform));
  });
  return presentImport(await loadImport(ctx, id));
}

/** The imports the user started (an administrator: everyone's), newest first. */
export async function listImports(ctx: RecordContext, args: { object?: string; limit: number }): Promise<ImportView[]> {
  const r = await sql<ImportRow>`SELECT * FROM import_job WHERE true ${ctx.actor.isAdmin ? sql`` : sql`AND created_by = ${ctx.actor.userId}`}
    ${args.object ? sql`AND object = ${args.object}` : sql``} ORDER BY created_at DESC, id DESC LIMIT ${args.limit}`.execute(ctx.platform.db);
  return r.rows.map((row) => presentImport(row));
}

/** The error report: each rejected row as it was in the file, with an Error column, as CSV lines. */
export async function* errorReport(ctx: RecordContext, id: string): AsyncGenerator<string> {
  const job = await loadImport(ctx, id);
  yield `${[...job.headers, 'Error'].map(csvCell).join(',')}\r\n`;
  let after = 0;
  for (;;) {
    const r = await sql<{ row_number: string; cells: string[]; error: string }>`SELECT row_number, cells, error FROM import_rejection
      WHERE import_id = ${id} AND row_number > ${after} ORDER BY row_number LIMIT 1000`.execute(ctx.platform.db);
    for (const row of r.rows) {
      const cells = Array.from({ length: Math.max(job.headers.length, row.cells.length) }, (_, i) => row.cells[i] ?? '');
      yield `${[...cells.slice(0, job.headers.length), row.error, ...cells.slice(job.headers.length)].map(csvCell).join(',')}\r\n`;
    }
    if (r.rows.length < 1000) return;
    after = Number(r.rows[r.rows.length - 1]!.row_number);
  }
}

/** RFC 4180 quoting: a value with a comma, quote or line break is quoted, its quotes doubled. */
function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
