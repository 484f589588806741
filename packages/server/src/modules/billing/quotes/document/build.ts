import { Decimal, ROUNDING_MODES, ROUNDING_SCOPES, type RoundingPolicy } from '../../money/index.ts';
import { computeQuoteFigures, lineDiscount } from '../totals.ts';
import { documentFormat, type DocumentFormat } from './format.ts';
import { addressLines, type AddressStyle } from './address.ts';
import { ENGLISH_LABELS } from './labels.ts';
import type { QuoteDocumentLine, QuoteDocumentView } from './view.ts';

type Row = Readonly<Record<string, unknown>>;

/** Everything a quote document is made from, read by the caller (render.ts) with the reader's access. */
export interface QuoteDocumentInput {
  quote: Row;
  /** The quote's lines in order, as the record API answers them. */
  lines: readonly Row[];
  /** Product and unit names by id (the customer sees names, not the lines' record names). */
  names: ReadonlyMap<string, string>;
  account: Row | null;
  contact: Row | null;
  organisation: { name: string; address: string; logo: Buffer | null };
  preparedBy: { name: string; email: string | null } | null;
  locale: string;
  /** Where the acceptance time is turned into a date. */
  timeZone: string;
  /** The organisation's rounding, for a quote that stored none. */
  rounding: RoundingPolicy;
}

const text = (v: unknown): string | null => (v === null || v === undefined || String(v).trim() === '' ? null : String(v));
const nonZero = (v: unknown) => text(v) !== null && !new Decimal(String(v)).isZero();

/** The quote as its PDF shows it, every figure formatted for the customer's locale. Pure. */
export function buildQuoteDocument(input: QuoteDocumentInput): QuoteDocumentView {
  const { quote, account, contact } = input;
  const currency = String(quote.currency);
  const fmt = documentFormat(input.locale, currency);
  const labels = ENGLISH_LABELS;
  const style = addressStyle(input.locale);
  const contactAddress = contact ? addressLines(contact, 'mailing', style) : [];
  const acceptedOn = fmt.dateTime(quote.answered_at, input.timeZone);
  return {
    locale: input.locale,
    paper: ['US', 'CA'].includes(regionOf(input.locale)) ? 'LETTER' : 'A4',
    info: {
      title: `${labels.document} ${String(quote.name)}`,
      author: input.organisation.name,
      subject: text(quote.title) ?? `${labels.document} ${String(quote.name)}`,
      created: new Date(String(quote.updated_at ?? quote.created_at)),
    },
    labels,
    company: { name: input.organisation.name, addressLines: input.organisation.address.split('|').map((l) => l.trim()).filter(Boolean), logo: input.organisation.logo },
    customer: {
      name: text(account?.name) ?? '',
      attention: text(contact?.full_name),
      // The contact's own address when it has one (a site, a department), else the account's billing address.
      addressLines: contactAddress.length ? contactAddress : account ? addressLines(account, 'billing', style) : [],
    },
    heading: { title: labels.document, number: String(quote.name), subject: text(quote.title) },
    facts: [
      { label: labels.date, value: fmt.date(quote.price_date ?? quote.created_at) },
      { label: labels.validUntil, value: fmt.date(quote.valid_until) },
      { label: labels.currency, value: currency },
      ...(input.preparedBy ? [{ label: labels.preparedBy, value: [input.preparedBy.name, input.preparedBy.email].filter(Boolean).join(' · ') }] : []),
    ].filter((f) => f.value !== ''),
    lines: input.lines.map((l, i) => documentLine(l, i, fmt, input.names)),
    totals: totalRows(input, fmt),
    totalsNote: quote.tax_inclusive === true ? labels.pricesIncludeTax : null,
    terms: text(quote.terms_text),
    accepted: quote.status === 'accepted' && text(quote.accepted_by_name)
      ? labels.acceptedBy.replace('{name}', String(quote.accepted_by_name)).replace('{date}', acceptedOn)
      : null,
  };
}

function documentLine(l: Row, i: number, fmt: DocumentFormat, names: ReadonlyMap<string, string>): QuoteDocumentLine {
  const discount = lineDiscount(l);
  const chosen = l.selected === null || l.selected === undefined ? l.optional !== true : l.selected === true;
  const name = names.get(String(l.product)) ?? String(l.name ?? '');
  const description = text(l.description);
  return {
    position: String(i + 1),
    name,
    // A line's description defaults to the product's name: printed once.
    description: description === name ? null : description,
    note: l.optional === true ? (chosen ? ENGLISH_LABELS.optionalTaken : ENGLISH_LABELS.optionalNotTaken) : null,
    quantity: fmt.quantity(l.quantity),
    unit: names.get(String(l.unit_of_measure)) ?? '',
    unitPrice: fmt.money(l.unit_price),
    discount: !discount ? '' : 'percent' in discount ? fmt.percent(discount.percent) : fmt.money(discount.amount),
    amount: fmt.money(l.net),
  };
}

/** Subtotal, document discount, net, one row per tax (rate), total — the stored figures. */
function totalRows(input: QuoteDocumentInput, fmt: DocumentFormat): QuoteDocumentView['totals'] {
  const { quote } = input;
  const labels = ENGLISH_LABELS;
  const rows: QuoteDocumentView['totals'] = [{ label: labels.subtotal, value: fmt.money(quote.subtotal) }];
  if (nonZero(quote.discount_total)) {
    const percent = nonZero(quote.discount_percent) ? ` (${fmt.percent(quote.discount_percent)})` : '';
    rows.push({ label: `${labels.discount}${percent}`, value: fmt.money(new Decimal(String(quote.discount_total)).negated()) });
  }
  rows.push({ label: labels.net, value: fmt.money(quote.taxable) });
  const taxes = taxBreakdown(input);
  for (const tax of taxes) rows.push({ label: `${tax.name} ${fmt.percent(tax.rate)}`, value: fmt.money(tax.amount) });
  if (taxes.length !== 1) rows.push({ label: taxes.length ? labels.taxTotal : labels.tax, value: fmt.money(quote.tax_total) });
  rows.push({ label: labels.total, value: fmt.money(quote.total), strong: true });
  return rows;
}

/**
 * The tax per rate. Lines store their taxes' rates and their own tax total, not each tax's
 * amount, so the amounts are worked out again by the money kernel from the stored lines with the
 * rounding the quote was totalled with — the same computation that produced the stored totals.
 * If that does not reproduce the stored tax total exactly (a quote totalled by older code),
 * the PDF shows the stored total as one line rather than a breakdown that does not add up.
 */
export function taxBreakdown(input: Pick<QuoteDocumentInput, 'quote' | 'lines' | 'rounding'>): Array<{ name: string; rate: string; amount: string }> {
  const { quote } = input;
  try {
    const discount = nonZero(quote.discount_percent) ? { percent: String(quote.discount_percent) } : nonZero(quote.discount_amount) ? { amount: String(quote.discount_amount) } : null;
    const figures = computeQuoteFigures({
      currency: String(quote.currency),
      rounding: storedRounding(quote.rounding) ?? input.rounding,
      taxInclusive: quote.tax_inclusive === true,
      discount,
      lines: input.lines.map((l) => ({ ...l, key: String(l.id), quantity: l.quantity, unit_price: l.unit_price })),
    });
    const taxes = figures.document.taxes.filter((t) => !new Decimal(t.amount).isZero());
    const sum = taxes.reduce((s, t) => s.plus(t.amount), new Decimal(0));
    if (taxes.length && sum.equals(new Decimal(String(quote.tax_total ?? 0)))) return taxes.map((t) => ({ name: t.name || t.id, rate: t.rate, amount: t.amount }));
  } catch {
    // fall through to the stored total
  }
  return [];
}

function storedRounding(value: unknown): RoundingPolicy | null {
  const [mode, scope] = String(value ?? '').split('/');
  return ROUNDING_MODES.includes(mode as never) && ROUNDING_SCOPES.includes(scope as never) ? { mode: mode as RoundingPolicy['mode'], scope: scope as RoundingPolicy['scope'] } : null;
}

const regionOf = (locale: string) => new Intl.Locale(locale).maximize().region ?? 'US';

/** How the locale's region writes the city line. */
function addressStyle(locale: string): AddressStyle {
  const region = regionOf(locale);
  return ['US', 'CA', 'AU', 'NZ', 'PH'].includes(region) ? 'city-first' : region === 'GB' || region === 'IE' ? 'lines' : 'postal-first';
}
