/**
 * What quotes offer the rest of Meridian (the quote documents: PDF, e-mail, public page):
 * the named commands and the objects' statuses. Routes are in routes.ts.
 */
export { QUOTE_STATUSES, type QuoteStatus } from './objects.ts';
export { sendQuote, APPROVE_DISCOUNTS } from './commands/send.ts';
export { approveQuote, rejectQuote } from './commands/approve.ts';
export { markQuoteViewed, declineQuote, expireQuote } from './commands/answer.ts';
export { acceptQuote, type AcceptInput, type AcceptResult } from './commands/accept.ts';
export { reviseQuote } from './commands/revise.ts';
export { expireQuotes } from './commands/expireQuotes.ts';
export { canRun, assertCanRun, type QuoteCommand } from './status.ts';
export { computeQuoteFigures, type PricedLine, type QuoteFigures } from './totals.ts';
export { nextDocumentNumber, nextDocumentNumbers, parseNumberFormat } from './numbering.ts';
export { renderQuotePdf, quotePdfFileName } from './document/render.ts';
export { buildQuoteDocument, type QuoteDocumentInput } from './document/build.ts';
export { drawQuotePdf } from './document/draw.ts';
export type { QuoteDocumentView, QuoteDocumentLine } from './document/view.ts';
