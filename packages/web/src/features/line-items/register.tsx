import { registerRecordExtension } from '../../lib/extensions';
import { LineItemsPanel } from './LineItemsPanel';
import { OPPORTUNITY_LINES, QUOTE_LINES } from './lines';
import { NewQuoteAction, QuoteStatusActions } from './QuoteActions';

/** A deal's products and quotes, a quote's lines and commands (issue 11 item 12). */
export function registerLineItems(): void {
  registerRecordExtension('opportunity', { Actions: NewQuoteAction, Main: (slot) => <LineItemsPanel kind={OPPORTUNITY_LINES} {...slot} /> });
  registerRecordExtension('quote', { Actions: QuoteStatusActions, Main: (slot) => <LineItemsPanel kind={QUOTE_LINES} {...slot} /> });
}
