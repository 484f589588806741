import type { TxContext } from '../../../platform/records/context.ts';
import { isBlank, refuse } from '../context.ts';
import { InputCheck, isCurrency } from '../money/index.ts';
import type { DocumentKind } from './kind.ts';
import { documentColumns, recalculateDocument, roundingText } from './lines.ts';

/** The header input every priced document checks on save: an ISO 4217 currency and one kind of document discount, held to the currency's minor unit. */
export function checkDocumentHeader(merged: Record<string, unknown>): void {
  if (!isCurrency(merged.currency)) refuse('currency', 'unknown_currency', `'${String(merged.currency).slice(0, 12)}' is not an ISO 4217 currency code`);
  const check = new InputCheck();
  if (!isBlank(merged.discount_percent)) check.decimal('discount_percent', merged.discount_percent, { min: 0, max: 100, places: 6 });
  if (!isBlank(merged.discount_amount)) check.money('discount_amount', merged.discount_amount, String(merged.currency));
  if (!isBlank(merged.discount_percent) && !isBlank(merged.discount_amount) && Number(merged.discount_percent) !== 0 && Number(merged.discount_amount) !== 0) {
    check.fail('discount_amount', 'one_discount', 'Give the discount as a percentage or as an amount, not both');
  }
  check.throwIfAny();
}

/** The totals of a document's header as it is being saved (its discount may be changing): recomputed from its stored lines, with the rounding used. */
export async function headerTotals(ctx: TxContext, kind: DocumentKind, id: string, merged: Record<string, unknown>): Promise<Record<string, unknown>> {
  const figures = await recalculateDocument({
    ctx, kind,
    header: {
      id, currency: String(merged.currency), tax_inclusive: merged.tax_inclusive === true,
      discount_percent: isBlank(merged.discount_percent) ? null : String(merged.discount_percent),
      discount_amount: isBlank(merged.discount_amount) ? null : String(merged.discount_amount),
    },
  });
  return { ...documentColumns(figures), ...(kind.extraTotals?.(figures) ?? {}), rounding: roundingText(ctx) };
}
