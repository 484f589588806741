import { registerRecordExtension } from '../../lib/extensions';
import { QuoteDocumentActions } from './QuoteDocumentActions';

/** A quote's record page offers its PDF, e-mailing it and links to the online quote. */
export function registerQuoteDocuments(): void {
  registerRecordExtension('quote', { Actions: QuoteDocumentActions });
}
