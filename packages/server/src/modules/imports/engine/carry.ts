import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import { fieldOf, type ImportOptions } from '../spec.ts';
import type { RowOutcome, SourceRow } from './batch.ts';

/**
 * A whole-file dry run tries each batch in a transaction it rolls back, so batch k does not see
 * the records batches 1…k-1 would have created — the real run does. What a later row's outcome
 * depends on through those records is its identifying values, so the dry run keeps them
 * (import_dry_run_key) and corrects the outcome of a row the batch says it would create:
 *
 * - `match`: upsert, the match field — the run finds the earlier row's record: updated (two or
 *   more earlier records with the value: rejected, as matchRecords refuses an ambiguous match);
 * - `unique`: a unique or external id field — the run's insert breaks the unique index: rejected;
 * - `email`: an e-mail field — the duplicate rules match the earlier record: skipped, updated or
 *   created as the import's duplicates option says.
 *
 * Approximated (docs/imports.md): e-mails count as a duplicate rule's key on every object (the
 * standard contact and lead rules are); rules on other keys (phones, company names, websites,
 * similar names) and lookups naming a record an earlier batch creates are not carried.
 */
export type CarryKind = 'match' | 'unique' | 'email';

export interface CarryKey {
  column: number;
  field: string;
  label: string;
  kind: CarryKind;
}

export function carryKeys(object: ObjectDefinition, options: ImportOptions): CarryKey[] {
  const keys: CarryKey[] = [];
  options.columns.forEach((c, column) => {
    if (!c.field || c.field === 'id') return;
    const f = fieldOf(object, c.field);
    if (!f || f.type === 'lookup') return;
    const kind: CarryKind | undefined = options.mode === 'upsert' && options.matchField === f.apiName ? 'match'
      : f.unique || f.externalId ? 'unique'
      : f.type === 'email' ? 'email' : undefined;
    if (kind) keys.push({ column, field: f.apiName, label: f.label, kind });
  });
  return keys;
}

/** Longer values are not carried: no field keeps them (the row is refused), and an index entry must stay small. */
const MAX_KEY_CHARS = 1000;

/** The value a key compares by: e-mails and match fields ignore case (as their lookups do). */
function keyValue(key: CarryKey, row: SourceRow): string {
  const v = (row.cells[key.column] ?? '').trim();
  if (v.length > MAX_KEY_CHARS) return '';
  return key.kind === 'unique' ? v : v.toLowerCase();
}

const ORDER: Record<CarryKind, number> = { match: 0, unique: 1, email: 2 };

/**
 * Corrects the batch's outcomes with the keys of earlier batches' would-be creations, then
 * records the keys of the rows still created. Answers the outcomes and how many changed.
 */
export async function carryOutcomes(db: Kysely<any> | Transaction<any>, importId: string, keys: CarryKey[], options: ImportOptions, rows: SourceRow[], outcomes: RowOutcome[]): Promise<{ outcomes: RowOutcome[]; changed: number; created: Array<{ field: string; value: string; row: number }> }> {
  if (!keys.length) return { outcomes, changed: 0, created: [] };
  const byRow = new Map(rows.map((r) => [r.n, r]));
  const probe = new Map<string, Set<string>>();
  for (const o of outcomes) {
    if (o.outcome !== 'created') continue;
    for (const k of keys) {
      const v = keyValue(k, byRow.get(o.row)!);
      if (v) (probe.get(k.field) ?? probe.set(k.field, new Set()).get(k.field)!).add(v);
    }
  }
  const earlier = new Map<string, { row: number; hits: number }>();
  for (const [field, values] of probe) {
    const r = await sql<{ value: string; row_number: string; hits: number }>`SELECT value, row_number, hits FROM import_dry_run_key
      WHERE import_id = ${importId} AND field = ${field} AND value = ANY(${[...values]}::text[])`.execute(db);
    for (const x of r.rows) earlier.set(`${field}\0${x.value}`, { row: Number(x.row_number), hits: x.hits });
  }
  let changed = 0;
  const created: Array<{ field: string; value: string; row: number }> = [];
  const sorted = [...keys].sort((a, b) => ORDER[a.kind] - ORDER[b.kind]);
  const result = outcomes.map((o) => {
    if (o.outcome !== 'created') return o;
    const row = byRow.get(o.row)!;
    for (const k of sorted) {
      const v = keyValue(k, row);
      const hit = v ? earlier.get(`${k.field}\0${v}`) : undefined;
      if (!hit) continue;
      const fixed = correct(k, hit, v, o.row, options);
      if (fixed) {
        changed++;
        return fixed;
      }
    }
    for (const k of keys) {
      const v = keyValue(k, row);
      if (v) created.push({ field: k.field, value: v, row: o.row });
    }
    return o;
  });
  return { outcomes: result, changed, created };
}

function correct(k: CarryKey, hit: { row: number; hits: number }, value: string, row: number, options: ImportOptions): RowOutcome | undefined {
  const shown = value.slice(0, 80);
  if (k.kind === 'match') {
    if (hit.hits > 1) return { row, outcome: 'rejected', error: `${hit.hits} records would have ${k.label} '${shown}' (rows of this file from ${hit.row} on)` };
    return { row, outcome: 'updated', error: `Updates the record row ${hit.row} of this file creates` };
  }
  if (k.kind === 'unique') return { row, outcome: 'rejected', error: `${k.label}: '${shown}' is already used by row ${hit.row} of this file` };
  if (options.duplicates === 'skip') return { row, outcome: 'skipped', error: `A duplicate of row ${hit.row} of this file (${k.label})` };
  if (options.duplicates === 'update') return { row, outcome: 'updated', error: `Updates the record row ${hit.row} of this file creates (${k.label})` };
  return undefined;
}

/** Keeps the keys of the rows a batch would create (in the batch's save transaction): the first row wins, later ones count. */
export async function saveCarriedKeys(trx: Transaction<any>, importId: string, created: Array<{ field: string; value: string; row: number }>): Promise<void> {
  if (!created.length) return;
  await sql`INSERT INTO import_dry_run_key (import_id, field, value, row_number, hits)
    SELECT ${importId}::uuid, k.field, k.value, min(k.row_number), count(*)::int
    FROM jsonb_to_recordset(${JSON.stringify(created.map((c) => ({ field: c.field, value: c.value, row_number: c.row })))}::jsonb) AS k(field text, value text, row_number bigint)
    GROUP BY k.field, k.value
    ON CONFLICT (import_id, field, value) DO UPDATE SET hits = import_dry_run_key.hits + EXCLUDED.hits`.execute(trx);
}
