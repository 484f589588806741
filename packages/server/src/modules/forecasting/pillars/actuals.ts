import { sql } from 'kysely';
import { assertObjectPermission } from '../../../platform/access/policy.ts';
import { listConditions } from '../../../platform/records/read.ts';
import { asSystem, type TxContext } from '../../../platform/records/context.ts';
import { convertedAmount, corporateRatesFor, currencyChoices, Decimal, toCorporate } from '../../billing/index.ts';
import { invoicedRevenueLines } from '../../invoicing/index.ts';
import { dec } from '../input.ts';
import { classifyRevenue, splitDeal, type Pillar, type PriorPurchases } from './classify.ts';

/** Actual revenue of one account in the year: per source, pillar and month (index 0 = January). */
export interface AccountActuals { won: Record<Pillar, Decimal[]>; invoiced: Record<Pillar, Decimal[]> }

/** The actuals of the accounts, in the corporate currency; `unconverted` deals and invoice lines had no rate and are left out. */
export interface PillarActuals { accounts: Map<string, AccountActuals>; currency: string; unconverted: number }

const WON = sql`t0.stage IN ('closed_won', 'partially_won')`;
const empty = (): Record<Pillar, Decimal[]> => ({
  new_sales: Array.from({ length: 12 }, () => new Decimal(0)),
  account_management: Array.from({ length: 12 }, () => new Decimal(0)),
  upselling: Array.from({ length: 12 }, () => new Decimal(0)),
});

/**
 * Won deals (by close date) and invoiced revenue (by invoice date, through invoicing's export) of
 * the year for the given accounts, classified into the pillars. Amounts are what the actor may
 * read (the lists' conditions), converted into the corporate currency at today's rate like the
 * forecast (a won deal's amount in SQL, an invoice line's in Node — invoicing answers it in the
 * invoice's currency), each rounded to the minor unit; the rule's memory — what each account
 * bought before the year — is read as the system, so a pillar does not depend on who looks.
 */
export async function pillarActuals(ctx: TxContext, year: number, accounts: string[]): Promise<PillarActuals> {
  const out = new Map<string, AccountActuals>();
  const opportunity = ctx.platform.registry.requireObject('opportunity');
  const invoice = ctx.platform.registry.getObject('invoice');
  const rates = await corporateRatesFor({ ctx, currencies: [...new Set([...currencyChoices(opportunity), ...(invoice ? currencyChoices(invoice) : [])])] });
  const result: PillarActuals = { accounts: out, currency: rates.currency, unconverted: 0 };
  if (!accounts.length) return result;
  const from = `${year}-01-01`;
  const to = `${year + 1}-01-01`;
  const system = asSystem(ctx);
  const prior = await priorPurchases(system, from, accounts);
  const of = (account: string) => out.get(account) ?? out.set(account, { won: empty(), invoiced: empty() }).get(account)!;

  assertObjectPermission(ctx.actor, opportunity, 'read');
  const deals = await sql<{ id: string; account_id: string; close_date: string; won: string | null }>`
    SELECT t0.id, t0.account_id, t0.close_date::text AS close_date, ${convertedAmount(sql`coalesce(t0.won_amount, t0.amount, 0)`, sql`t0.currency`, rates)}::text AS won
    FROM ${sql.table(opportunity.table)} AS t0
    WHERE ${sql.join([...listConditions(ctx, opportunity, undefined), WON, sql`t0.account_id = ANY(${accounts}::uuid[])`, sql`t0.close_date >= ${from}::date AND t0.close_date < ${to}::date`], sql` AND `)}`.execute(ctx.trx);
  const lines = await dealLines(system, deals.rows.map((d) => d.id));
  for (const deal of deals.rows) {
    if (deal.won === null) {
      result.unconverted++;
      continue;
    }
    const month = Number(deal.close_date.slice(5, 7)) - 1;
    for (const [pillar, amount] of splitDeal(prior, deal.account_id, dec(deal.won), lines.get(deal.id) ?? [])) {
      const cell = of(deal.account_id).won[pillar];
      cell[month] = cell[month]!.plus(amount);
    }
  }

  const invoiced = await invoicedRevenueLines(ctx, { from, to, accounts });
  const productLines = await productLinesOf(system, invoiced.map((l) => l.product).filter((p): p is string => !!p));
  for (const line of invoiced) {
    const amount = toCorporate(dec(line.amount), line.currency, rates);
    if (amount === null) {
      result.unconverted++;
      continue;
    }
    const month = Number(line.invoiceDate.slice(5, 7)) - 1;
    const pillar = classifyRevenue(prior, line.account, line.product ? productLines.get(line.product) ?? line.product : null);
    const cell = of(line.account).invoiced[pillar];
    cell[month] = cell[month]!.plus(amount);
  }
  return result;
}

/** Product line of each product: its `product_line` field, else the product itself. */
async function productLinesOf(ctx: TxContext, products: string[]): Promise<Map<string, string>> {
  if (!products.length) return new Map();
  const product = ctx.platform.registry.requireObject('product');
  const r = await sql<{ id: string; line: string }>`SELECT t0.id, coalesce(nullif(btrim(t0.product_line), ''), t0.id::text) AS line
    FROM ${sql.table(product.table)} AS t0 WHERE t0.id = ANY(${[...new Set(products)]}::uuid[])`.execute(ctx.trx);
  return new Map(r.rows.map((row) => [row.id, row.line]));
}

/** The product lines and line totals of won deals (read as the system: they only split what the actor already sees). */
async function dealLines(ctx: TxContext, deals: string[]): Promise<Map<string, Array<{ productLine: string; total: Decimal }>>> {
  const out = new Map<string, Array<{ productLine: string; total: Decimal }>>();
  if (!deals.length) return out;
  const line = ctx.platform.registry.requireObject('opportunity_line');
  const r = await sql<{ opportunity_id: string; product_id: string; total: string }>`SELECT t0.opportunity_id, t0.product_id, coalesce(t0.total, 0)::text AS total
    FROM ${sql.table(line.table)} AS t0 WHERE t0.deleted_at IS NULL AND t0.opportunity_id = ANY(${deals}::uuid[])`.execute(ctx.trx);
  const productLines = await productLinesOf(ctx, r.rows.map((row) => row.product_id));
  for (const row of r.rows) {
    const list = out.get(row.opportunity_id) ?? out.set(row.opportunity_id, []).get(row.opportunity_id)!;
    list.push({ productLine: productLines.get(row.product_id) ?? row.product_id, total: dec(row.total) });
  }
  return out;
}

/** What the accounts bought before `before`: won deals and posted invoices, with their product lines. */
async function priorPurchases(ctx: TxContext, before: string, accounts: string[]): Promise<PriorPurchases> {
  const prior: PriorPurchases = { accounts: new Set(), lines: new Set() };
  const opportunity = ctx.platform.registry.requireObject('opportunity');
  const deals = await sql<{ id: string; account_id: string }>`SELECT t0.id, t0.account_id FROM ${sql.table(opportunity.table)} AS t0
    WHERE t0.deleted_at IS NULL AND ${WON} AND t0.account_id = ANY(${accounts}::uuid[]) AND t0.close_date < ${before}::date`.execute(ctx.trx);
  const lines = await dealLines(ctx, deals.rows.map((d) => d.id));
  for (const deal of deals.rows) {
    prior.accounts.add(deal.account_id);
    for (const l of lines.get(deal.id) ?? []) prior.lines.add(`${deal.account_id}|${l.productLine}`);
  }
  const invoiced = await invoicedRevenueLines(ctx, { from: '1900-01-01', to: before, accounts });
  const productLines = await productLinesOf(ctx, invoiced.map((l) => l.product).filter((p): p is string => !!p));
  for (const l of invoiced) {
    prior.accounts.add(l.account);
    if (l.product) prior.lines.add(`${l.account}|${productLines.get(l.product) ?? l.product}`);
  }
  return prior;
}
