import { sql } from 'kysely';
import { inTransaction, type RecordContext } from '../../../../platform/records/context.ts';
import type { ApiRecord } from '../../../../platform/records/hooks.ts';
import { createRecord } from '../../../../platform/records/write.ts';
import { getRecord } from '../../../../platform/records/read.ts';
import { isBlank, tableOf } from '../../context.ts';
import { prefixErrors, readDocumentLines, writeDocumentLines } from '../../documents/create.ts';
import { QUOTE } from '../recalculate.ts';

export interface CreateQuoteInput {
  /** Header fields of the quote (account, contact, currency, valid_until, terms, discount…). */
  quote: Record<string, unknown>;
  /** Lines (product, quantity, unit_price, discount…); with an opportunity and no lines, its products are copied. */
  lines?: Array<Record<string, unknown>>;
}

const FROM_OPPORTUNITY = ['product', 'product_spec', 'unit_of_measure', 'description', 'quantity', 'unit_price'];

/**
 * Creates a quote with its lines in one transaction — standalone, or from an opportunity whose
 * products become the lines (their unit prices kept) when no lines are given. Any refused line
 * (`lines[2].quantity`) leaves nothing behind.
 */
export async function createQuote(args: { ctx: RecordContext; input: CreateQuoteInput }): Promise<{ quote: ApiRecord; lines: ApiRecord[] }> {
  return inTransaction(args.ctx, async (ctx) => {
    const quoteObject = ctx.platform.registry.requireObject('quote');
    const created = await createRecord({ ctx, object: quoteObject, input: args.input.quote, options: { pathPrefix: 'quote.' } }).catch((error: unknown) => {
      throw prefixErrors(error, 'quote.');
    });
    let lines = args.input.lines;
    if (!lines?.length && !isBlank(created.opportunity)) {
      const r = await sql<Record<string, unknown>>`SELECT product_id AS product, product_spec_id AS product_spec, unit_of_measure_id AS unit_of_measure, description,
          quantity::text AS quantity, unit_price::text AS unit_price
        FROM ${tableOf(ctx, 'opportunity_line')} WHERE opportunity_id = ${created.opportunity} AND deleted_at IS NULL ORDER BY id`.execute(ctx.trx);
      lines = r.rows.map((row) => Object.fromEntries(FROM_OPPORTUNITY.map((f) => [f, row[f]]).filter(([, v]) => v !== null)));
    }
    await writeDocumentLines({ ctx, kind: QUOTE, header: created, lines: (lines ?? []).map((input) => ({ input })) });
    // The quote was re-totalled once its lines were in: answer with the stored figures.
    return { quote: await getRecord({ ctx, object: quoteObject, id: created.id }), lines: await readQuoteLines(ctx, created.id) };
  });
}

/** A quote's lines in order, through the record service (the reader's access applies). */
export function readQuoteLines(ctx: RecordContext, quoteId: string): Promise<ApiRecord[]> {
  return readDocumentLines(ctx, QUOTE, quoteId);
}
