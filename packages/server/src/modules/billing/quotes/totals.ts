import { AppError, ruleViolation } from '../../../platform/errors.ts';
import { Decimal, computeDocumentTotals, roundMoney, toDecimal, type Discount, type DocumentTotals, type LineTotals, type RoundingPolicy, type TaxInput } from '../money/index.ts';

/** A quote line as the totals need it (stored values, or the values about to be saved). */
export interface PricedLine {
  key: string;
  quantity: unknown;
  unit_price: unknown;
  list_price?: unknown;
  discount_percent?: unknown;
  discount_amount?: unknown;
  /** JSON list of {id, name, rate, compound}, as determined when the line was priced. */
  taxes?: unknown;
  selected?: unknown;
}

export interface QuoteFigures {
  /** Totals of the chosen lines, with the document discount spread over them. */
  document: DocumentTotals;
  /** Figures of each line by key: chosen lines from the document, the others on their own (no document discount). */
  lines: Map<string, LineTotals>;
  /** How far the net total is below the list prices, in % with 2 decimals. */
  effectiveDiscount: string;
}

const present = (v: unknown) => v !== null && v !== undefined && v !== '';

export function lineDiscount(line: Pick<PricedLine, 'discount_percent' | 'discount_amount'>): Discount | null {
  if (present(line.discount_percent) && Number(line.discount_percent) !== 0) return { percent: String(line.discount_percent) };
  if (present(line.discount_amount) && Number(line.discount_amount) !== 0) return { amount: String(line.discount_amount) };
  return null;
}

export function parseTaxes(taxes: unknown): TaxInput[] {
  if (!present(taxes)) return [];
  return JSON.parse(String(taxes)) as TaxInput[];
}

/**
 * A quote's figures with the money kernel (computeDocumentTotals): the chosen lines make the
 * document; unchosen optional lines are priced on their own so the customer sees what they
 * would add. Errors the kernel names by index (`lines[2].discount.amount`) are given back under
 * the quote's field names.
 */
export function computeQuoteFigures(args: { currency: string; rounding: RoundingPolicy; taxInclusive: boolean; discount: Discount | null; lines: PricedLine[] }): QuoteFigures {
  const { currency, rounding, taxInclusive } = args;
  const chosen = args.lines.filter((l) => l.selected !== false);
  const others = args.lines.filter((l) => l.selected === false);
  const input = (l: PricedLine) => ({ key: l.key, quantity: String(l.quantity), unitPrice: String(l.unit_price), discount: lineDiscount(l), taxes: parseTaxes(l.taxes) });
  const document = renameErrors(() => computeDocumentTotals({ currency, rounding, taxInclusive, discount: args.discount, lines: chosen.map(input) }));
  const single = others.length ? renameErrors(() => computeDocumentTotals({ currency, rounding, taxInclusive, lines: others.map(input) })) : undefined;
  const lines = new Map<string, LineTotals>();
  for (const l of [...document.lines, ...(single?.lines ?? [])]) lines.set(l.key, l);

  let list = new Decimal(0);
  for (const l of chosen) {
    const price = present(l.list_price) ? l.list_price : l.unit_price;
    list = list.plus(roundMoney(toDecimal(String(l.quantity))!.times(toDecimal(String(price))!), currency, rounding.mode));
  }
  const netAfterDiscount = new Decimal(document.subtotal).minus(document.documentDiscount);
  const effective = list.isZero() ? new Decimal(0) : Decimal.max(0, list.minus(netAfterDiscount).dividedBy(list).times(100));
  return { document, lines, effectiveDiscount: effective.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toString() };
}

function renameErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    throw ruleViolation(error.errors.map((e) => ({
      ...e,
      field: e.field.startsWith('discount.') ? `discount_${e.field.slice(9)}` : /^lines\[\d+\]\.discount\./.test(e.field) ? `discount_${e.field.replace(/^lines\[\d+\]\.discount\./, '')}` : e.field.replace(/^lines\[\d+\]\./, '').replace('unitPrice', 'unit_price'),
    })));
  }
}
