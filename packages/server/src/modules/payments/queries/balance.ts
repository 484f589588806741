import { sql } from 'kysely';
import type { RecordContext } from '../../../platform/records/context.ts';
import { getRecord, listConditions } from '../../../platform/records/read.ts';
import { inTransaction } from '../../../platform/records/context.ts';
import { Decimal, isRealDate, refuse, today } from '../../billing/index.ts';

export interface AgingBuckets {
  current: string;
  days_1_30: string;
  days_31_60: string;
  days_61_90: string;
  over_90: string;
}

export interface CurrencyBalance {
  currency: string;
  /** Invoices − credit notes − payments + refunds: what the customer owes (negative: we owe them). */
  balance: string;
  invoiced: string;
  credited: string;
  paid: string;
  refunded: string;
  /** Open on invoices (their open amounts). balance = open − credit. */
  open: string;
  /** Payments not allocated to an invoice yet. */
  credit: string;
  overdue: string;
  aging: AgingBuckets;
}

export interface AccountBalance {
  account: string;
  includeChildren: boolean;
  asOf: string;
  /** The accounts counted: the account, and its descendants with includeChildren. */
  accounts: number;
  currencies: CurrencyBalance[];
  lastPayment: { id: string; name: string; date: string; amount: string; currency: string } | null;
}

/** The account and, with children, every account below it in the tree. */
export async function accountTree(ctx: RecordContext & { trx: NonNullable<RecordContext['trx']> }, account: string, includeChildren: boolean): Promise<string[]> {
  if (!includeChildren) return [account];
  const table = sql.table(ctx.platform.registry.requireObject('account').table);
  const r = await sql<{ id: string }>`WITH RECURSIVE tree(id, depth) AS (
      SELECT id, 0 FROM ${table} WHERE id = ${account}::uuid AND deleted_at IS NULL
      UNION ALL SELECT a.id, t.depth + 1 FROM ${table} a JOIN tree t ON a.parent_account_id = t.id WHERE a.deleted_at IS NULL AND t.depth < 20)
    SELECT DISTINCT id FROM tree`.execute(ctx.trx);
  return r.rows.map((row) => row.id);
}

const zero = () => new Decimal(0);
const d = (v: unknown) => new Decimal(String(v ?? 0));

/**
 * An account's balance, credit and aging per currency (docs/payments.md, "Balances and aging"),
 * optionally rolled up its account tree: open amounts bucketed by days past due as of a day
 * (current; 1–30; 31–60; 61–90; over 90). Three aggregates — invoices, payments, refunds — each
 * under the reader's access compiled into the query (listConditions), so a rep's figures count
 * what their lists show. One index range per account on each table.
 */
export async function accountBalance(args: { ctx: RecordContext; account: string; includeChildren?: boolean; asOf?: string }): Promise<AccountBalance> {
  return inTransaction(args.ctx, async (ctx) => {
    const reg = ctx.platform.registry;
    await getRecord({ ctx, object: reg.requireObject('account'), id: args.account, fields: ['id'] });
    const asOf = args.asOf ?? today(ctx);
    if (!isRealDate(asOf)) refuse('asOf', 'invalid_date', 'A date such as 2026-12-06');
    const ids = await accountTree(ctx, args.account, args.includeChildren ?? false);
    const inTree = sql`t0.account_id IN (${sql.join(ids.map((id) => sql`${id}::uuid`))})`;
    const where = (object: string, extra: ReturnType<typeof sql>) => sql.join(listConditions(ctx, reg.requireObject(object), undefined, sql<boolean>`${inTree} AND ${extra}`), sql` AND `);
    const late = sql`(${asOf}::date - t0.due_date)`;
    const inv = await sql<Record<string, string>>`SELECT t0.currency,
        coalesce(sum(t0.total) FILTER (WHERE t0.kind = 'invoice'), 0)::text AS invoiced,
        coalesce(sum(t0.total) FILTER (WHERE t0.kind = 'credit_note'), 0)::text AS credited,
        coalesce(sum(t0.open_amount) FILTER (WHERE t0.kind = 'invoice' AND t0.status IN ('posted', 'partially_paid')), 0)::text AS open,
        coalesce(sum(t0.open_amount) FILTER (WHERE t0.kind = 'invoice' AND t0.status IN ('posted', 'partially_paid') AND (t0.due_date IS NULL OR ${late} <= 0)), 0)::text AS current,
        coalesce(sum(t0.open_amount) FILTER (WHERE t0.kind = 'invoice' AND t0.status IN ('posted', 'partially_paid') AND ${late} BETWEEN 1 AND 30), 0)::text AS days_1_30,
        coalesce(sum(t0.open_amount) FILTER (WHERE t0.kind = 'invoice' AND t0.status IN ('posted', 'partially_paid') AND ${late} BETWEEN 31 AND 60), 0)::text AS days_31_60,
        coalesce(sum(t0.open_amount) FILTER (WHERE t0.kind = 'invoice' AND t0.status IN ('posted', 'partially_paid') AND ${late} BETWEEN 61 AND 90), 0)::text AS days_61_90,
        coalesce(sum(t0.open_amount) FILTER (WHERE t0.kind = 'invoice' AND t0.status IN ('posted', 'partially_paid') AND ${late} > 90), 0)::text AS over_90
      FROM ${sql.table(reg.requireObject('invoice').table)} AS t0 WHERE ${where('invoice', sql`t0.status <> 'draft'`)} GROUP BY t0.currency`.execute(ctx.trx);
    const pay = await sql<Record<string, string>>`SELECT t0.currency, coalesce(sum(t0.amount), 0)::text AS paid, coalesce(sum(t0.unallocated_amount), 0)::text AS credit
      FROM ${sql.table(reg.requireObject('payment').table)} AS t0 WHERE ${where('payment', sql`t0.status = 'received'`)} GROUP BY t0.currency`.execute(ctx.trx);
    const ref = await sql<Record<string, string>>`SELECT t0.currency, coalesce(sum(t0.amount), 0)::text AS refunded
      FROM ${sql.table(reg.requireObject('payment_refund').table)} AS t0 WHERE ${where('payment_refund', sql`true`)} GROUP BY t0.currency`.execute(ctx.trx);
    const last = await sql<{ id: string; name: string; date: string; amount: string; currency: string }>`SELECT t0.id, t0.name, t0.payment_date::text AS date, t0.amount::text AS amount, t0.currency
      FROM ${sql.table(reg.requireObject('payment').table)} AS t0 WHERE ${where('payment', sql`t0.status = 'received'`)} ORDER BY t0.payment_date DESC, t0.id DESC LIMIT 1`.execute(ctx.trx);
    const currencies = new Set([...inv.rows, ...pay.rows, ...ref.rows].map((r) => r.currency!).filter(Boolean));
    const byCurrency = (rows: Array<Record<string, string>>, c: string) => rows.find((r) => r.currency === c) ?? {};
    const result: CurrencyBalance[] = [...currencies].sort().map((currency) => {
      const i = byCurrency(inv.rows, currency);
      const p = byCurrency(pay.rows, currency);
      const r = byCurrency(ref.rows, currency);
      const balance = d(i.invoiced).minus(d(i.credited)).minus(d(p.paid)).plus(d(r.refunded));
      const aging = { current: d(i.current), days_1_30: d(i.days_1_30), days_31_60: d(i.days_31_60), days_61_90: d(i.days_61_90), over_90: d(i.over_90) };
      const overdue = [aging.days_1_30, aging.days_31_60, aging.days_61_90, aging.over_90].reduce((s, v) => s.plus(v), zero());
      return {
        currency, balance: balance.toFixed(), invoiced: d(i.invoiced).toFixed(), credited: d(i.credited).toFixed(), paid: d(p.paid).toFixed(), refunded: d(r.refunded).toFixed(),
        open: d(i.open).toFixed(), credit: d(p.credit).toFixed(), overdue: overdue.toFixed(),
        aging: Object.fromEntries(Object.entries(aging).map(([k, v]) => [k, v.toFixed()])) as unknown as AgingBuckets,
      };
    });
    return { account: args.account, includeChildren: args.includeChildren ?? false, asOf, accounts: ids.length, currencies: result, lastPayment: last.rows[0] ?? null };
  });
}
