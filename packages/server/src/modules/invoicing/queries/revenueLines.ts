import { sql } from 'kysely';
import { assertObjectPermission } from '../../../platform/access/policy.ts';
import { listConditions } from '../../../platform/records/read.ts';
import type { TxContext } from '../../../platform/records/context.ts';

/** One posted invoice or credit note line's net (taxable) amount, negative for credit notes. */
export interface InvoicedLine { account: string; invoiceDate: string; product: string | null; amount: string; currency: string | null }

/**
 * Invoiced revenue line by line for other modules' reports (forecasting's three pillars): posted
 * invoices and credit notes (not drafts, not void) dated in [from, to), with the list's access
 * conditions on invoices (optionally only some accounts'), the line's taxable amount (after discounts, before tax), credit notes
 * negative. Grouped per (account, day, product) so a report never pulls every line.
 */
export async function invoicedRevenueLines(ctx: TxContext, args: { from: string; to: string; accounts?: string[] }): Promise<InvoicedLine[]> {
  const invoice = ctx.platform.registry.requireObject('invoice');
  const line = ctx.platform.registry.requireObject('invoice_line');
  assertObjectPermission(ctx.actor, invoice, 'read');
  const where = sql.join([...listConditions(ctx, invoice, undefined), sql`t0.status NOT IN ('draft', 'void')`, sql`t0.invoice_date >= ${args.from}::date AND t0.invoice_date < ${args.to}::date`,
    ...(args.accounts ? [sql`t0.account_id = ANY(${args.accounts}::uuid[])`] : [])], sql` AND `);
  const r = await sql<{ account_id: string; invoice_date: string | Date; product_id: string | null; amount: string; currency: string | null }>`
    SELECT t0.account_id, t0.invoice_date, l.product_id, t0.currency,
      sum(CASE WHEN t0.kind = 'credit_note' THEN -coalesce(l.taxable, 0) ELSE coalesce(l.taxable, 0) END)::text AS amount
    FROM ${sql.table(invoice.table)} AS t0 JOIN ${sql.table(line.table)} l ON l.invoice_id = t0.id AND l.deleted_at IS NULL
    WHERE ${where} GROUP BY 1, 2, 3, 4`.execute(ctx.trx);
  return r.rows.map((row) => ({
    account: row.account_id,
    invoiceDate: typeof row.invoice_date === 'string' ? row.invoice_date.slice(0, 10) : row.invoice_date.toISOString().slice(0, 10),
    product: row.product_id,
    amount: row.amount,
    currency: row.currency,
  }));
}
