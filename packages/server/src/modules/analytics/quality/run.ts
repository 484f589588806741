import { sql } from 'kysely';
import { assertObjectPermission, readableFields } from '../../../platform/access/policy.ts';
import { validationFailed } from '../../../platform/errors.ts';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { listConditions, listRecords, resolveDisplayNames } from '../../../platform/records/read.ts';
import { UUID_RE } from '../../../platform/records/values.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { CHECKS, qualityChecks, scoreOf, type CheckKey } from './checks.ts';

/** One owner's (or, with `ownerId: null` and `total`, everyone's) figures. */
export interface QualityRow {
  ownerId: string | null;
  total: boolean;
  records: number;
  /** Records failing each check. */
  failing: Record<CheckKey, number>;
  /** Mean record score, 0 … 100, one decimal. */
  score: number;
}

export interface QualityAnswer {
  object: string;
  checks: typeof CHECKS;
  recommended: Array<{ apiName: string; label: string }>;
  rows: QualityRow[];
  owners: Record<string, string>;
}

/** Owners listed; the rest are in the total only. */
const MAX_OWNERS = 500;

/**
 * The data quality of an object, per owner and in total, over the records the caller may see
 * (their list's conditions) and the fields they may read — one statement, grouped in SQL.
 */
export async function measureDataQuality(args: { ctx: RecordContext; object: ObjectDefinition }): Promise<QualityAnswer> {
  const { ctx, object } = args;
  assertObjectPermission(ctx.actor, object, 'read');
  const checks = qualityChecks(ctx.actor, object);
  const where = sql.join(listConditions(ctx, object, undefined), sql` AND `);
  const hasOwner = object.fields.some((f) => f.apiName === 'owner');
  // Each check is evaluated once per record in the inner query (the duplicate probe is an index
  // lookup); the outer one only adds up flags.
  const flags = CHECKS.map((c) => sql`CASE WHEN ${checks.fails[c.key]} THEN 1 ELSE 0 END AS ${sql.id(c.key)}`);
  const counts = CHECKS.map((c) => sql`sum(s.${sql.id(c.key)})::int AS ${sql.id(c.key)}`);
  const owner = sql`s.owner_id`;
  const r = await sql<Record<string, unknown>>`SELECT ${owner} AS owner_id, GROUPING(${owner}) AS total, count(*)::int AS records, ${sql.join(counts, sql`, `)},
      round(avg(${scoreOf((name) => sql.ref(`s.${name}`))}) * 100, 1) AS score
    FROM (SELECT ${hasOwner ? sql`t0.owner_id` : sql`NULL::uuid`} AS owner_id, ${checks.filled} AS filled, ${sql.join(flags, sql`, `)}
      FROM ${sql.table(object.table)} t0 WHERE ${where}) s
    GROUP BY ROLLUP (${owner}) ORDER BY GROUPING(${owner}) DESC, count(*) DESC LIMIT ${MAX_OWNERS + 1}`.execute(ctx.trx ?? ctx.platform.db);
  const rows: QualityRow[] = r.rows.map((row) => ({
    ownerId: (row.owner_id as string | null) ?? null,
    total: Number(row.total) === 1,
    records: Number(row.records),
    failing: Object.fromEntries(CHECKS.map((c) => [c.key, Number(row[c.key] ?? 0)])) as Record<CheckKey, number>,
    score: row.score === null ? 100 : Number(row.score),
  }));
  // An empty object still answers its total (ROLLUP gives none over no rows).
  if (!rows.some((x) => x.total)) rows.unshift({ ownerId: null, total: true, records: 0, failing: Object.fromEntries(CHECKS.map((c) => [c.key, 0])) as Record<CheckKey, number>, score: 100 });
  const ids = rows.map((x) => x.ownerId).filter((x): x is string => !!x);
  const owners: Record<string, string> = {};
  if (ids.length) {
    const users = await sql<{ id: string; full_name: string | null; email: string }>`SELECT id, full_name, email FROM obj_user WHERE id = ANY(${`{${ids.join(',')}}`}::uuid[])`.execute(ctx.trx ?? ctx.platform.db);
    for (const u of users.rows) owners[u.id] = u.full_name?.trim() || u.email;
  }
  return { object: object.apiName, checks: CHECKS, recommended: checks.recommended.map((f) => ({ apiName: f.apiName, label: f.label })), rows: rows.slice(0, MAX_OWNERS + 1), owners };
}

/** The records behind one number: those failing `check`, of one owner (or everyone's), a page at a time. */
export async function listQualityRecords(args: { ctx: RecordContext; object: ObjectDefinition; check: string; ownerId?: string; cursor?: string }): Promise<{ data: ApiRecord[]; nextCursor: string | null; display: Record<string, Record<string, string>> }> {
  const { ctx, object } = args;
  const check = CHECKS.find((c) => c.key === args.check);
  if (!check) throw validationFailed([{ field: 'check', code: 'invalid', message: `One of ${CHECKS.map((c) => c.key).join(', ')}` }]);
  if (args.ownerId !== undefined && !UUID_RE.test(args.ownerId)) throw validationFailed([{ field: 'owner', code: 'invalid', message: 'A user id' }]);
  const checks = qualityChecks(ctx.actor, object);
  const filter = args.ownerId ? { field: 'owner', op: 'eq', value: args.ownerId } : undefined;
  const fields = [object.nameField, ...object.fields.filter((f) => f.apiName === 'owner').map((f) => f.apiName), ...checks.recommended.map((f) => f.apiName),
    ...object.fields.filter((f) => f.type === 'email' || f.type === 'phone').map((f) => f.apiName), 'updated_at'];
  const mayRead = new Set(readableFields(ctx.actor, object).map((f) => f.apiName));
  const readable = new Set(fields.filter((f) => mayRead.has(f)));
  const page = await listRecords({ ctx, object, filter, where: checks.fails[check.key], fields: [...readable], limit: 50, cursor: args.cursor });
  return { data: page.data, nextCursor: page.nextCursor, display: await resolveDisplayNames(ctx, object, page.data) };
}
