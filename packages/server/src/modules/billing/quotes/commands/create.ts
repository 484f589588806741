import { sql } from 'kysely';
import { AppError } from '../../../../platform/errors.ts';
import { inTransaction, type RecordContext } from '../../../../platform/records/context.ts';
import type { ApiRecord } from '../../../../platform/records/hooks.ts';
import { createRecord } from '../../../../platform/records/write.ts';
import { getRecord, listRecords, MAX_PAGE_SIZE } from '../../../../platform/records/read.ts';
import { isBlank, tableOf } from '../../context.ts';
import { withDeferredTotals } from '../batch.ts';
import { withPriceMemo } from '../../queries/priceMemo.ts';
import { primePrices } from '../../queries/resolvePrice.ts';

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
    const lineObject = ctx.platform.registry.requireObject('quote_line');
    const created = await createRecord({ ctx, object: quoteObject, input: args.input.quote, options: { pathPrefix: 'quote.' } }).catch((error: unknown) => {
      throw prefixed(error, 'quote.');
    });
    let lines = args.input.lines;
    if (!lines?.length && !isBlank(created.opportunity)) {
      const r = await sql<Record<string, unknown>>`SELECT product_id AS product, product_spec_id AS product_spec, unit_of_measure_id AS unit_of_measure, description,
          quantity::text AS quantity, unit_price::text AS unit_price
        FROM ${tableOf(ctx, 'opportunity_line')} WHERE opportunity_id = ${created.opportunity} AND deleted_at IS NULL ORDER BY id`.execute(ctx.trx);
      lines = r.rows.map((row) => Object.fromEntries(FROM_OPPORTUNITY.map((f) => [f, row[f]]).filter(([, v]) => v !== null)));
    }
    // The lines are priced with one memo (queries/priceMemo.ts): account, book, units, taxes and
    // products are read once for the quote, not once per line.
    await withDeferredTotals(ctx, created.id, () => withPriceMemo(ctx, async (memo) => {
      await primePrices(ctx, memo, (lines ?? []).filter((l) => typeof l.product === 'string').map((l) => ({
        account: String(created.account), product: String(l.product), quantity: String(l.quantity ?? 1), currency: String(created.currency),
        ...(isBlank(l.product_spec) ? {} : { spec: String(l.product_spec) }), ...(isBlank(l.unit_of_measure) ? {} : { uom: String(l.unit_of_measure) }),
        ...(isBlank(created.price_date) ? {} : { date: String(created.price_date) }),
      })));
      for (const [i, line] of (lines ?? []).entries()) {
        await createRecord({ ctx, object: lineObject, input: { ...line, quote: created.id }, options: { pathPrefix: `lines[${i}].` } }).catch((error: unknown) => {
          throw prefixed(error, `lines[${i}].`);
        });
      }
    }));
    // The quote was re-totalled once its lines were in: answer with the stored figures.
    return { quote: await getRecord({ ctx, object: quoteObject, id: created.id }), lines: await readQuoteLines(ctx, created.id) };
  });
}

/** A quote's lines in order, through the record service (the reader's access applies). */
export async function readQuoteLines(ctx: RecordContext, quoteId: string): Promise<ApiRecord[]> {
  const object = ctx.platform.registry.requireObject('quote_line');
  const all: ApiRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await listRecords({ ctx, object, filter: { field: 'quote', op: 'eq', value: quoteId }, sort: 'position', limit: MAX_PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    all.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

/** Rules name the record's own fields; in a composite request they are named under their place in the body. */
function prefixed(error: unknown, prefix: string): unknown {
  if (!(error instanceof AppError)) return error;
  return new AppError(error.code, error.message, { errors: error.errors.map((e) => ({ ...e, field: e.field.startsWith(prefix) ? e.field : prefix + e.field })), extra: error.extra });
}
