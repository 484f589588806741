/**
 * The money kernel (decision 0008, docs/billing.md "Money"): exact decimal amounts, ISO 4217
 * currencies and their minor units, rounding, largest-remainder allocation and document totals.
 * Pure functions over Decimals — no database — so quotes, orders, invoices, PDFs and exports all
 * compute the same figures from the same inputs.
 */
export { Decimal, toDecimal, significantDigits, type DecimalInput } from './decimal.ts';
export { CURRENCY_CODES, isCurrency, minorUnits } from './currencies.ts';
export { roundMoney, formatMoney, minorUnit, ROUNDING_MODES, ROUNDING_SCOPES, type RoundingMode, type RoundingScope, type RoundingPolicy } from './rounding.ts';
export { allocate } from './allocate.ts';
export { InputCheck } from './input.ts';
export {
  computeDocumentTotals, MAX_LINES, type DocumentInput, type DocumentTotals, type LineInput, type LineTotals, type TaxInput, type TaxAmount, type Discount,
} from './totals.ts';
