import type { RecordContext } from '../../../../platform/records/context.ts';
import { inTransaction } from '../../../../platform/records/context.ts';
import type { ApiRecord } from '../../../../platform/records/hooks.ts';
import { buildQuoteDocument } from './build.ts';
import { drawQuotePdf } from './draw.ts';
import { readQuoteDocumentInput } from './read.ts';

/**
 * The quote as a PDF, read as the context's actor (a quote they cannot see is a 404). Used by
 * the PDF route, the quote e-mail's attachment and the online quote (and its sealed copy).
 */
export async function renderQuotePdf(args: { ctx: RecordContext; id: string }): Promise<{ pdf: Buffer; filename: string; quote: ApiRecord }> {
  const input = await inTransaction(args.ctx, (tx) => readQuoteDocumentInput(tx, args.id));
  const pdf = await drawQuotePdf(buildQuoteDocument(input));
  return { pdf, filename: quotePdfFileName(String(input.quote.name)), quote: input.quote as ApiRecord };
}

/** "Q-2026-00042 v2" → "Q-2026-00042-v2.pdf": letters, digits, dot, dash and underscore only. */
export function quotePdfFileName(name: string): string {
  const safe = name.normalize('NFKD').replace(/\p{M}+/gu, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '');
  return `${safe || 'quote'}.pdf`;
}
