import { sql } from 'kysely';
import type { AfterSaveArgs, BeforeDeleteArgs, BeforeSaveArgs } from '../../../../platform/records/hooks.ts';
import { asSystem, type TxContext } from '../../../../platform/records/context.ts';
import { loadForUpdate, updateRecord } from '../../../../platform/records/write.ts';
import { billingSettings } from '../../settings.ts';
import { isBlank, readRecord, refuse, roundingPolicy, tableOf, today } from '../../context.ts';
import { Decimal, roundMoney } from '../../money/index.ts';
import { checkLineInput, explain, priceLine, unitCost } from '../pricing.ts';

const PRICE_INPUTS = ['product', 'product_spec', 'unit_of_measure', 'quantity'];

/**
 * An opportunity product (SAL-8): priced for the deal's account and currency with resolvePrice
 * (a given unit price overrides the book's, kept as the list price, with its explanation), its
 * unit cost from the product's cost converted to the deal's currency unless given, and its totals.
 * The caller must be able to edit the deal: adding products changes its amount.
 */
export async function saveOpportunityLine(args: BeforeSaveArgs): Promise<void> {
  const { ctx, operation, data, merged, previous } = args;
  if (operation === 'update' && 'opportunity' in data && data.opportunity !== previous!.opportunity) refuse('opportunity', 'immutable', 'A product line stays on its opportunity');
  const opportunity = await loadForUpdate(ctx, ctx.platform.registry.requireObject('opportunity'), String(merged.opportunity), { mode: 'edit' });
  if (isBlank(opportunity.account)) refuse('opportunity', 'no_account', 'Give the opportunity an account first: its price book prices the products');
  const account = await readRecord(asSystem(ctx), 'account', String(opportunity.account), ['currency']);
  const currency = String(opportunity.currency ?? account.currency ?? billingSettings.of(ctx.platform).corporateCurrency);
  data.currency = merged.currency = currency;
  checkLineInput(merged, currency, { discounts: false });
  const repriced = operation === 'create' || PRICE_INPUTS.some((f) => f in data && JSON.stringify(data[f]) !== JSON.stringify(previous?.[f] ?? null));
  if (repriced) {
    const answer = await priceLine({ ctx, account: String(opportunity.account), values: merged, currency });
    data.unit_of_measure = merged.unit_of_measure = answer.uom.id;
    data.list_price = merged.list_price = Number(answer.unitPrice);
    data.price_explanation = explain(answer);
    if (isBlank(merged.unit_price) || (operation === 'update' && !('unit_price' in data))) data.unit_price = merged.unit_price = Number(answer.unitPrice);
    if (isBlank(merged.cost)) data.cost = merged.cost = await unitCost({ ctx, product: String(merged.product), currency, date: today(ctx) });
    data.name = `${answer.product.code} × ${String(merged.quantity)} ${answer.uom.code}`;
  }
  const { mode } = roundingPolicy(ctx.platform);
  const quantity = new Decimal(String(merged.quantity));
  data.total = roundMoney(quantity.times(String(merged.unit_price)), currency, mode).toNumber();
  data.total_cost = isBlank(merged.cost) ? null : roundMoney(quantity.times(String(merged.cost)), currency, mode).toNumber();
}

/**
 * The deal's amount is the sum of its products' totals and its potential gross profit that less
 * their costs (a product without a cost counts as costing nothing). Written through the record
 * pipeline as a follow-on change, so sales' rules judge the real figures — the negative-profit
 * guard refuses the line that would take a deal below zero for an account that does not allow it.
 */
async function writeOpportunityAmounts(ctx: TxContext, opportunityId: string, without?: string): Promise<void> {
  const r = await sql<{ amount: string | null; cost: string | null; n: string }>`SELECT sum(total)::text AS amount, sum(coalesce(total_cost, 0))::text AS cost, count(*)::text AS n
    FROM ${tableOf(ctx, 'opportunity_line')} WHERE opportunity_id = ${opportunityId} AND deleted_at IS NULL AND id <> ${without ?? '00000000-0000-0000-0000-000000000000'}::uuid`.execute(ctx.trx);
  const row = r.rows[0]!;
  const amount = Number(row.n) === 0 ? null : new Decimal(row.amount ?? 0);
  const values = amount === null ? { amount: null, gross_profit: null } : { amount: amount.toNumber(), gross_profit: amount.minus(row.cost ?? 0).toNumber() };
  await updateRecord({ ctx: asSystem(ctx), object: ctx.platform.registry.requireObject('opportunity'), id: opportunityId, input: values });
}

/** After a line's save or its restore from the recycle bin (with its deal or on its own). */
export async function syncOpportunityAmounts({ ctx, record }: AfterSaveArgs): Promise<void> {
  const live = await sql`SELECT 1 FROM ${tableOf(ctx, 'opportunity')} WHERE id = ${record.opportunity} AND deleted_at IS NULL`.execute(ctx.trx);
  if (live.rows.length) await writeOpportunityAmounts(ctx, String(record.opportunity));
}

export async function deleteOpportunityLine({ ctx, record }: BeforeDeleteArgs): Promise<void> {
  const live = await sql`SELECT 1 FROM ${tableOf(ctx, 'opportunity')} WHERE id = ${record.opportunity} AND deleted_at IS NULL`.execute(ctx.trx);
  if (live.rows.length) await writeOpportunityAmounts(ctx, String(record.opportunity), record.id);
}
