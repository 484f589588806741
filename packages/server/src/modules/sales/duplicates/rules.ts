import { sql, type RawBuilder } from 'kysely';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { db } from '../context.ts';
import { normalizeCompanyName, normalizeEmail, normalizePhone, phoneKey, webDomain } from '../domain/normalize.ts';
import { companyNameSql, lowerSql, phoneKeySql, webDomainSql } from './sql.ts';

/**
 * Duplicate rules per object (PLT-6), in code. Each rule finds the records matching each of a list
 * of records with one query (the beforeSave check of one record or of an import's batch, lead
 * conversion) and pairs of matching records (the duplicates list), each served by an index from
 * startup.ts. Scores: 1 = certainly the same, lower = likely.
 */
export interface Candidate {
  id: string;
  /** null when the user may not see the record (it still blocks the duplicate). */
  name: string | null;
  rule: string;
  score: number;
}

export interface Pair {
  a: string;
  b: string;
  rule: string;
  score: number;
}

interface RuleArgs {
  ctx: RecordContext;
  object: ObjectDefinition;
}

export interface DuplicateRule {
  name: string;
  /** Fields whose change re-runs the rule on update. */
  fields: string[];
  /**
   * For each record (as it will be saved), at most `limit` stored records matching it, but those of
   * its `excludeIds` (itself, on an update): one query for all the records, each probed against the
   * table only — records of the same list do not match each other (none is saved yet).
   */
  findMany(args: RuleArgs & { records: Array<{ record: Record<string, unknown>; excludeIds: string[] }>; limit: number }): Promise<Candidate[][]>;
  pairs(args: RuleArgs & { limit: number }): Promise<Pair[]>;
}

const col = (object: ObjectDefinition, field: string, alias = 't') => sql.ref(`${alias}.${object.fields.find((f) => f.apiName === field)!.column}`);
const nameCol = (object: ObjectDefinition, alias = 't') => col(object, object.nameField, alias);

/**
 * The probes of a list of records as a table `p(n, key)` (n = the record's place; a record may
 * have several keys), and how many rows each needs: `per` more than its exclusions, which are
 * dropped afterwards (the query ranks per record without them).
 */
function probes(records: Array<{ excludeIds: string[] }>, keysOf: (i: number) => string[], per: number) {
  const ns: number[] = [];
  const keys: string[] = [];
  records.forEach((_, i) => {
    for (const k of new Set(keysOf(i))) if (k) (ns.push(i), keys.push(k));
  });
  const take = per + Math.max(0, ...records.map((r) => r.excludeIds.length));
  return { empty: !ns.length, table: sql`unnest(${ns}::int[], ${keys}::text[]) AS p(n, key)`, take };
}

/**
 * A lateral subquery run once per probe: OFFSET 0 keeps it apart, so each probe is one lookup in
 * the rule's index. Joined as such, the planner hashes the probes against a scan of the whole
 * table, which grows with the table (and computes the key expression for every row).
 */
const probeEach = (query: RawBuilder<unknown>) => sql`${query} OFFSET 0`;

/**
 * A probe for rules that rank candidates by age: each keeps only its first `take` (the ranking
 * keeps no more per record), read in order from the rule's (key, created_at, id) index (sales
 * migration 0005) so that a key many stored records share (a phone's last 7 digits, a
 * switchboard number) costs `take` index entries, not all of them. `query` is the probe's
 * `SELECT … FROM <table> t WHERE <key> = p.key AND t.deleted_at IS NULL`.
 */
const probeFirst = (query: RawBuilder<unknown>, take: number) => sql`${query} ORDER BY t.created_at, t.id LIMIT ${take}`;

/** Rows ranked per record (`n`) into each record's list, its exclusions dropped, at most `limit`. */
function perRecord<R extends { n: number; id: string }>(records: Array<{ excludeIds: string[] }>, rows: R[], limit: number, keep: (row: R) => boolean = () => true): R[][] {
  const out = records.map(() => [] as R[]);
  for (const row of rows) {
    const n = Number(row.n);
    if (!records[n]!.excludeIds.includes(row.id) && out[n]!.length < limit && keep(row)) out[n]!.push(row);
  }
  return out;
}

/** A rule that matches equal keys: `keyOf` in JS for the probe, `keySql` in SQL for the stored rows. */
function keyRule(name: string, field: string, score: number, keyOf: (v: unknown) => string, keySql: (c: RawBuilder<unknown>) => RawBuilder<string>): DuplicateRule {
  return {
    name,
    fields: [field],
    async findMany({ ctx, object, records, limit }) {
      const p = probes(records, (i) => [keyOf(records[i]!.record[field])], limit);
      if (p.empty) return records.map(() => []);
      // One probe per record, each already its key's first `take` by age.
      const r = await sql<{ n: number; id: string; name: string | null }>`SELECT p.n, t.id, t.name FROM ${p.table}
          CROSS JOIN LATERAL (${probeFirst(sql`SELECT t.id, ${nameCol(object)} AS name, t.created_at FROM ${sql.table(object.table)} t
            WHERE ${keySql(col(object, field))} = p.key AND t.deleted_at IS NULL`, p.take)}) t
        ORDER BY p.n, t.created_at, t.id`.execute(db(ctx));
      return perRecord(records, r.rows, limit).map((rows) => rows.map((row) => ({ id: row.id, name: row.name ?? row.id, rule: name, score })));
    },
    async pairs({ ctx, object, limit }) {
      const r = await sql<{ a: string; b: string }>`SELECT a.id AS a, b.id AS b FROM ${sql.table(object.table)} a
        JOIN ${sql.table(object.table)} b ON ${keySql(col(object, field, 'a'))} = ${keySql(col(object, field, 'b'))} AND a.id < b.id
        WHERE a.deleted_at IS NULL AND b.deleted_at IS NULL AND ${keySql(col(object, field, 'a'))} <> '' LIMIT ${limit}`.execute(db(ctx));
      return r.rows.map((row) => ({ ...row, rule: name, score }));
    },
  };
}

export const emailRule = (field = 'email') => keyRule('email', field, 1, (v) => normalizeEmail(v as string), lowerSql);
export const websiteDomainRule = (field = 'website') => keyRule('website_domain', field, 0.9, (v) => webDomain(v as string), webDomainSql);
export const companyNameRule = (field = 'name') => keyRule('name', field, 0.95, (v) => normalizeCompanyName(v as string), companyNameSql);

/**
 * Phones match when their E.164 forms are equal (US numbers may be written without +1). The
 * index holds the last 7 digits; candidates are confirmed with libphonenumber.
 */
export function phoneRule(fields: string[]): DuplicateRule {
  const anyKey = (object: ObjectDefinition, keys: string[]) => sql.join(fields.map((f) => sql`${phoneKeySql(col(object, f))} = ANY(${keys}::text[])`), sql` OR `);
  const select = (object: ObjectDefinition, alias: string) => sql.join(fields.map((f) => sql`${col(object, f, alias)} AS ${sql.ref(`${alias}_${f}`)}`));
  return {
    name: 'phone',
    fields,
    async findMany({ ctx, object, records, limit }) {
      const p = probes(records, (i) => fields.map((f) => phoneKey(records[i]!.record[f] as string)), limit * 4);
      if (p.empty) return records.map(() => []);
      // One join per field (each on its own key index), a stored record once per probing record.
      const joins = sql.join(fields.map((f) => sql`SELECT p.n, t.* FROM ${p.table} CROSS JOIN LATERAL (${probeFirst(sql`SELECT t.id, ${nameCol(object)} AS name, t.created_at, ${select(object, 't')}
          FROM ${sql.table(object.table)} t WHERE ${phoneKeySql(col(object, f))} = p.key AND t.deleted_at IS NULL`, p.take)}) t`), sql` UNION `);
      const r = await sql<Record<string, string | null> & { n: number; id: string; name: string | null }>`WITH m AS MATERIALIZED (${joins})
        SELECT * FROM (SELECT m.*, row_number() OVER (PARTITION BY n ORDER BY created_at, id) AS rank FROM m) x
        WHERE rank <= ${p.take} ORDER BY n, rank`.execute(db(ctx));
      // Parsing with libphonenumber is most of a create's CPU here: only when the key matched, and
      // each text once (a batch's stored matches and its own numbers repeat).
      const parsed = new Map<string, string>();
      const e164 = (v: unknown) => {
        if (typeof v !== 'string' || !v) return '';
        if (!parsed.has(v)) parsed.set(v, normalizePhone(v));
        return parsed.get(v)!;
      };
      const hit = new Set(r.rows.map((row) => Number(row.n)));
      const mine = records.map((rec, i) => new Set(hit.has(i) ? fields.map((f) => e164(rec.record[f])).filter(Boolean) : []));
      const matches = (row: { n: number } & Record<string, unknown>) => fields.some((f) => mine[Number(row.n)]!.has(e164(row[`t_${f}`])));
      return perRecord(records, r.rows, limit, matches).map((rows) => rows.map((row) => ({ id: row.id, name: row.name ?? row.id, rule: 'phone', score: 0.9 })));
    },
    async pairs({ ctx, object, limit }) {
      const out: Pair[] = [];
      for (const f of fields) {
        for (const g of fields) {
          const r = await sql<Record<string, string | null> & { a: string; b: string }>`SELECT a.id AS a, b.id AS b, ${select(object, 'a')}, ${select(object, 'b')}
            FROM ${sql.table(object.table)} a JOIN ${sql.table(object.table)} b ON ${phoneKeySql(col(object, f, 'a'))} = ${phoneKeySql(col(object, g, 'b'))} AND a.id < b.id
            WHERE a.deleted_at IS NULL AND b.deleted_at IS NULL AND ${phoneKeySql(col(object, f, 'a'))} <> '' LIMIT ${limit * 4}`.execute(db(ctx));
          for (const row of r.rows) {
            const pa = normalizePhone(row[`a_${f}`]);
            if (pa && pa === normalizePhone(row[`b_${g}`])) out.push({ a: row.a, b: row.b, rule: 'phone', score: 0.9 });
          }
        }
      }
      return out.slice(0, limit);
    },
  };
}

/** Trigram similarity of names (pg_trgm) at or above `threshold`; the score is the similarity. */
export function fuzzyNameRule(field: string, threshold: number): DuplicateRule {
  // The `%` operator uses the GIN trigram index with this threshold (local to the transaction).
  const setThreshold = (ctx: RecordContext) => sql`SELECT set_config('pg_trgm.similarity_threshold', ${String(threshold)}, true)`.execute(db(ctx));
  return {
    name: 'similar_name',
    fields: [field],
    async findMany({ ctx, object, records, limit }) {
      const valueOf = (i: number) => (typeof records[i]!.record[field] === 'string' ? (records[i]!.record[field] as string).trim() : '');
      const p = probes(records, (i) => (valueOf(i).length >= 3 ? [valueOf(i)] : []), limit);
      if (p.empty) return records.map(() => []);
      await setThreshold(ctx);
      const c = col(object, field);
      const r = await sql<{ n: number; id: string; name: string | null; score: number }>`WITH m AS MATERIALIZED (
          SELECT p.n, t.* FROM ${p.table} CROSS JOIN LATERAL (${probeEach(sql`SELECT t.id, ${nameCol(object)} AS name, t.created_at, similarity(${c}, p.key) AS score
            FROM ${sql.table(object.table)} t WHERE ${c} % p.key AND t.deleted_at IS NULL`)}) t)
        SELECT n, id, name, score FROM (SELECT m.*, row_number() OVER (PARTITION BY n ORDER BY score DESC, created_at, id) AS rank FROM m WHERE score >= ${threshold}) x
        WHERE rank <= ${p.take} ORDER BY n, rank`.execute(db(ctx));
      return perRecord(records, r.rows, limit).map((rows) => rows.map((row) => ({ id: row.id, name: row.name ?? row.id, rule: 'similar_name', score: round(Number(row.score)) })));
    },
    async pairs({ ctx, object, limit }) {
      await setThreshold(ctx);
      const a = col(object, field, 'a');
      const b = col(object, field, 'b');
      const r = await sql<{ a: string; b: string; score: number }>`SELECT a.id AS a, b.id AS b, similarity(${a}, ${b}) AS score
        FROM ${sql.table(object.table)} a JOIN ${sql.table(object.table)} b ON ${a} % ${b} AND a.id < b.id
        WHERE a.deleted_at IS NULL AND b.deleted_at IS NULL AND similarity(${a}, ${b}) >= ${threshold} ORDER BY score DESC LIMIT ${limit}`.execute(db(ctx));
      return r.rows.map((row) => ({ a: row.a, b: row.b, rule: 'similar_name', score: round(Number(row.score)) }));
    },
  };
}

const round = (n: number) => Math.round(n * 100) / 100;

export const DUPLICATE_RULES: Record<string, DuplicateRule[]> = {
  contact: [emailRule('email'), phoneRule(['phone', 'mobile'])],
  lead: [emailRule('email'), phoneRule(['phone'])],
  account: [websiteDomainRule('website'), companyNameRule('name'), fuzzyNameRule('name', 0.6)],
};
