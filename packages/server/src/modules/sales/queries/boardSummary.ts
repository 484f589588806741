import { sql } from 'kysely';
import { assertObjectPermission, isFieldReadable, visibilityCondition } from '../../../platform/access/policy.ts';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { listConditions } from '../../../platform/records/read.ts';
import { db, objectOf } from '../context.ts';
import { readBoardTotals, type TotalsRow } from './boardTotals.ts';

export interface StageSummary {
  /** The stage's picklist value; null for deals without a stage. */
  stage: string | null;
  count: number;
  /** Per currency (never added across currencies); null when the caller's profile hides amount. */
  totals: Array<{ currency: string; amount: number; weighted: number }> | null;
}

/**
 * Per stage, the number of opportunities, their amount and weighted amount (amount × probability,
 * each rounded to cents like the account roll-up) — over exactly what the caller's board shows:
 * the same filter, not deleted, and only deals the caller may see (access is in the query).
 * Sums are taken by PostgreSQL in numeric, so they are exact. A reader who sees every deal and
 * does not filter gets the totals the deal hooks keep (boardTotals.ts) — the same figures without
 * grouping every deal; anyone else the grouped query, with their access and filter in it.
 */
export async function summarizeBoard(args: { ctx: RecordContext; filter?: unknown; grouped?: boolean }): Promise<{ stages: StageSummary[] }> {
  const { ctx } = args;
  const object = objectOf(ctx, 'opportunity');
  assertObjectPermission(ctx.actor, object, 'read');
  const unrestricted = (args.filter === undefined || args.filter === null) && !visibilityCondition(ctx.actor, object, 't0');
  const rows = unrestricted && !args.grouped ? await readBoardTotals(ctx) : await groupDeals(ctx, object, args.filter);
  return { stages: toStages(ctx, object, rows) };
}

async function groupDeals(ctx: RecordContext, object: ObjectDefinition, filter: unknown): Promise<TotalsRow[]> {
  const where = sql.join(listConditions(ctx, object, filter), sql` AND `);
  const r = await sql<TotalsRow>`
    SELECT t0.stage, t0.currency, count(*) AS n, sum(t0.amount) AS amount,
      sum(round(t0.amount * coalesce(t0.probability, 0) / 100, 2)) AS weighted
    FROM ${sql.table(object.table)} AS t0 WHERE ${where}
    GROUP BY t0.stage, t0.currency ORDER BY t0.stage, t0.currency`.execute(db(ctx));
  return r.rows;
}

function toStages(ctx: RecordContext, object: ObjectDefinition, rows: TotalsRow[]): StageSummary[] {
  const amountField = object.fields.find((f) => f.apiName === 'amount');
  const showsAmount = !!amountField && isFieldReadable(ctx.actor, object, amountField);
  const byStage = new Map<string | null, StageSummary>();
  for (const row of rows) {
    const entry = byStage.get(row.stage) ?? { stage: row.stage, count: 0, totals: showsAmount ? [] : null };
    byStage.set(row.stage, entry);
    entry.count += Number(row.n);
    if (entry.totals && row.amount !== null) entry.totals.push({ currency: row.currency ?? 'USD', amount: Number(row.amount), weighted: Number(row.weighted ?? 0) });
  }
  return [...byStage.values()];
}
