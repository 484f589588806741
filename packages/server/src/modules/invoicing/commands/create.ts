import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { createRecord } from '../../../platform/records/write.ts';
import { getRecord } from '../../../platform/records/read.ts';
import { prefixErrors, writeDocumentLines } from '../../billing/index.ts';
import { INVOICE } from '../kind.ts';
import { readInvoiceLines } from './common.ts';

export interface CreateInvoiceInput {
  /** Header fields (account, contact, currency, payment_terms, po_number, discount…). */
  invoice: Record<string, unknown>;
  /** Lines (product, quantity, unit_price, discount…), priced like quote lines. */
  lines?: Array<Record<string, unknown>>;
}

/** A line a command copies from another document: its priced values (taxes included) as system values, so it keeps the price it was sold at. */
export interface CopiedLine {
  input: Record<string, unknown>;
  systemValues: Record<string, unknown>;
}

/**
 * Creates a draft invoice with its lines in one transaction; any refused line
 * (`lines[2].quantity`) leaves nothing behind. Commands that copy lines from other documents
 * (orders, the invoice a credit note corrects) pass `copied` lines and header `systemValues`.
 */
export async function createInvoice(args: {
  ctx: RecordContext; input: CreateInvoiceInput; systemValues?: Record<string, unknown>; copied?: CopiedLine[];
  /** Answer the lines too (default); a run that only posts the invoice needs none of them. */
  readLines?: boolean;
}): Promise<{ invoice: ApiRecord; lines: ApiRecord[] }> {
  return inTransaction(args.ctx, async (ctx) => {
    const object = ctx.platform.registry.requireObject('invoice');
    const created = await createRecord({
      ctx, object, input: args.input.invoice, options: { pathPrefix: 'invoice.', ...(args.systemValues ? { systemValues: args.systemValues } : {}) },
    }).catch((error: unknown) => {
      throw prefixErrors(error, 'invoice.');
    });
    await writeDocumentLines({ ctx, kind: INVOICE, header: created, lines: [...(args.input.lines ?? []).map((input) => ({ input })), ...(args.copied ?? [])] });
    return { invoice: await getRecord({ ctx, object, id: created.id }), lines: args.readLines === false ? [] : await readInvoiceLines(ctx, created.id) };
  });
}
