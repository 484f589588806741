import { sql } from 'kysely';
import type { TxContext } from '../../../platform/records/context.ts';
import { roundingPolicy, tableOf } from '../context.ts';
import { computeQuoteFigures, type PricedLine, type QuoteFigures } from './totals.ts';

export interface QuoteRow {
  id: string;
  status: string;
  currency: string;
  tax_inclusive: boolean | null;
  discount_percent: string | null;
  discount_amount: string | null;
  owner_id: string;
  account_id: string;
  opportunity_id: string | null;
  price_date: string | null;
  valid_until: string | null;
  number: string;
  revision: string;
  version: number;
  deleted_at: Date | null;
}

/** The quote's row, locked until the transaction ends: line writes, commands and header saves of one quote take turns. */
export async function lockQuote(ctx: TxContext, id: string): Promise<QuoteRow | undefined> {
  const r = await sql<QuoteRow>`SELECT id, status, currency, tax_inclusive, discount_percent::text, discount_amount::text, owner_id, account_id, opportunity_id,
      price_date::text AS price_date, valid_until::text AS valid_until, number, revision::text AS revision, version, deleted_at
    FROM ${tableOf(ctx, 'quote')} WHERE id = ${id} FOR UPDATE`.execute(ctx.trx);
  return r.rows[0];
}

export async function storedLines(ctx: TxContext, quoteId: string): Promise<Array<PricedLine & { id: string }>> {
  const r = await sql<PricedLine & { id: string }>`SELECT id, id::text AS key, quantity::text AS quantity, unit_price::text AS unit_price, list_price::text AS list_price,
      discount_percent::text AS discount_percent, discount_amount::text AS discount_amount, taxes, selected
    FROM ${tableOf(ctx, 'quote_line')} WHERE quote_id = ${quoteId} AND deleted_at IS NULL ORDER BY position NULLS LAST, id`.execute(ctx.trx);
  return r.rows;
}

/**
 * Recomputes a quote's figures from its lines with the money kernel, with one line replaced
 * (the one being saved: `change`) or left out (`without`, the one being deleted), and stores the
 * other lines' figures set-based. Returns the figures; the caller puts the quote's totals and the
 * changed line's figures into the record being saved, so the answer of every save is current.
 */
export async function recalculateQuote(args: {
  ctx: TxContext;
  quote: Pick<QuoteRow, 'id' | 'currency' | 'tax_inclusive' | 'discount_percent' | 'discount_amount'>;
  change?: PricedLine;
  without?: string;
}): Promise<QuoteFigures> {
  const { ctx, quote, change, without } = args;
  const lines = (await storedLines(ctx, quote.id)).filter((l) => l.id !== without && l.id !== change?.key);
  if (change) lines.push({ ...change, id: change.key });
  const figures = figuresOf(ctx, quote, lines);
  const rows = lines.filter((l) => l.key !== change?.key).map((l) => ({ id: l.id, ...lineColumns(figures, l.key) }));
  if (rows.length) {
    await sql`UPDATE ${tableOf(ctx, 'quote_line')} AS t SET gross = r.gross, line_discount = r.line_discount, net = r.net, document_discount = r.document_discount,
        taxable = r.taxable, tax_total = r.tax_total, total = r.total
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(id uuid, gross numeric, line_discount numeric, net numeric, document_discount numeric, taxable numeric, tax_total numeric, total numeric)
      WHERE t.id = r.id`.execute(ctx.trx);
  }
  return figures;
}

/** The figures of a quote's header with the given lines (the kernel's one computation, stored or previewed). */
export function figuresOf(ctx: TxContext, quote: Pick<QuoteRow, 'currency' | 'tax_inclusive' | 'discount_percent' | 'discount_amount'>, lines: PricedLine[]): QuoteFigures {
  const discount = quote.discount_percent !== null && quote.discount_percent !== undefined && Number(quote.discount_percent) !== 0
    ? { percent: String(quote.discount_percent) }
    : quote.discount_amount !== null && quote.discount_amount !== undefined && Number(quote.discount_amount) !== 0 ? { amount: String(quote.discount_amount) } : null;
  return computeQuoteFigures({ currency: quote.currency, rounding: roundingPolicy(ctx.platform), taxInclusive: quote.tax_inclusive === true, discount, lines });
}

/** A line's stored figures (numbers, as the record API carries amounts). */
export function lineColumns(figures: QuoteFigures, key: string): Record<string, number> {
  const l = figures.lines.get(key)!;
  return {
    gross: Number(l.gross), line_discount: Number(l.lineDiscount), net: Number(l.net), document_discount: Number(l.documentDiscount),
    taxable: Number(l.taxable), tax_total: Number(l.taxTotal), total: Number(l.total),
  };
}

/** The quote's stored totals. */
export function quoteColumns(figures: QuoteFigures, rounding: string): Record<string, unknown> {
  const d = figures.document;
  return {
    subtotal: Number(d.subtotal), discount_total: Number(d.documentDiscount), taxable: Number(d.taxable), tax_total: Number(d.taxTotal), total: Number(d.total),
    effective_discount: Number(figures.effectiveDiscount), rounding,
  };
}

/** Stores recomputed totals on the quote itself (after a line write), bumping its version: a stale edit of the quote then conflicts. */
export async function storeQuoteTotals(ctx: TxContext, quoteId: string, figures: QuoteFigures, extra: Record<string, unknown> = {}): Promise<void> {
  const values = { ...quoteColumns(figures, roundingText(ctx)), ...extra };
  const sets = Object.entries(values).map(([k, v]) => sql`${sql.ref(k)} = ${v}`);
  await sql`UPDATE ${tableOf(ctx, 'quote')} SET ${sql.join(sets)}, version = version + 1, updated_at = now() WHERE id = ${quoteId}`.execute(ctx.trx);
}

export function roundingText(ctx: TxContext): string {
  const r = roundingPolicy(ctx.platform);
  return `${r.mode}/${r.scope}`;
}
