import { sql, type RawBuilder } from 'kysely';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { db } from '../context.ts';
import { normalizeCompanyName, normalizeEmail, normalizePhone, phoneKey, webDomain } from '../domain/normalize.ts';
import { companyNameSql, lowerSql, phoneKeySql, webDomainSql } from './sql.ts';

/**
 * Duplicate rules per object (PLT-6), in code. Each rule finds records matching one record (the
 * beforeSave check, lead conversion) and pairs of matching records (the duplicates list), each
 * served by an index from startup.ts. Scores: 1 = certainly the same, lower = likely.
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
  find(args: RuleArgs & { record: Record<string, unknown>; excludeIds: string[]; limit: number }): Promise<Candidate[]>;
  pairs(args: RuleArgs & { limit: number }): Promise<Pair[]>;
}

const col = (object: ObjectDefinition, field: string, alias = 't') => sql.ref(`${alias}.${object.fields.find((f) => f.apiName === field)!.column}`);
const nameCol = (object: ObjectDefinition, alias = 't') => col(object, object.nameField, alias);
const notIn = (ids: string[]) => (ids.length ? sql`AND t.id <> ALL(${ids}::uuid[])` : sql``);

/** A rule that matches equal keys: `keyOf` in JS for the probe, `keySql` in SQL for the stored rows. */
function keyRule(name: string, field: string, score: number, keyOf: (v: unknown) => string, keySql: (c: RawBuilder<unknown>) => RawBuilder<string>): DuplicateRule {
  return {
    name,
    fields: [field],
    async find({ ctx, object, record, excludeIds, limit }) {
      const key = keyOf(record[field]);
      if (!key) return [];
      // MATERIALIZED keeps the planner on the key index: with ORDER BY … LIMIT alone it may walk
      // the created_at index over the whole table (seconds on a million rows).
      const r = await sql<{ id: string; name: string | null }>`WITH m AS MATERIALIZED (
          SELECT t.id, ${nameCol(object)} AS name, t.created_at FROM ${sql.table(object.table)} t
          WHERE ${keySql(col(object, field))} = ${key} AND t.deleted_at IS NULL ${notIn(excludeIds)})
        SELECT id, name FROM m ORDER BY created_at LIMIT ${limit}`.execute(db(ctx));
      return r.rows.map((row) => ({ id: row.id, name: row.name ?? row.id, rule: name, score }));
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
  const e164Of = (row: Record<string, unknown>) => new Set(fields.map((f) => normalizePhone(row[f] as string)).filter(Boolean));
  const anyKey = (object: ObjectDefinition, keys: string[]) => sql.join(fields.map((f) => sql`${phoneKeySql(col(object, f))} = ANY(${keys}::text[])`), sql` OR `);
  const select = (object: ObjectDefinition, alias: string) => sql.join(fields.map((f) => sql`${col(object, f, alias)} AS ${sql.ref(`${alias}_${f}`)}`));
  return {
    name: 'phone',
    fields,
    async find({ ctx, object, record, excludeIds, limit }) {
      const keys = [...new Set(fields.map((f) => phoneKey(record[f] as string)).filter(Boolean))];
      if (!keys.length) return [];
      const r = await sql<Record<string, string | null> & { id: string; name: string | null }>`WITH m AS MATERIALIZED (
          SELECT t.id, ${nameCol(object)} AS name, t.created_at, ${select(object, 't')}
          FROM ${sql.table(object.table)} t WHERE (${anyKey(object, keys)}) AND t.deleted_at IS NULL ${notIn(excludeIds)})
        SELECT * FROM m ORDER BY created_at LIMIT ${limit * 4}`.execute(db(ctx));
      // Parsing with libphonenumber is most of a create's CPU here: only when the key matched.
      if (!r.rows.length) return [];
      const mine = e164Of(record);
      return r.rows
        .filter((row) => fields.some((f) => mine.has(normalizePhone(row[`t_${f}`]))))
        .slice(0, limit)
        .map((row) => ({ id: row.id, name: row.name ?? row.id, rule: 'phone', score: 0.9 }));
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
    async find({ ctx, object, record, excludeIds, limit }) {
      const value = typeof record[field] === 'string' ? (record[field] as string).trim() : '';
      if (value.length < 3) return [];
      await setThreshold(ctx);
      const c = col(object, field);
      const r = await sql<{ id: string; name: string | null; score: number }>`SELECT t.id, ${nameCol(object)} AS name, similarity(${c}, ${value}) AS score
        FROM ${sql.table(object.table)} t WHERE ${c} % ${value} AND similarity(${c}, ${value}) >= ${threshold} AND t.deleted_at IS NULL ${notIn(excludeIds)}
        ORDER BY score DESC, t.created_at LIMIT ${limit}`.execute(db(ctx));
      return r.rows.map((row) => ({ id: row.id, name: row.name ?? row.id, rule: 'similar_name', score: round(Number(row.score)) }));
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
