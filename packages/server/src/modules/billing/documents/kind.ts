import type { QuoteFigures } from '../quotes/totals.ts';

/**
 * A priced document of billing's kernel — quote, order, invoice — named by its header object,
 * its line object and the line's lookup to the header. The totals machinery (lines.ts), the
 * line rule (saveLine.ts) and copying lines between documents (copyLines.ts) take one of these,
 * so every document is totalled by the same code and shows the same figures everywhere.
 */
export interface DocumentKind {
  header: string;
  line: string;
  /** The line's lookup field to its header (`quote`, `order`, `invoice`); the column is `<parent>_id`. */
  parent: string;
  /** Lines can be optional and left out of the totals (quotes: the customer chooses). */
  selectable: boolean;
  /** Header columns beyond the shared ones that the document's rules read from the locked row (read as text). */
  extraColumns?: readonly string[];
  /** Header figures beyond the shared totals, stored with them (a quote's effective discount). */
  extraTotals?: (figures: QuoteFigures) => Record<string, unknown>;
}
