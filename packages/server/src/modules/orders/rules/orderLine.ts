import { sql, type RawBuilder } from 'kysely';
import { AppError } from '../../../platform/errors.ts';
import type { BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import { documentLineRules, isBlank, isRealDate, refuse, tableOf } from '../../billing/index.ts';
import { assertOrderCan } from '../status.ts';
import { ORDER } from '../kind.ts';
import type { OrderStatus } from '../objects.ts';

/**
 * Order lines follow billing's shared line rules (documents/lineRules.ts): they change only while
 * the order is received or confirmed, unless a command writes; each save is priced and the order
 * re-totalled. On top: a requested date must be a date, and a line without a team gets one.
 */
export const orderLineRules = documentLineRules(ORDER, (status) => assertOrderCan('edit', status as OrderStatus));

export async function saveOrderLine(args: BeforeSaveArgs): Promise<void> {
  await checkAndPrice(args);
  if (needsTeam(args)) {
    const team = await teamFor(args);
    if (team) args.data.team = team;
  }
}

/**
 * saveOrderLine for the lines of one batch (createRecords: a new order's lines, an intake's): each
 * line checked and priced in turn as saveOrderLine does, then the teams of all lines that need one
 * from one statement instead of one per line — the same rule, so the same team. Per line the error
 * saveOrderLine would have thrown (undefined when none).
 */
export async function saveOrderLines(list: BeforeSaveArgs[]): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (const args of list) {
    try {
      await checkAndPrice(args);
      errors.push(undefined);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      errors.push(error);
    }
  }
  const open = list.filter((args, i) => errors[i] === undefined && needsTeam(args));
  // A line without a product or order keeps the one-line path (and whatever it does with it).
  const batched = open.filter(({ merged }) => !isBlank(merged.product) && !isBlank(merged.order));
  for (const args of open.filter((a) => !batched.includes(a))) {
    try {
      const team = await teamFor(args);
      if (team) args.data.team = team;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      errors[list.indexOf(args)] = error;
    }
  }
  const teams = await teamsFor(batched);
  batched.forEach((args, k) => {
    if (teams[k]) args.data.team = teams[k];
  });
  return errors;
}

async function checkAndPrice(args: BeforeSaveArgs): Promise<void> {
  const { merged } = args;
  if (!isBlank(merged.requested_date) && !isRealDate(String(merged.requested_date))) refuse('requested_date', 'invalid_date', 'Must be a date (YYYY-MM-DD)');
  await orderLineRules.save(args);
}

const needsTeam = ({ merged, operation, data }: BeforeSaveArgs) => isBlank(merged.team) && (operation === 'create' || 'product' in data || 'product_spec' in data);

/**
 * Seed 004 "Teams": the team whose rule fits the line — the account, the product's type and the
 * spec, an empty rule field fitting anything — the most specific rule first (account, then spec,
 * then type), ties by the oldest rule, so the same line always goes to the same team.
 */
async function teamFor({ ctx, merged }: BeforeSaveArgs): Promise<string | undefined> {
  const r = await sql<{ team_id: string }>`SELECT r.team_id FROM ${tableOf(ctx, 'production_team_rule')} r
      JOIN ${tableOf(ctx, 'production_team')} t ON t.id = r.team_id AND t.deleted_at IS NULL AND t.active IS NOT FALSE
      JOIN ${tableOf(ctx, 'product')} p ON p.id = ${String(merged.product)}
      JOIN ${tableOf(ctx, 'order')} o ON o.id = ${String(merged.order)}
    WHERE r.deleted_at IS NULL
      AND ${ruleFits(sql.ref('o.account_id'), sql.ref('p.type'), sql`${isBlank(merged.product_spec) ? null : String(merged.product_spec)}::uuid`)}
    ${bestRuleFirst}
    LIMIT 1`.execute(ctx.trx);
  return r.rows[0]?.team_id;
}

/** teamFor of many lines (each with a product and an order) in one statement: the teams in the lines' order (undefined: no rule fits). */
async function teamsFor(list: BeforeSaveArgs[]): Promise<Array<string | undefined>> {
  if (!list.length) return [];
  const { ctx } = list[0]!;
  const ids = (f: string) => sql`${list.map(({ merged }) => (isBlank(merged[f]) ? null : String(merged[f])))}::uuid[]`;
  const r = await sql<{ n: string; team_id: string | null }>`SELECT l.n, (SELECT r.team_id FROM ${tableOf(ctx, 'production_team_rule')} r
        JOIN ${tableOf(ctx, 'production_team')} t ON t.id = r.team_id AND t.deleted_at IS NULL AND t.active IS NOT FALSE
        JOIN ${tableOf(ctx, 'product')} p ON p.id = l.product
        JOIN ${tableOf(ctx, 'order')} o ON o.id = l.order_id
      WHERE r.deleted_at IS NULL
        AND ${ruleFits(sql.ref('o.account_id'), sql.ref('p.type'), sql.ref('l.spec'))}
      ${bestRuleFirst}
      LIMIT 1) AS team_id
    FROM unnest(${ids('product')}, ${ids('order')}, ${ids('product_spec')}) WITH ORDINALITY AS l(product, order_id, spec, n)`.execute(ctx.trx);
  const byN = new Map(r.rows.map((x) => [Number(x.n), x.team_id ?? undefined]));
  return list.map((_, i) => byN.get(i + 1));
}

/** Seed 004's fit: an empty rule field fits anything. */
const ruleFits = (account: RawBuilder<unknown>, type: RawBuilder<unknown>, spec: RawBuilder<unknown>) =>
  sql`(r.account_id IS NULL OR r.account_id = ${account}) AND (r.product_type IS NULL OR r.product_type = ${type}) AND (r.product_spec_id IS NULL OR r.product_spec_id = ${spec})`;

/** The most specific rule first (account, then spec, then type), ties by the oldest. */
const bestRuleFirst = sql`ORDER BY (r.account_id IS NOT NULL) DESC, (r.product_spec_id IS NOT NULL) DESC, (r.product_type IS NOT NULL) DESC, r.created_at, r.id`;
