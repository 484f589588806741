import { sql, type RawBuilder } from 'kysely';
import { readableFields } from '../../../platform/access/policy.ts';
import type { Actor } from '../../../platform/records/context.ts';
import type { FieldDefinition, ObjectDefinition } from '../../../platform/metadata/types.ts';

/**
 * Data quality checks (issue 16 item 6; seed 002's "98% customer data accuracy"): SQL predicates
 * on the row `t0`, over the fields the caller may read only — a hidden field is neither checked nor
 * revealed. Each record scores the weighted share of checks it passes:
 *
 *   score = 0.4 × completeness + 0.15 × valid e-mail + 0.15 × valid phone + 0.15 × touched in a year + 0.15 × unique
 *
 * completeness = filled recommended fields ÷ recommended fields (a record with none scores 1).
 */
export type CheckKey = 'incomplete' | 'invalid_email' | 'invalid_phone' | 'stale' | 'duplicate';

export const CHECKS: Array<{ key: CheckKey; label: string; description: string }> = [
  { key: 'incomplete', label: 'Incomplete', description: 'A recommended field is empty' },
  { key: 'invalid_email', label: 'Invalid e-mails', description: 'An e-mail field does not look like name@domain.tld' },
  { key: 'invalid_phone', label: 'Invalid phones', description: 'A phone field has fewer than 7 digits' },
  { key: 'stale', label: 'Untouched for a year', description: 'Not changed in the last 365 days' },
  { key: 'duplicate', label: 'Possible duplicates', description: 'Another record has the same e-mail address' },
];

/** Fields people expect filled on the standard objects; other objects: their required and searchable fields. */
const RECOMMENDED: Record<string, string[]> = {
  contact: ['email', 'phone', 'title', 'account'],
  account: ['industry', 'phone', 'website'],
  lead: ['email', 'phone', 'company', 'source'],
  opportunity: ['amount', 'close_date', 'account'],
};

const EMAIL_SHAPE = '^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$';

export interface QualityChecks {
  recommended: FieldDefinition[];
  /** Each check's predicate on `t0`: true when the record fails it. */
  fails: Record<CheckKey, RawBuilder<boolean>>;
  /** The share of recommended fields filled, 0 … 1 (1 when there are none). */
  filled: RawBuilder<number>;
}

/** A record's score from its share of filled fields (`filled`) and its failure flags (0/1 columns named by check). */
export function scoreOf(ref: (name: string) => RawBuilder<unknown>): RawBuilder<number> {
  const pass = (k: CheckKey) => sql`(1 - ${ref(k)})`;
  return sql<number>`(0.4 * ${ref('filled')} + 0.15 * ${pass('invalid_email')} + 0.15 * ${pass('invalid_phone')} + 0.15 * ${pass('stale')} + 0.15 * ${pass('duplicate')})`;
}

const col = (f: FieldDefinition) => sql.ref(`t0.${f.column}`);
const anyOf = (parts: RawBuilder<boolean>[]) => (parts.length ? sql<boolean>`(${sql.join(parts, sql` OR `)})` : sql<boolean>`false`);

export function qualityChecks(actor: Actor, object: ObjectDefinition): QualityChecks {
  const readable = readableFields(actor, object).filter((f) => f.column && !f.formula && !f.rollup);
  const byName = new Map(readable.map((f) => [f.apiName, f]));
  const names = RECOMMENDED[object.apiName] ?? readable.filter((f) => (f.required || f.searchable) && !f.readOnly).map((f) => f.apiName);
  const recommended = names.map((n) => byName.get(n)).filter((f): f is FieldDefinition => !!f);
  const emails = readable.filter((f) => f.type === 'email');
  const phones = readable.filter((f) => f.type === 'phone');
  const empty = (f: FieldDefinition) => sql<boolean>`(${col(f)} IS NULL OR btrim(${col(f)}::text) = '')`;
  const filled = recommended.length
    ? sql<number>`((${sql.join(recommended.map((f) => sql`CASE WHEN ${empty(f)} THEN 0 ELSE 1 END`), sql` + `)})::numeric / ${recommended.length})`
    : sql<number>`1::numeric`;
  // The duplicate key: the first e-mail field, lower-cased — the expression the duplicate rules
  // index (lower(email) on contacts and leads), so each record's probe is one index lookup. Objects
  // without an e-mail field have no duplicate check here (the duplicate rules and merge cover them).
  const key = emails[0];
  const keyExpr = (alias: string) => sql`lower(${sql.ref(`${alias}.${key!.column}`)})`;
  const duplicate = key
    ? sql<boolean>`(${col(key)} IS NOT NULL AND ${col(key)} <> '' AND EXISTS (SELECT 1 FROM ${sql.table(object.table)} d
        WHERE d.deleted_at IS NULL AND d.id <> t0.id AND ${keyExpr('d')} = ${keyExpr('t0')}))`
    : sql<boolean>`false`;
  const fails: Record<CheckKey, RawBuilder<boolean>> = {
    incomplete: anyOf(recommended.map(empty)),
    invalid_email: anyOf(emails.map((f) => sql<boolean>`(${col(f)} IS NOT NULL AND ${col(f)}::text !~ ${EMAIL_SHAPE})`)),
    invalid_phone: anyOf(phones.map((f) => sql<boolean>`(${col(f)} IS NOT NULL AND length(regexp_replace(${col(f)}::text, '[^0-9]', '', 'g')) < 7)`)),
    stale: sql<boolean>`(t0.updated_at < now() - interval '365 days')`,
    duplicate,
  };
  return { recommended, fails, filled };
}
