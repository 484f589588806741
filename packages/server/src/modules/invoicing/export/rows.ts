import { Decimal, formatMoney, isBlank } from '../../billing/index.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { taxKeyOf } from './settings.ts';
import { text, type ExportDocument } from './read.ts';

/** A tax as a line stores it (the `taxes` JSON: id, name, rate, compound). */
export interface LineTax {
  id: string;
  name: string;
  rate: string;
  compound: boolean;
}

/** A line's taxes in the order they apply (simple ones, then compound ones). */
export function lineTaxes(line: ApiRecord): LineTax[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(line.taxes ?? '[]'));
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const taxes = parsed.filter((t): t is Record<string, unknown> => !!t && typeof t === 'object').map((t) => ({
    id: String(t.id ?? ''), name: String(t.name ?? t.id ?? 'Tax'), rate: String(t.rate ?? '0'), compound: t.compound === true,
  }));
  return [...taxes.filter((t) => !t.compound), ...taxes.filter((t) => t.compound)];
}

/** The line's taxes by name, as they are looked up in MERIDIAN_EXPORT_TAX_CODES ("GST + QST"; "" without tax). */
export const taxNames = (taxes: LineTax[]) => taxes.map((t) => t.name).join(' + ');

export const NO_TAX_CODE = 'Tax Exempt';

/** The accounting product's tax code for a line's taxes: the mapped one, else their names, else "Tax Exempt". */
export function taxCodeOf(codes: Map<string, string>, taxes: LineTax[]): string {
  const names = taxNames(taxes);
  return codes.get(names ? taxKeyOf(names) : 'none') ?? (names || NO_TAX_CODE);
}

/**
 * One row of a CSV layout. A line row is what the product computes from it — quantity × rate,
 * less the discount percentage when the layout has that column — and the line's tax. What the
 * line's stored net amount (`taxable`) differs from that by (discount amounts, the share of the
 * document discount, the tax inside tax-inclusive prices) goes on one adjustment row per tax
 * code, so that the rows of a document add up to its total exactly: Σ amount + Σ tax = total.
 */
export interface CsvRow {
  adjustment: boolean;
  item: string | null;
  itemCode: string | null;
  description: string | null;
  quantity: Decimal | null;
  unitPrice: Decimal | null;
  discountPercent: string | null;
  amount: Decimal;
  taxCode: string;
  tax: Decimal;
}

const dec = (v: unknown) => new Decimal(isBlank(v) ? '0' : String(v));

export function csvRows(doc: ExportDocument, options: { percentColumn: boolean; taxCodes: Map<string, string> }): CsvRow[] {
  const rows: CsvRow[] = [];
  const adjustments = new Map<string, Decimal>();
  for (const line of doc.lines) {
    const product = isBlank(line.product) ? undefined : doc.products.get(String(line.product));
    const percent = options.percentColumn && !isBlank(line.discount_percent) && Number(line.discount_percent) !== 0 ? String(line.discount_percent) : null;
    const amount = percent ? dec(line.net) : dec(line.gross);
    const taxCode = taxCodeOf(options.taxCodes, lineTaxes(line));
    rows.push({
      adjustment: false,
      item: product?.name ?? text(line.name),
      itemCode: product?.code ?? null,
      description: text(line.description) ?? product?.name ?? text(line.name),
      quantity: dec(line.quantity),
      unitPrice: dec(line.unit_price),
      discountPercent: percent,
      amount,
      taxCode,
      tax: dec(line.tax_total),
    });
    const rest = dec(line.taxable).minus(amount);
    if (!rest.isZero()) adjustments.set(taxCode, (adjustments.get(taxCode) ?? new Decimal(0)).plus(rest));
  }
  const inclusive = doc.invoice.tax_inclusive === true;
  for (const [taxCode, amount] of adjustments) {
    if (amount.isZero()) continue;
    rows.push({
      adjustment: true,
      item: 'Discount',
      itemCode: null,
      description: inclusive ? 'Tax included in the prices, and discounts' : 'Discounts',
      quantity: null,
      unitPrice: null,
      discountPercent: null,
      amount,
      taxCode,
      tax: new Decimal(0),
    });
  }
  return rows;
}

/** A money amount with the currency's minor digits. */
export const money = (amount: Decimal, currency: string) => formatMoney(amount, currency);

/** A quantity or rate as a plain decimal (never exponent notation). */
export const plain = (value: Decimal | null) => (value === null ? null : value.toFixed());

/** The currency of a document (kept on every posted invoice). */
export const currencyOf = (doc: ExportDocument) => String(doc.invoice.currency ?? 'USD');
