import { sql, type Kysely, type Transaction } from 'kysely';
import type { Platform } from '../../../platform/kernel.ts';
import { billingSettings } from '../../billing/index.ts';
import type { CreditInputs } from '../formula.ts';

type Db = Kysely<any> | Transaction<any>;

export interface AccountRow {
  id: string;
  currency: string;
  credit_limit: number | null;
  credit_currency: string | null;
  payment_behaviour: string | null;
}

const table = (platform: Platform, object: string) => sql.table(platform.registry.requireObject(object).table);
const hasField = (platform: Platform, object: string, field: string) => Boolean(platform.registry.getObject(object)?.fields.some((f) => f.apiName === field));

/** The next live accounts after `after` (keyset by id): memory stays flat however many there are. */
export async function accountPage(platform: Platform, db: Db, args: { after: string; limit: number; ids?: string[] }): Promise<AccountRow[]> {
  const corporate = billingSettings.of(platform).corporateCurrency;
  const only = args.ids ? sql`AND id IN (${sql.join(args.ids.map((id) => sql`${id}::uuid`))})` : sql``;
  const r = await sql<AccountRow & { credit_limit: string | null }>`SELECT id, coalesce(currency, ${corporate}) AS currency, credit_limit::text AS credit_limit, credit_currency, payment_behaviour
    FROM ${table(platform, 'account')} WHERE deleted_at IS NULL AND id > ${args.after}::uuid ${only} ORDER BY id LIMIT ${args.limit}`.execute(db);
  return r.rows.map((row) => ({ ...row, credit_limit: row.credit_limit === null ? null : Number(row.credit_limit) }));
}

/**
 * The formula's inputs for a page of accounts, set-based: one aggregate query per input grouped by
 * account (behaviour from invoices and their allocations; spending and disputes from invoices;
 * reversals from payments), never a query per account. `today` is the organisation's day.
 */
export async function readInputs(platform: Platform, db: Db, accounts: AccountRow[], today: string): Promise<Map<string, CreditInputs>> {
  const result = new Map<string, CreditInputs>();
  if (!accounts.length) return result;
  const ids = sql`ARRAY[${sql.join(accounts.map((a) => sql`${a.id}::uuid`))}]`;
  const currencies = sql`(VALUES ${sql.join(accounts.map((a) => sql`(${a.id}::uuid, ${a.currency}::text)`))}) AS c(account_id, currency)`;
  const since = sql`(${today}::date - interval '12 months')::date`;
  const invoices = table(platform, 'invoice');

  // Behaviour: every invoice due in the last 12 months that is paid (late by the day its last
  // allocation paid it off) or open and past due (late as of today), and older ones still open.
  const behaviour = await sql<{ account_id: string; invoices: number; on_time: number; avg_late: string; max_late: number }>`
    WITH paid AS (
      SELECT a.invoice_id, max(a.allocated_on) AS paid_on FROM ${table(platform, 'payment_allocation')} a
      WHERE a.account_id = ANY(${ids}) AND a.deleted_at IS NULL AND a.reversed_at IS NULL GROUP BY a.invoice_id),
    late AS (
      SELECT i.account_id, greatest(0, CASE WHEN i.status = 'paid' THEN coalesce(p.paid_on, i.due_date) - i.due_date ELSE ${today}::date - i.due_date END) AS days
      FROM ${invoices} i LEFT JOIN paid p ON p.invoice_id = i.id
      WHERE i.account_id = ANY(${ids}) AND i.deleted_at IS NULL AND i.kind = 'invoice' AND i.due_date IS NOT NULL
        AND ((i.status = 'paid' AND i.due_date > ${since}) OR (i.status IN ('posted', 'partially_paid') AND i.due_date < ${today}::date)))
    SELECT account_id, count(*)::int AS invoices, count(*) FILTER (WHERE days = 0)::int AS on_time, round(avg(days), 2)::text AS avg_late, max(days)::int AS max_late
    FROM late GROUP BY account_id`.execute(db);

  // Spending in the account's currency over the last 12 months (invoiced less credited), and how
  // many months of history the average is over (from the first invoice, at most 12).
  const disputed = hasField(platform, 'invoice', 'disputed') ? sql`count(*) FILTER (WHERE i.disputed IS TRUE AND i.invoice_date > ${since})::int` : sql`0`;
  const spending = await sql<{ account_id: string; invoiced: string; first_date: string | null; disputes: number }>`
    SELECT i.account_id,
      (coalesce(sum(i.total) FILTER (WHERE i.kind = 'invoice' AND i.invoice_date > ${since} AND i.currency = c.currency), 0)
        - coalesce(sum(i.total) FILTER (WHERE i.kind = 'credit_note' AND i.invoice_date > ${since} AND i.currency = c.currency), 0))::text AS invoiced,
      min(i.invoice_date)::text AS first_date, ${disputed} AS disputes
    FROM ${invoices} i JOIN ${currencies} ON c.account_id = i.account_id
    WHERE i.account_id = ANY(${ids}) AND i.deleted_at IS NULL AND i.status <> 'draft' AND i.invoice_date IS NOT NULL
    GROUP BY i.account_id`.execute(db);

  const reversals = await sql<{ account_id: string; n: number }>`SELECT account_id, count(*)::int AS n FROM ${table(platform, 'payment')}
    WHERE account_id = ANY(${ids}) AND deleted_at IS NULL AND status = 'reversed' AND reversed_at > (${today}::date - interval '12 months')
    GROUP BY account_id`.execute(db);

  const b = new Map(behaviour.rows.map((r) => [r.account_id, r]));
  const s = new Map(spending.rows.map((r) => [r.account_id, r]));
  const v = new Map(reversals.rows.map((r) => [r.account_id, r.n]));
  for (const a of accounts) {
    const beh = b.get(a.id);
    const sp = s.get(a.id);
    result.set(a.id, {
      currency: a.currency,
      invoices: beh?.invoices ?? 0,
      onTime: beh?.on_time ?? 0,
      avgDaysLate: beh ? Number(beh.avg_late) : 0,
      maxDaysLate: beh?.max_late ?? 0,
      disputes: sp?.disputes ?? 0,
      reversals: v.get(a.id) ?? 0,
      invoiced: sp ? Number(sp.invoiced) : 0,
      months: sp?.first_date ? monthsBetween(sp.first_date, today) : 1,
    });
  }
  return result;
}

/** Whole months from the first invoice to today, counting the month begun (1–12). */
export function monthsBetween(first: string, today: string): number {
  const [y1, m1, d1] = first.split('-').map(Number) as [number, number, number];
  const [y2, m2, d2] = today.split('-').map(Number) as [number, number, number];
  const months = (y2 - y1) * 12 + (m2 - m1) + (d2 >= d1 ? 1 : 0);
  return Math.min(12, Math.max(1, months));
}

export interface Exposure {
  currency: string;
  /** Open on invoices less unapplied payments (the customer's credit). */
  openBalance: number;
  /** Confirmed, in-production and completed-not-invoiced orders. */
  openOrders: number;
}

/**
 * What an account owes and has on order in one currency, as the system sees it (the credit check
 * counts everything, whatever the reader may list). `exceptOrder`: the order being checked.
 */
export async function exposureOf(platform: Platform, db: Db, args: { account: string; currency: string; exceptOrder?: string }): Promise<Exposure> {
  const invoiced = hasField(platform, 'order', 'invoice') ? sql`OR (status = 'completed' AND invoice_id IS NULL)` : sql`OR status = 'completed'`;
  const r = await sql<{ open: string; credit: string; orders: string }>`SELECT
      (SELECT coalesce(sum(open_amount), 0) FROM ${table(platform, 'invoice')} WHERE account_id = ${args.account}::uuid AND deleted_at IS NULL
         AND kind = 'invoice' AND status IN ('posted', 'partially_paid') AND currency = ${args.currency})::text AS open,
      (SELECT coalesce(sum(unallocated_amount), 0) FROM ${table(platform, 'payment')} WHERE account_id = ${args.account}::uuid AND deleted_at IS NULL
         AND status = 'received' AND currency = ${args.currency})::text AS credit,
      (SELECT coalesce(sum(total), 0) FROM ${table(platform, 'order')} WHERE account_id = ${args.account}::uuid AND deleted_at IS NULL AND currency = ${args.currency}
         AND (status IN ('confirmed', 'in_production') ${invoiced}) ${args.exceptOrder ? sql`AND id <> ${args.exceptOrder}::uuid` : sql``})::text AS orders`.execute(db);
  const row = r.rows[0]!;
  return { currency: args.currency, openBalance: Number(row.open) - Number(row.credit), openOrders: Number(row.orders) };
}
