import { sql } from 'kysely';
import { AppError, isRetryable } from '../../../platform/errors.ts';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import { UnitOfWork, type TxContext } from '../../../platform/records/context.ts';
import { createRecord, createRecords, updateRecord } from '../../../platform/records/write.ts';
import { getRecord, listRecords } from '../../../platform/records/read.ts';
import { UUID_RE } from '../../../platform/records/values.ts';
import { parseCell } from '../mapping/values.ts';
import { fieldOf, type ImportOptions } from '../spec.ts';

export interface SourceRow {
  /** 1 = the first row under the header. */
  n: number;
  cells: string[];
}

export type Outcome = 'created' | 'updated' | 'skipped' | 'rejected';

export interface RowOutcome {
  row: number;
  outcome: Outcome;
  recordId?: string;
  error?: string;
}

export interface Effect {
  row: number;
  object: string;
  recordId: string;
  action: 'created' | 'updated';
  /** updated: the changed fields' values before the import (undo puts them back). */
  before?: Record<string, unknown>;
}

export interface BatchResult {
  outcomes: RowOutcome[];
  effects: Effect[];
}

interface Pending {
  row: SourceRow;
  input: Record<string, unknown>;
  /** update/upsert: the record the row changes. */
  matchId?: string;
  error?: string;
}

const LIST_CHUNK = 100;

/**
 * Records whose `key` is one of `values`, through the record service (the user's access), into
 * `found` by the lower-cased key: each value is asked as written and in lower case (e-mails are
 * usually stored so), every page read (a name may match many records).
 */
async function findByKey(ctx: TxContext, object: ObjectDefinition, key: string, values: string[], found: Map<string, string[]>): Promise<void> {
  for (let i = 0; i < values.length; i += LIST_CHUNK) {
    const chunk = values.slice(i, i + LIST_CHUNK);
    const probe = [...new Set(chunk.flatMap((v) => [v, v.toLowerCase()]))];
    let cursor: string | undefined;
    do {
      const r = await listRecords({ ctx, object, filter: { field: key, op: 'in', value: probe }, fields: [key], limit: 200, cursor });
      for (const rec of r.data) {
        const k = String(rec[key] ?? '').toLowerCase();
        const ids = found.get(k) ?? [];
        if (!ids.includes(rec.id)) found.set(k, [...ids, rec.id]);
      }
      cursor = r.nextCursor ?? undefined;
    } while (cursor);
  }
}

/**
 * Whether a failed write refuses the row (it goes to the error report) rather than the batch.
 * A deadlock or serialisation failure says nothing about the row — the same write again may pass,
 * and in an import writing two batches at a time it is the later batch that must give way — so
 * it fails the batch, which is written again.
 */
function isRowRefusal(error: unknown): error is AppError {
  return error instanceof AppError && !isRetryable(error);
}

/** A refused write as one line for the error report: the problem's field errors, else its message. */
export function describeError(object: ObjectDefinition, error: AppError): string {
  const parts = error.errors.filter((e) => e.message).map((e) => {
    const f = e.field ? fieldOf(object, e.field.replace(/^records\[\d+\]\./, '')) : undefined;
    return `${f ? f.label : e.field}${e.field ? ': ' : ''}${e.message}`;
  });
  return parts.length ? parts.join('; ') : error.message;
}

/**
 * One batch of rows through the record pipeline, in the caller's transaction: cells parsed per
 * field type, lookups resolved (parents created when asked), records matched for update and
 * upsert, then the writes — creates together through createRecords (one refused record sends
 * the batch one row at a time, each under its own savepoint, so a refused row leaves nothing
 * behind) and updates one by one with their previous values kept for undo. Duplicates found by
 * the duplicate rules are skipped, update their match, or are created anyway, as chosen.
 *
 * A parent created for rows that were all refused or skipped afterwards (an account made for a
 * contact whose e-mail is invalid) must not stay behind: the attempt is then undone (savepoint)
 * and the batch runs again without those rows, which keep the outcome and reason they got.
 */
export async function processBatch(ctx: TxContext, object: ObjectDefinition, options: ImportOptions, rows: SourceRow[]): Promise<BatchResult> {
  await sql`SAVEPOINT import_attempt`.execute(ctx.trx);
  const uow = new UnitOfWork();
  const first = await attemptBatch({ ...ctx, uow }, object, options, rows);
  const kept = new Set(first.outcomes.filter((o) => o.outcome === 'created' || o.outcome === 'updated').map((o) => o.row));
  const orphanRows = new Set<number>();
  for (const using of first.parentRows.values()) if (!using.some((n) => kept.has(n))) for (const n of using) orphanRows.add(n);
  if (!orphanRows.size) {
    await sql`RELEASE SAVEPOINT import_attempt`.execute(ctx.trx);
    uow.transferTo(ctx.uow);
    return { outcomes: first.outcomes, effects: first.effects };
  }
  await sql`ROLLBACK TO SAVEPOINT import_attempt`.execute(ctx.trx);
  await sql`RELEASE SAVEPOINT import_attempt`.execute(ctx.trx);
  const again = await attemptBatch(ctx, object, options, rows.filter((r) => !orphanRows.has(r.n)));
  const byRow = new Map([...first.outcomes.filter((o) => orphanRows.has(o.row)), ...again.outcomes].map((o) => [o.row, o]));
  return { outcomes: rows.map((r) => byRow.get(r.n)!).filter(Boolean), effects: again.effects };
}

async function attemptBatch(ctx: TxContext, object: ObjectDefinition, options: ImportOptions, rows: SourceRow[]): Promise<BatchResult & { parentRows: Map<string, number[]> }> {
  const outcomes = new Map<number, RowOutcome>();
  const effects: Effect[] = [];
  const parentRows = new Map<string, number[]>();
  const reject = (p: Pending, error: string) => {
    p.error = error;
    outcomes.set(p.row.n, { row: p.row.n, outcome: 'rejected', error });
  };
  const pending = rows.map((row) => toInput(object, options, row));
  for (const p of pending) if (p.error) reject(p, p.error);
  await resolveLookups(ctx, object, options, pending.filter((p) => !p.error), effects, reject, parentRows);
  const live = pending.filter((p) => !p.error);
  if (options.mode !== 'insert') await matchRecords(ctx, object, options, live, reject);
  const creates = live.filter((p) => !p.error && !p.matchId);
  const updates = live.filter((p) => !p.error && p.matchId);
  await writeCreates(ctx, object, options, creates, outcomes, effects, reject);
  for (const p of updates) await writeUpdate(ctx, object, p, p.matchId!, outcomes, effects, reject);
  return { outcomes: rows.map((r) => outcomes.get(r.n)!).filter(Boolean), effects, parentRows };
}

/** The row's cells as record input (lookups still as the file's text, under `\0lookup:<field>`). */
function toInput(object: ObjectDefinition, options: ImportOptions, row: SourceRow): Pending {
  const input: Record<string, unknown> = {};
  const p: Pending = { row, input };
  // U+FFFD is what the decoder made of bytes invalid in the chosen encoding: a file mixing encodings.
  if (row.cells.some((c) => c.includes('\uFFFD'))) {
    p.error = 'The row has bytes that are not text in the file’s encoding (the file mixes encodings): fix the row, or choose another encoding';
    return p;
  }
  for (const [i, c] of options.columns.entries()) {
    if (!c.field) continue;
    const text = row.cells[i] ?? '';
    if (text.trim() === '') continue; // an empty cell sets nothing (an update keeps the value)
    if (c.field === 'id') {
      input.id = text.trim();
      continue;
    }
    const f = fieldOf(object, c.field);
    if (!f) continue;
    if (f.type === 'lookup') {
      input[c.field] = { lookup: text.trim() };
      continue;
    }
    const parsed = parseCell(f, text, options, options.picklistValues[f.apiName]);
    if (!parsed.ok) {
      p.error = `${f.label}: ${parsed.message}`;
      return p;
    }
    input[f.apiName] = parsed.value;
  }
  return p;
}

/**
 * Lookup cells → parent ids, one query per lookup column and LIST_CHUNK names, with the user's
 * access. `parentRows`: each parent created here → the rows linked to it.
 */
async function resolveLookups(ctx: TxContext, object: ObjectDefinition, options: ImportOptions, rows: Pending[], effects: Effect[], reject: (p: Pending, e: string) => void, parentRows: Map<string, number[]>) {
  for (const c of options.columns) {
    const f = c.field ? fieldOf(object, c.field) : undefined;
    if (!f || f.type !== 'lookup') continue;
    const parent = ctx.platform.registry.requireObject(f.lookup!.object);
    const key = c.lookupField ?? parent.nameField;
    const wanted = [...new Set(rows.filter((p) => !p.error && p.input[f.apiName]).map((p) => (p.input[f.apiName] as { lookup: string }).lookup))];
    const found = new Map<string, string[]>();
    if (key === 'id') {
      for (const v of wanted) if (UUID_RE.test(v)) found.set(v.toLowerCase(), [v.toLowerCase()]);
    } else {
      await findByKey(ctx, parent, key, wanted, found);
    }
    const keyLabel = fieldOf(parent, key)?.label ?? key;
    for (const p of rows) {
      if (p.error || !p.input[f.apiName]) continue;
      const text = (p.input[f.apiName] as { lookup: string }).lookup;
      let ids = found.get(text.toLowerCase());
      if (!ids && c.createParent) {
        const made = await createParent(ctx, parent, key, text, p.row.n, effects);
        if (typeof made !== 'string') {
          reject(p, `${f.label}: could not create ${parent.label.toLowerCase()} '${text.slice(0, 80)}': ${made.error}`);
          continue;
        }
        ids = [made];
        found.set(text.toLowerCase(), ids);
        parentRows.set(made, []);
      }
      if (!ids) reject(p, `${f.label}: no ${parent.label.toLowerCase()} with ${keyLabel} '${text.slice(0, 80)}'`);
      else if (ids.length > 1) reject(p, `${f.label}: ${ids.length} ${parent.pluralLabel.toLowerCase()} have ${keyLabel} '${text.slice(0, 80)}'`);
      else {
        p.input[f.apiName] = ids[0];
        parentRows.get(ids[0]!)?.push(p.row.n);
      }
    }
  }
}

async function createParent(ctx: TxContext, parent: ObjectDefinition, key: string, text: string, row: number, effects: Effect[]): Promise<string | { error: string }> {
  const uow = new UnitOfWork();
  await sql`SAVEPOINT import_parent`.execute(ctx.trx);
  try {
    // A parent named in the file is the one meant: the duplicate rules do not stop it.
    const r = await createRecord({ ctx: { ...ctx, uow }, object: parent, input: { [key]: text }, options: { allowDuplicate: true } });
    await sql`RELEASE SAVEPOINT import_parent`.execute(ctx.trx);
    ctx.uow.afterCommit(() => uow.flush((e) => ctx.platform.logger.error({ err: e }, 'after-commit hook failed')));
    effects.push({ row, object: parent.apiName, recordId: r.id, action: 'created' });
    return r.id;
  } catch (error) {
    await sql`ROLLBACK TO SAVEPOINT import_parent`.execute(ctx.trx);
    if (!isRowRefusal(error)) throw error;
    return { error: describeError(parent, error) };
  }
}

/** update/upsert: the record each row changes, by the match field, among the records the user may see. */
async function matchRecords(ctx: TxContext, object: ObjectDefinition, options: ImportOptions, rows: Pending[], reject: (p: Pending, e: string) => void) {
  const key = options.matchField!;
  const label = fieldOf(object, key)?.label ?? key;
  const found = new Map<string, string[]>();
  const values = [...new Set(rows.map((p) => p.input[key]).filter((v): v is string => typeof v === 'string' && v !== ''))];
  if (key === 'id') {
    for (const v of values) if (UUID_RE.test(v)) found.set(v.toLowerCase(), [v.toLowerCase()]);
  } else {
    await findByKey(ctx, object, key, values, found);
  }
  for (const p of rows) {
    const v = p.input[key];
    if (typeof v !== 'string' || v === '') {
      reject(p, `${label} is empty: the row cannot be matched`);
      continue;
    }
    const ids = found.get(v.toLowerCase());
    if (ids && ids.length > 1) reject(p, `${ids.length} records have ${label} '${v.slice(0, 80)}'`);
    else if (ids) p.matchId = ids[0];
    else if (options.mode === 'update') reject(p, `No ${object.label.toLowerCase()} with ${label} '${v.slice(0, 80)}'`);
    if (key === 'id') delete p.input.id;
  }
}

async function writeCreates(ctx: TxContext, object: ObjectDefinition, options: ImportOptions, rows: Pending[], outcomes: Map<number, RowOutcome>, effects: Effect[], reject: (p: Pending, e: string) => void) {
  if (!rows.length) return;
  const allowDuplicate = options.duplicates === 'create';
  if (rows.length > 1) {
    // The usual case: every row valid — one createRecords for the batch (shared statements).
    const uow = new UnitOfWork();
    await sql`SAVEPOINT import_batch`.execute(ctx.trx);
    try {
      const made = await createRecords({ ctx: { ...ctx, uow }, object, records: rows.map((p) => ({ input: p.input, options: { allowDuplicate } })) });
      await sql`RELEASE SAVEPOINT import_batch`.execute(ctx.trx);
      ctx.uow.afterCommit(() => uow.flush((e) => ctx.platform.logger.error({ err: e }, 'after-commit hook failed')));
      made.forEach((r, i) => {
        outcomes.set(rows[i]!.row.n, { row: rows[i]!.row.n, outcome: 'created', recordId: r.id });
        effects.push({ row: rows[i]!.row.n, object: object.apiName, recordId: r.id, action: 'created' });
      });
      return;
    } catch (error) {
      await sql`ROLLBACK TO SAVEPOINT import_batch`.execute(ctx.trx);
      if (!isRowRefusal(error)) throw error;
    }
  }
  for (const p of rows) {
    const uow = new UnitOfWork();
    await sql`SAVEPOINT import_row`.execute(ctx.trx);
    try {
      const r = await createRecord({ ctx: { ...ctx, uow }, object, input: p.input, options: { allowDuplicate } });
      await sql`RELEASE SAVEPOINT import_row`.execute(ctx.trx);
      ctx.uow.afterCommit(() => uow.flush((e) => ctx.platform.logger.error({ err: e }, 'after-commit hook failed')));
      outcomes.set(p.row.n, { row: p.row.n, outcome: 'created', recordId: r.id });
      effects.push({ row: p.row.n, object: object.apiName, recordId: r.id, action: 'created' });
    } catch (error) {
      await sql`ROLLBACK TO SAVEPOINT import_row`.execute(ctx.trx);
      if (!isRowRefusal(error)) throw error;
      if (error.code === 'duplicate' && options.duplicates === 'skip') {
        outcomes.set(p.row.n, { row: p.row.n, outcome: 'skipped', error: error.message });
      } else if (error.code === 'duplicate' && options.duplicates === 'update') {
        const match = (error.extra.candidates as Array<{ id: string }> | undefined)?.[0]?.id;
        if (match) await writeUpdate(ctx, object, p, match, outcomes, effects, reject);
        else reject(p, error.message);
      } else {
        reject(p, describeError(object, error));
      }
    }
  }
}

async function writeUpdate(ctx: TxContext, object: ObjectDefinition, p: Pending, id: string, outcomes: Map<number, RowOutcome>, effects: Effect[], reject: (p: Pending, e: string) => void) {
  const uow = new UnitOfWork();
  await sql`SAVEPOINT import_row`.execute(ctx.trx);
  try {
    const fields = Object.keys(p.input).filter((k) => k !== 'id');
    const previous = await getRecord({ ctx, object, id, fields });
    // A duplicate found while updating is the record the row means: the rules do not stop it.
    await updateRecord({ ctx: { ...ctx, uow }, object, id, input: p.input, options: { allowDuplicate: true } });
    await sql`RELEASE SAVEPOINT import_row`.execute(ctx.trx);
    ctx.uow.afterCommit(() => uow.flush((e) => ctx.platform.logger.error({ err: e }, 'after-commit hook failed')));
    const before = Object.fromEntries(fields.map((k) => [k, previous[k] ?? null]));
    outcomes.set(p.row.n, { row: p.row.n, outcome: 'updated', recordId: id });
    effects.push({ row: p.row.n, object: object.apiName, recordId: id, action: 'updated', before });
  } catch (error) {
    await sql`ROLLBACK TO SAVEPOINT import_row`.execute(ctx.trx);
    if (!isRowRefusal(error)) throw error;
    reject(p, describeError(object, error));
  }
}
