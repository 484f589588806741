import type { TxContext } from '../../../platform/records/context.ts';
import type { DocumentKind } from '../documents/kind.ts';
import {
  documentColumns, lockDocument, recalculateDocument, roundingText, storeDocumentTotals, storedDocumentLines, type DocumentRow,
} from '../documents/lines.ts';
import type { PricedLine, QuoteFigures } from './totals.ts';

export { figuresOf, lineColumns, roundingText } from '../documents/lines.ts';

/** Quotes as a priced document (documents/kind.ts): optional lines, and the effective discount stored with the totals. */
export const QUOTE: DocumentKind = {
  header: 'quote',
  line: 'quote_line',
  parent: 'quote',
  selectable: true,
  extraColumns: ['opportunity_id', 'valid_until', 'revision'],
  extraTotals: (figures) => ({ effective_discount: Number(figures.effectiveDiscount) }),
};

export type QuoteRow = DocumentRow & { number: string; opportunity_id: string | null; valid_until: string | null; revision: string };

/** The quote's row, locked until the transaction ends: line writes, commands and header saves of one quote take turns. */
export async function lockQuote(ctx: TxContext, id: string): Promise<QuoteRow | undefined> {
  return (await lockDocument(ctx, QUOTE, id)) as QuoteRow | undefined;
}

export function storedLines(ctx: TxContext, quoteId: string): Promise<Array<PricedLine & { id: string }>> {
  return storedDocumentLines(ctx, QUOTE, quoteId);
}

/** A quote's figures from its lines, with one line replaced or left out (documents/lines.ts). */
export function recalculateQuote(args: { ctx: TxContext; quote: Pick<QuoteRow, 'id' | 'currency' | 'tax_inclusive' | 'discount_percent' | 'discount_amount'>; change?: PricedLine; without?: string }): Promise<QuoteFigures> {
  return recalculateDocument({ ctx: args.ctx, kind: QUOTE, header: args.quote, ...(args.change ? { change: args.change } : {}), ...(args.without ? { without: args.without } : {}) });
}

/** The quote's stored totals. */
export function quoteColumns(figures: QuoteFigures, rounding: string): Record<string, unknown> {
  return { ...documentColumns(figures), ...QUOTE.extraTotals!(figures), rounding };
}

/** Stores recomputed totals on the quote itself (after a line write), bumping its version: a stale edit of the quote then conflicts. */
export async function storeQuoteTotals(ctx: TxContext, quoteId: string, figures: QuoteFigures, extra: Record<string, unknown> = {}): Promise<void> {
  await storeDocumentTotals(ctx, QUOTE, quoteId, { ...quoteColumns(figures, roundingText(ctx)), ...extra });
}
