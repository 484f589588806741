import { Decimal, type DecimalInput } from './decimal.ts';
import { allocate } from './allocate.ts';
import { InputCheck } from './input.ts';
import { formatMoney, roundMoney, type RoundingPolicy } from './rounding.ts';

/** A discount: a percentage of the amount, or an amount in the document's currency. */
export type Discount = { percent: DecimalInput } | { amount: DecimalInput };

/** A tax on a line. `rate` is a percentage; a compound tax applies on the amount plus the taxes before it. */
export interface TaxInput {
  id: string;
  name?: string;
  rate: DecimalInput;
  compound?: boolean;
}

export interface LineInput {
  /** The caller's id of the line, given back on its totals. */
  key?: string;
  quantity: DecimalInput;
  /** In the document's currency; tax-inclusive when the document is. */
  unitPrice: DecimalInput;
  discount?: Discount | null;
  taxes?: readonly TaxInput[];
}

export interface DocumentInput {
  currency: string;
  rounding: RoundingPolicy;
  /** Unit prices include the line's taxes (a tax-inclusive price book): each line's amount is split into net and taxes. */
  taxInclusive?: boolean;
  lines: readonly LineInput[];
  /** Discount on the whole document, spread over the lines in proportion to their amounts. */
  discount?: Discount | null;
}

export interface TaxAmount {
  id: string;
  name: string;
  rate: string;
  compound: boolean;
  /** The amount the tax was computed on (for a compound tax, including the taxes before it). */
  base: string;
  amount: string;
}

export interface LineTotals {
  key: string;
  quantity: string;
  unitPrice: string;
  /** quantity × unit price, rounded. */
  gross: string;
  lineDiscount: string;
  /** gross − line discount. */
  net: string;
  /** This line's share of the document discount. */
  documentDiscount: string;
  /** net − document discount, without taxes (for tax-inclusive prices: the part that is not tax). */
  taxable: string;
  taxes: TaxAmount[];
  taxTotal: string;
  /** taxable + taxes: what the customer pays for the line. */
  total: string;
}

export interface DocumentTotals {
  currency: string;
  rounding: RoundingPolicy;
  taxInclusive: boolean;
  lines: LineTotals[];
  /** Sum of the lines' net amounts (tax-inclusive when the prices are). */
  subtotal: string;
  documentDiscount: string;
  /** Sum of the lines' taxable amounts. */
  taxable: string;
  /** One entry per tax, in the order taxes apply (simple taxes, then compound ones). */
  taxes: TaxAmount[];
  taxTotal: string;
  /** taxable + taxTotal = the sum of the lines' totals. */
  total: string;
}

export const MAX_LINES = 10_000;
const ZERO = new Decimal(0);
const HUNDRED = new Decimal(100);
const sum = (values: readonly Decimal[]) => values.reduce((s, v) => s.plus(v), ZERO);

interface Tax {
  id: string;
  name: string;
  rate: Decimal;
  compound: boolean;
}

interface Line {
  key: string;
  quantity: Decimal;
  unitPrice: Decimal;
  discount?: { percent: Decimal } | { amount: Decimal };
  taxes: Tax[];
}

/**
 * The totals of a priced document (quote, order, invoice, credit note), exactly: every amount is
 * a Decimal rounded on purpose to the currency's minor unit, and the figures always add up —
 * the lines' totals sum to the document's total, each tax's line amounts to the document's tax,
 * the document discount's shares to the discount. Rules (docs/billing.md, "Money"):
 *
 * 1. gross = round(quantity × unit price); net = round(quantity × unit price × (1 − line %)) or
 *    gross − line amount; line discount = gross − net.
 * 2. The document discount (a % of the subtotal, rounded, or an amount) is spread over the lines'
 *    nets by largest remainder; taxable = net − share.
 * 3. Taxes apply simple ones first, then compound ones on the amount plus the taxes before them.
 *    Scope `line`: each line's tax is rounded, the document's is their sum. Scope `document`: each
 *    tax is computed once on the sum of its bases, rounded, and spread over the lines by largest
 *    remainder. Tax-inclusive prices are split per line whatever the scope: the line's amount is
 *    what the customer was quoted, its net part is amount ÷ (1 + rates) rounded, the rest is tax,
 *    spread over the line's taxes by largest remainder.
 */
export function computeDocumentTotals(document: DocumentInput): DocumentTotals {
  const { currency, lines, taxOrder, discount } = parseDocument(document);
  const { mode, scope } = document.rounding;
  const round = (d: Decimal) => roundMoney(d, currency, mode);
  const taxInclusive = document.taxInclusive === true;

  // 1. Lines' gross and net.
  const gross = lines.map((l) => round(l.quantity.times(l.unitPrice)));
  const net = lines.map((l, i) => {
    if (!l.discount) return gross[i]!;
    if ('percent' in l.discount) return round(l.quantity.times(l.unitPrice).times(HUNDRED.minus(l.discount.percent)).dividedBy(HUNDRED));
    return gross[i]!.minus(l.discount.amount);
  });
  const check = new InputCheck();
  lines.forEach((l, i) => {
    if (net[i]!.isNegative()) check.fail(`lines[${i}].discount.amount`, 'out_of_range', `The discount is more than the line's amount (${formatMoney(gross[i]!, currency)})`);
  });
  check.throwIfAny();
  const subtotal = sum(net);

  // 2. The document discount, spread over the lines.
  let documentDiscount = ZERO;
  if (discount && 'percent' in discount) documentDiscount = round(subtotal.times(discount.percent).dividedBy(HUNDRED));
  if (discount && 'amount' in discount) {
    documentDiscount = discount.amount;
    if (documentDiscount.greaterThan(subtotal)) check.fail('discount.amount', 'out_of_range', `The discount is more than the subtotal (${formatMoney(subtotal, currency)})`);
    check.throwIfAny();
  }
  const shares = allocate({ amount: documentDiscount, weights: net, currency });
  const amounts = net.map((n, i) => n.minus(shares[i]!));

  // 3. Taxes: per line amounts [line][tax id], and each line's taxable part.
  const lineTaxes: Array<Map<string, { base: Decimal; amount: Decimal }>> = lines.map(() => new Map());
  let taxable: Decimal[];
  if (taxInclusive) {
    taxable = lines.map((l, i) => splitInclusive({ amount: amounts[i]!, taxes: ordered(l.taxes, taxOrder), currency, round, into: lineTaxes[i]! }));
  } else {
    taxable = amounts;
    for (const tax of taxOrder) {
      const carrying = lines.flatMap((l, i) => (l.taxes.some((t) => t.id === tax.id) ? [i] : []));
      const bases = carrying.map((i) => baseOf(taxable[i]!, lineTaxes[i]!, tax));
      const taxAmounts =
        scope === 'line'
          ? bases.map((b) => round(b.times(tax.rate).dividedBy(HUNDRED)))
          : allocate({ amount: round(sum(bases).times(tax.rate).dividedBy(HUNDRED)), weights: bases, currency });
      carrying.forEach((lineIndex, k) => lineTaxes[lineIndex]!.set(tax.id, { base: bases[k]!, amount: taxAmounts[k]! }));
    }
  }

  const money = (d: Decimal) => formatMoney(d, currency);
  const taxRow = (tax: Tax, base: Decimal, amount: Decimal): TaxAmount => ({ id: tax.id, name: tax.name, rate: tax.rate.toString(), compound: tax.compound, base: money(base), amount: money(amount) });
  const lineTotals: LineTotals[] = lines.map((l, i) => {
    const taxes = taxOrder.filter((t) => lineTaxes[i]!.has(t.id)).map((t) => ({ tax: t, ...lineTaxes[i]!.get(t.id)! }));
    const taxTotal = sum(taxes.map((t) => t.amount));
    return {
      key: l.key,
      quantity: l.quantity.toString(),
      unitPrice: l.unitPrice.toString(),
      gross: money(gross[i]!),
      lineDiscount: money(gross[i]!.minus(net[i]!)),
      net: money(net[i]!),
      documentDiscount: money(shares[i]!),
      taxable: money(taxable[i]!),
      taxes: taxes.map((t) => taxRow(t.tax, t.base, t.amount)),
      taxTotal: money(taxTotal),
      total: money(taxable[i]!.plus(taxTotal)),
    };
  });
  const documentTaxes = taxOrder
    .map((tax) => {
      const parts = lineTaxes.flatMap((m) => (m.has(tax.id) ? [m.get(tax.id)!] : []));
      return { tax, base: sum(parts.map((p) => p.base)), amount: sum(parts.map((p) => p.amount)), used: parts.length > 0 };
    })
    .filter((t) => t.used);
  const taxableTotal = sum(taxable);
  const taxTotal = sum(documentTaxes.map((t) => t.amount));
  return {
    currency,
    rounding: { mode, scope },
    taxInclusive,
    lines: lineTotals,
    subtotal: money(subtotal),
    documentDiscount: money(documentDiscount),
    taxable: money(taxableTotal),
    taxes: documentTaxes.map((t) => taxRow(t.tax, t.base, t.amount)),
    taxTotal: money(taxTotal),
    total: money(taxableTotal.plus(taxTotal)),
  };
}

/** A simple tax applies on the taxable amount; a compound one on the amount plus the line's taxes computed before it. */
function baseOf(taxable: Decimal, before: Map<string, { amount: Decimal }>, tax: Tax): Decimal {
  return tax.compound ? taxable.plus(sum([...before.values()].map((t) => t.amount))) : taxable;
}

function ordered(taxes: readonly Tax[], order: readonly Tax[]): Tax[] {
  return order.filter((t) => taxes.some((x) => x.id === t.id));
}

/**
 * Splits a tax-inclusive amount into its taxable part and taxes so that they add up to it exactly:
 * taxable = round(amount ÷ multiplier), where the multiplier is (1 + simple rates) × Π(1 + compound
 * rate); the remainder is the tax, spread over the taxes in proportion to their exact amounts.
 */
function splitInclusive(args: { amount: Decimal; taxes: Tax[]; currency: string; round: (d: Decimal) => Decimal; into: Map<string, { base: Decimal; amount: Decimal }> }): Decimal {
  const { amount, taxes, currency, round, into } = args;
  if (taxes.length === 0) return amount;
  const simple = taxes.filter((t) => !t.compound);
  const compound = taxes.filter((t) => t.compound);
  let multiplier = new Decimal(1).plus(sum(simple.map((t) => t.rate)).dividedBy(HUNDRED));
  for (const t of compound) multiplier = multiplier.times(new Decimal(1).plus(t.rate.dividedBy(HUNDRED)));
  const exactBase = amount.dividedBy(multiplier);
  const exact: Decimal[] = [];
  let running = exactBase;
  for (const t of taxes) {
    const base = t.compound ? running : exactBase;
    const taxAmount = base.times(t.rate).dividedBy(HUNDRED);
    exact.push(taxAmount);
    running = running.plus(taxAmount);
  }
  const taxable = round(exactBase);
  const parts = allocate({ amount: amount.minus(taxable), weights: exact, currency });
  taxes.forEach((t, k) => {
    const before = new Map([...into.entries()]);
    into.set(t.id, { base: baseOf(taxable, before, t), amount: parts[k]! });
  });
  return taxable;
}

/** Validates the whole document, naming every bad field, before anything is computed. */
function parseDocument(document: DocumentInput): { currency: string; lines: Line[]; taxOrder: Tax[]; discount?: { percent: Decimal } | { amount: Decimal } } {
  const check = new InputCheck();
  const currency = check.currency('currency', document.currency);
  check.throwIfAny();
  if (!Array.isArray(document.lines)) check.fail('lines', 'type', 'Must be a list of lines');
  else if (document.lines.length > MAX_LINES) check.fail('lines', 'too_many', `At most ${MAX_LINES} lines`);
  check.throwIfAny();
  const percent = (path: string, value: unknown) => check.decimal(path, value, { min: 0, max: 100, places: 6 });
  const parseDiscount = (path: string, d: Discount | null | undefined) => {
    if (!d) return undefined;
    if ('percent' in d) {
      const p = percent(`${path}.percent`, d.percent);
      return p && { percent: p };
    }
    const a = check.money(`${path}.amount`, d.amount, currency!);
    return a && { amount: a };
  };
  const taxes = new Map<string, Tax>();
  const lines: Line[] = document.lines.map((l, i) => {
    const path = `lines[${i}]`;
    const quantity = check.decimal(`${path}.quantity`, l.quantity, { min: 0, minExclusive: true, max: 1_000_000_000, places: 6 });
    const unitPrice = check.money(`${path}.unitPrice`, l.unitPrice, currency!);
    const lineTaxes: Tax[] = [];
    (l.taxes ?? []).forEach((t, k) => {
      const rate = percent(`${path}.taxes[${k}].rate`, t.rate);
      if (!rate) return;
      const tax: Tax = { id: String(t.id), name: t.name ?? String(t.id), rate, compound: t.compound === true };
      const known = taxes.get(tax.id);
      if (known && (!known.rate.equals(tax.rate) || known.compound !== tax.compound)) {
        check.fail(`${path}.taxes[${k}]`, 'inconsistent_tax', `Tax '${tax.id}' has another rate or compounding on an earlier line`);
      } else if (lineTaxes.some((x) => x.id === tax.id)) {
        check.fail(`${path}.taxes[${k}]`, 'duplicate_tax', `Tax '${tax.id}' is on the line twice`);
      } else {
        taxes.set(tax.id, known ?? tax);
        lineTaxes.push(known ?? tax);
      }
    });
    return { key: l.key ?? String(i), quantity: quantity ?? ZERO, unitPrice: unitPrice ?? ZERO, discount: parseDiscount(`${path}.discount`, l.discount), taxes: lineTaxes };
  });
  const discount = parseDiscount('discount', document.discount);
  check.throwIfAny();
  // Simple taxes apply before compound ones; within each kind, in order of first appearance.
  const all = [...taxes.values()];
  return { currency: currency!, lines, taxOrder: [...all.filter((t) => !t.compound), ...all.filter((t) => t.compound)], discount };
}
