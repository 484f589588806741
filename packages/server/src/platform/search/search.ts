import { createHash } from 'node:crypto';
import type pg from 'pg';
import { sql, type CompiledQuery, type RawBuilder } from 'kysely';
import { badRequest } from '../errors.ts';
import { inTransaction, type RecordContext } from '../records/context.ts';
import { permissionsFor, readableFields, visibilityCondition } from '../access/policy.ts';
import { recordName } from '../records/serialize.ts';
import { fromDb } from '../records/values.ts';
import { searchableFields, searchText, searchVector } from './indexes.ts';
import type { FieldDefinition, ObjectDefinition } from '../metadata/types.ts';

/** How many indexed matches per object are ranked for the top results. */
const CANDIDATES = 200;

export interface SearchGroup {
  object: string;
  label: string;
  records: Array<{ id: string; name: string; snippet: string | null; score: number }>;
}

/**
 * Searches every object the actor may read and navigates to (or the objects named): full-text
 * word matches rank first, then trigram word similarity catches typos ("nortwind" finds
 * "Northwind"). One statement for all objects, an indexed query per object with the record
 * visibility compiled in; hidden fields are neither searched nor shown.
 */
export async function searchRecords(args: { ctx: RecordContext; query: unknown; perObject?: number; objects?: string[] }): Promise<SearchGroup[]> {
  const built = buildSearch(args);
  if (!built) return [];
  const pool = args.ctx.platform.database.searchPool ?? args.ctx.platform.database.pool;
  // On PostgreSQL, outside a caller's transaction, the statement is a named (prepared) one on
  // its connection: planning the union of two dozen objects cost as much as running it (26 ms
  // of 47 on a million contacts), and its text is the same for every search of one profile.
  const rows = pool && !args.ctx.trx
    ? await runPrepared(pool, built.statement.compile(args.ctx.platform.db))
    : await inTransaction(args.ctx, async (ctx) => {
        await sql.raw(SEARCH_SETTINGS).execute(ctx.trx);
        return (await built.statement.execute(ctx.trx)).rows;
      });
  return groupRows(built, rows);
}

// A little more tolerant than pg_trgm's default (0.6): one typo in a short word still matches.
// Every search condition has an index (indexes.ts). With LIMIT on a condition it expects to
// match thousands of rows, the planner prefers a sequential scan that "stops early" — and
// when nothing matches (a typo, a word in no deal's name) it reads the whole table and runs
// the similarity on every row: 3.5 s on a million opportunities instead of 19 ms through
// the trigram index. An object searched without its index (a hidden searchable field, below)
// is still scanned: the setting makes a sequential scan the last resort, not impossible.
// All for the search's transaction only (set_config's third argument), in one round trip; the
// prepared statement keeps its generic plan (made under these settings) instead of re-planning.
const SEARCH_SETTINGS = `SELECT set_config('pg_trgm.word_similarity_threshold', '0.5', true), set_config('enable_seqscan', 'off', true),
  set_config('plan_cache_mode', 'force_generic_plan', true)`;

type SearchRow = { object: string; id: string; __name: string | null; snippets: Array<string | null>; score: number };

async function runPrepared(pool: pg.Pool, compiled: CompiledQuery): Promise<SearchRow[]> {
  const client = await pool.connect();
  let failed: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query(SEARCH_SETTINGS);
    // The name is the text's hash: one prepared statement per distinct search shape (profile,
    // readable fields, objects) on each pooled connection, freed when the pool closes it.
    const name = `meridian_search_${createHash('sha1').update(compiled.sql).digest('hex').slice(0, 20)}`;
    const r = await client.query<SearchRow>({ name, text: compiled.sql, values: [...compiled.parameters] });
    await client.query('COMMIT');
    return r.rows;
  } catch (error) {
    failed = error as Error;
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    // A connection that failed mid-statement is not handed to the next caller.
    client.release(failed);
  }
}

interface BuiltSearch {
  statement: RawBuilder<SearchRow>;
  q: string;
  searched: Map<string, { object: ObjectDefinition; snippetFields: FieldDefinition[] }>;
}

/** Checks the query and builds the one statement (null when the actor can search nothing). */
function buildSearch(args: { ctx: RecordContext; query: unknown; perObject?: number; objects?: string[] }): BuiltSearch | null {
  const { ctx } = args;
  if (typeof args.query !== 'string' || !args.query.trim()) throw badRequest('Type something to search for', [{ field: 'q', code: 'required', message: 'A search text is required' }]);
  const q = args.query.trim().toLowerCase().slice(0, 200);
  if (q.includes('\u0000')) throw badRequest('Invalid search text', [{ field: 'q', code: 'invalid', message: 'Must not contain NUL characters' }]);
  const limit = Math.min(Math.max(args.perObject ?? 5, 1), 50);
  const registry = ctx.platform.registry;
  const like = `%${q.replace(/[\\%_]/g, '\\$&')}%`;
  const parts: Array<ReturnType<typeof sql>> = [];
  const searched = new Map<string, { object: ObjectDefinition; snippetFields: FieldDefinition[] }>();
  for (const object of registry.listObjects()) {
    // Named objects (a record picker's lookup) are searched whatever they are; otherwise the
    // objects people navigate to. Junction and configuration objects (inNavigation: false: quote
    // lines, stages, tax rates) are reached from their parents, and each object searched is one
    // more part of the statement to plan — planning fifty took 190 ms on a loaded machine.
    if (args.objects ? !args.objects.includes(object.apiName) : !object.inNavigation) continue;
    if (!permissionsFor(ctx.actor, object).read) continue;
    const readable = new Set(readableFields(ctx.actor, object).map((f) => f.apiName));
    const visibleObject = { ...object, fields: object.fields.filter((f) => readable.has(f.apiName)) };
    const fields = searchableFields(object);
    // Searching a hidden field would reveal its content; objects whose index covers one search
    // only their name field (no index, but hidden fields are rare and lists short).
    const allVisible = fields.every((f) => readable.has(f.apiName));
    const text = allVisible ? searchText(object, 't0') : searchText({ ...visibleObject, fields: searchableFields(visibleObject) }, 't0');
    if (!text) continue;
    const nameField = registry.getField(object, object.nameField)!;
    const visible = visibilityCondition(ctx.actor, object, 't0');
    const snippetFields = searchableFields(visibleObject).filter((f) => f.apiName !== object.nameField).slice(0, 4);
    searched.set(object.apiName, { object, snippetFields });
    // Ranking every match of a common word ("smith" on a million contacts) costs seconds, so the
    // best matches are chosen among the first CANDIDATES found through the indexes: whole-word
    // matches first (the full-text index), and only when those are fewer than asked for, typos
    // and parts of words (the trigram index — whose bitmap for a common word covers much of the
    // table, so it is not built when the words alone answer). The second scan sits behind a
    // one-time filter on the first's count, which PostgreSQL evaluates before starting it.
    const base = sql`FROM ${sql.table(object.table)} AS t0 WHERE t0.deleted_at IS NULL ${visible ? sql`AND ${visible}` : sql``}`;
    parts.push(sql`(WITH w AS MATERIALIZED (
        SELECT t0.* ${base} AND ${searchVector(text)} @@ plainto_tsquery('simple', ${q}) LIMIT ${CANDIDATES}),
      f AS MATERIALIZED (
        SELECT t0.* ${base} AND (${q} <% ${text} OR ${text} LIKE ${like})
          AND (SELECT count(*) FROM w) < ${limit} AND t0.id NOT IN (SELECT id FROM w) LIMIT ${CANDIDATES}),
      c AS (SELECT * FROM w UNION ALL SELECT * FROM f)
      SELECT ${object.apiName}::text AS object, t0.id::text AS id, ${sql.ref(`t0.${nameField.column}`)}::text AS __name,
        ARRAY[${snippetFields.length ? sql.join(snippetFields.map((f) => sql`${sql.ref(`t0.${f.column}`)}::text`)) : sql``}]::text[] AS snippets,
        (ts_rank(${searchVector(text)}, plainto_tsquery('simple', ${q})) + word_similarity(${q}, ${text}))::float8 AS score
      FROM c AS t0
      ORDER BY score DESC, t0.id LIMIT ${limit})`);
  }
  if (!parts.length) return null;
  // One statement for every object (a UNION ALL of the per-object queries): one round trip
  // instead of one per object, which at thirty-odd objects was most of a search's time.
  return { statement: sql<SearchRow>`${sql.join(parts, sql` UNION ALL `)}`, q, searched };
}

function groupRows({ q, searched }: BuiltSearch, rows: SearchRow[]): SearchGroup[] {
  const groups = new Map<string, SearchGroup>();
  for (const row of [...rows].sort((a, b) => Number(b.score) - Number(a.score) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const { object, snippetFields } = searched.get(row.object)!;
    const group = groups.get(row.object) ?? { object: object.apiName, label: object.pluralLabel, records: [] };
    groups.set(row.object, group);
    const first = q.split(/\s+/)[0] ?? '';
    const snippet = snippetFields.map((f, i) => fromDb(f, row.snippets?.[i] ?? null)).filter((v) => v !== null && v !== '' && String(v).toLowerCase().includes(first)).map(String)[0] ?? null;
    group.records.push({ id: row.id, name: recordName(object, { id: row.id, [object.nameField]: row.__name }), snippet, score: Number(row.score) });
  }
  // Objects with the best hit first (rows came sorted by score, so groups were made in that order).
  return [...groups.values()];
}
