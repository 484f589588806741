import { AppError } from '../../../platform/errors.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { priceMemoOf } from '../queries/priceMemo.ts';
import { resolvePrice, type PriceAnswer } from '../queries/resolvePrice.ts';
import { convertAmount } from '../exchange/convert.ts';
import { billingSettings } from '../settings.ts';
import { asSystem, isBlank, readRecord } from '../context.ts';
import { InputCheck } from '../money/index.ts';

/** The price API's names for the line's fields. */
const FIELD_OF: Record<string, string> = { uom: 'unit_of_measure', spec: 'product_spec' };

/**
 * Prices a line (quote or opportunity product) with resolvePrice: the account's book, entry,
 * adjuster and conversion, with the same refusals (inactive product, not in the book, unknown
 * unit, missing exchange rate naming the pair and date) under the line's field names.
 */
export async function priceLine(args: { ctx: RecordContext; account: string; values: Record<string, unknown>; currency: string; date?: string | null }): Promise<PriceAnswer> {
  const { ctx, values } = args;
  try {
    return await resolvePrice({
      ctx,
      account: args.account,
      product: String(values.product),
      ...(isBlank(values.product_spec) ? {} : { spec: String(values.product_spec) }),
      ...(isBlank(values.unit_of_measure) ? {} : { uom: String(values.unit_of_measure) }),
      quantity: String(values.quantity ?? 1),
      currency: args.currency,
      ...(isBlank(args.date) ? {} : { date: String(args.date) }),
    });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    throw new AppError(error.code, error.message, { errors: error.errors.map((e) => ({ ...e, field: FIELD_OF[e.field] ?? e.field })), extra: error.extra });
  }
}

/** Quantity > 0 (up to 10^9, 6 decimals); a given unit price with at most the currency's digits; one kind of discount. */
export function checkLineInput(values: Record<string, unknown>, currency: string, options: { discounts: boolean }): void {
  const check = new InputCheck();
  check.decimal('quantity', values.quantity, { min: 0, minExclusive: true, max: 1_000_000_000, places: 6 });
  if (!isBlank(values.unit_price)) check.money('unit_price', values.unit_price, currency);
  if (!isBlank(values.cost)) check.money('cost', values.cost, currency);
  if (options.discounts) {
    if (!isBlank(values.discount_percent)) check.decimal('discount_percent', values.discount_percent, { min: 0, max: 100, places: 6 });
    if (!isBlank(values.discount_amount)) check.money('discount_amount', values.discount_amount, currency);
    if (!isBlank(values.discount_percent) && !isBlank(values.discount_amount) && Number(values.discount_percent) !== 0 && Number(values.discount_amount) !== 0) {
      check.fail('discount_amount', 'one_discount', 'Give a discount as a percentage or as an amount, not both');
    }
  }
  check.throwIfAny();
}

/** The product's cost (corporate currency) in the line's currency at the price date; null when unknown. */
export async function unitCost(args: { ctx: RecordContext; product: string; currency: string; date: string }): Promise<number | null> {
  const sys = asSystem(args.ctx);
  // The product as a batch's pricing read it (with its cost), else read now.
  const primed = priceMemoOf(args.ctx)?.known<Record<string, unknown>>(`record:product:${args.product}`);
  const product = (primed ? await primed.catch(() => undefined) : undefined) ?? (await readRecord(sys, 'product', args.product, ['cost']));
  if (isBlank(product.cost)) return null;
  const { corporateCurrency } = billingSettings.of(args.ctx.platform);
  if (corporateCurrency === args.currency) return Number(product.cost);
  const converted = await convertAmount({ ctx: sys, amount: String(product.cost), from: corporateCurrency, to: args.currency, date: args.date, field: 'cost' });
  return Number(converted.amount);
}

/** The explanation kept beside a line's price: resolvePrice's sentences. */
export function explain(answer: PriceAnswer): string {
  return answer.explanation.steps.join('\n');
}
