import type { TxContext } from '../../../../platform/records/context.ts';
import type { ApiRecord } from '../../../../platform/records/hooks.ts';
import { isBlank, readRecord } from '../../context.ts';
import { minorUnits } from '../../money/index.ts';
import { readQuoteLines } from '../commands/create.ts';
import { documentLocale } from '../document/read.ts';
import { billingSettings } from '../../settings.ts';

/** What the customer is asked to agree to when accepting; stored with the acceptance. */
export const CONSENT_TEXT = 'I have read the quote and its terms and accept them on behalf of the customer.';

export type AnswerState = 'open' | 'accepted' | 'declined' | 'expired' | 'superseded';

export interface PublicQuoteLine {
  id: string;
  name: string;
  description: string | null;
  quantity: number;
  unit: string | null;
  unitPrice: number | null;
  discountPercent: number | null;
  discountAmount: number | null;
  net: number | null;
  total: number | null;
  optional: boolean;
  selected: boolean;
}

/**
 * The customer's view of a quote: what a PDF shows and nothing internal — no costs, list prices,
 * price explanations, approvals or ids of other records.
 */
export interface PublicQuote {
  /** The organisation the quote is from. */
  seller: string;
  number: string;
  revision: number;
  name: string;
  title: string | null;
  currency: string;
  fractionDigits: number;
  locale: string;
  validUntil: string | null;
  taxInclusive: boolean;
  subtotal: number;
  discountTotal: number;
  taxable: number;
  taxTotal: number;
  total: number;
  terms: string | null;
  customer: { account: string; contact: string | null };
  preparedBy: { name: string; email: string | null } | null;
  lines: PublicQuoteLine[];
  answer: { state: AnswerState; at: string | null; signerName: string | null; acceptedTotal: number | null; sealed: boolean };
  consentText: string;
}

const num = (v: unknown) => (isBlank(v) ? null : Number(v));
const text = (v: unknown) => (isBlank(v) ? null : String(v));

function answerState(quote: ApiRecord, today: string): AnswerState {
  switch (quote.status) {
    case 'accepted': case 'declined': case 'expired': case 'superseded': return quote.status;
    default: return String(quote.valid_until ?? '9999') < today ? 'expired' : 'open';
  }
}

async function nameOf(ctx: TxContext, object: string, id: unknown, field = 'name'): Promise<string | null> {
  if (isBlank(id)) return null;
  const r = await readRecord(ctx, object, String(id), [field]).catch(() => null);
  return r ? text(r[field]) : null;
}

/** Reads the quote as its owner (the link's actor) and shapes it for the public page. */
export async function presentPublicQuote(ctx: TxContext, quote: ApiRecord, today: string): Promise<PublicQuote> {
  const lines = await readQuoteLines(ctx, quote.id);
  // The customer sees product and unit names, not the lines' composed record names.
  const names = new Map<string, string | null>();
  for (const l of lines) {
    for (const [object, id] of [['unit_of_measure', text(l.unit_of_measure)], ['product', text(l.product)]] as const) {
      if (id && !names.has(id)) names.set(id, await nameOf(ctx, object, id));
    }
  }
  const owner = isBlank(quote.owner) ? null : await readRecord(ctx, 'user', String(quote.owner), ['full_name', 'email']).catch(() => null);
  const contact = isBlank(quote.contact) ? null : await readRecord(ctx, 'contact', String(quote.contact), ['full_name', 'document_locale']).catch(() => null);
  const currency = String(quote.currency);
  const account = isBlank(quote.account) ? null : await readRecord(ctx, 'account', String(quote.account), ['name', 'document_locale']).catch(() => null);
  return {
    seller: billingSettings.of(ctx.platform).companyName,
    number: String(quote.number), revision: Number(quote.revision ?? 1), name: String(quote.name), title: text(quote.title),
    currency, fractionDigits: minorUnits(currency), locale: documentLocale(ctx, { contact, account }),
    validUntil: text(quote.valid_until), taxInclusive: quote.tax_inclusive === true,
    subtotal: Number(quote.subtotal ?? 0), discountTotal: Number(quote.discount_total ?? 0), taxable: Number(quote.taxable ?? 0),
    taxTotal: Number(quote.tax_total ?? 0), total: Number(quote.total ?? 0), terms: text(quote.terms_text),
    customer: {
      account: text(account?.name) ?? '',
      contact: text(contact?.full_name),
    },
    preparedBy: owner ? { name: text(owner.full_name) ?? '', email: text(owner.email) } : null,
    lines: lines.map((l) => ({
      id: l.id, name: names.get(String(l.product)) ?? String(l.name ?? ''), description: text(l.description), quantity: Number(l.quantity),
      unit: names.get(String(l.unit_of_measure)) ?? null, unitPrice: num(l.unit_price), discountPercent: num(l.discount_percent),
      discountAmount: num(l.discount_amount), net: num(l.net), total: num(l.total), optional: l.optional === true,
      selected: l.selected === null || l.selected === undefined ? l.optional !== true : l.selected === true,
    })),
    answer: {
      state: answerState(quote, today), at: text(quote.answered_at), signerName: text(quote.accepted_by_name),
      acceptedTotal: num(quote.accepted_total), sealed: !isBlank(quote.accepted_pdf_sha256),
    },
    consentText: CONSENT_TEXT,
  };
}
