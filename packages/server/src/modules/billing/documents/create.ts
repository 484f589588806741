import { AppError } from '../../../platform/errors.ts';
import type { RecordContext, TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { createRecords, type WriteOptions } from '../../../platform/records/write.ts';
import { listRecords, MAX_PAGE_SIZE } from '../../../platform/records/read.ts';
import { isBlank } from '../context.ts';
import { withPriceMemo } from '../queries/priceMemo.ts';
import { primePrices } from '../queries/resolvePrice.ts';
import type { DocumentKind } from './kind.ts';
import { withDeferredTotals } from './batch.ts';
import { withDeferredTotalsOfMany } from './batchMany.ts';

/** A document's lines in order, through the record service (the reader's access applies). */
export async function readDocumentLines(ctx: RecordContext, kind: DocumentKind, id: string): Promise<ApiRecord[]> {
  return (await readLinesOfDocuments(ctx, kind, [id])).get(id)!;
}

/**
 * The lines of one or several documents of one kind (an invoice's orders) with one listing, through
 * the record service (the reader's access applies): each document's lines in order, keyed by document.
 */
export async function readLinesOfDocuments(ctx: RecordContext, kind: DocumentKind, ids: string[]): Promise<Map<string, ApiRecord[]>> {
  const object = ctx.platform.registry.requireObject(kind.line);
  const byDocument = new Map<string, ApiRecord[]>(ids.map((id) => [id, []]));
  if (!ids.length) return byDocument;
  let cursor: string | undefined;
  do {
    const page = await listRecords({ ctx, object, filter: { field: kind.parent, op: 'in', value: ids }, sort: 'position', limit: MAX_PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    for (const line of page.data) byDocument.get(String(line[kind.parent]))?.push(line);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return byDocument;
}

/** Rules name the record's own fields; in a composite request they are named under their place in the body. */
export function prefixErrors(error: unknown, prefix: string): unknown {
  if (!(error instanceof AppError)) return error;
  return new AppError(error.code, error.message, { errors: error.errors.map((e) => ({ ...e, field: e.field.startsWith(prefix) ? e.field : prefix + e.field })), extra: error.extra });
}

/** A document's new lines as they are written: its header, the prefix naming its lines' errors, and the lines. */
interface DocumentLines {
  header: ApiRecord;
  prefix: string;
  lines: Array<{ input: Record<string, unknown>; systemValues?: Record<string, unknown> }>;
}

/**
 * The lines of one or more documents priced with one memo (the accounts, books, units, taxes and
 * products read once) and created through the record pipeline together: every line validated and
 * saved by the line rules, then one insert and one history statement for them all (createRecords).
 * `systemValues` of a line (copied prices, taxes) go through as the command's own values.
 */
async function createDocumentLines(ctx: TxContext, kind: DocumentKind, documents: DocumentLines[]): Promise<void> {
  const lineObject = ctx.platform.registry.requireObject(kind.line);
  await withPriceMemo(ctx, async (memo) => {
    await primePrices(ctx, memo, documents.flatMap(({ header, lines }) => lines.filter((l) => !l.systemValues && typeof l.input.product === 'string').map(({ input: l }) => ({
      account: String(header.account), product: String(l.product), quantity: String(l.quantity ?? 1), currency: String(header.currency),
      ...(isBlank(l.product_spec) ? {} : { spec: String(l.product_spec) }), ...(isBlank(l.unit_of_measure) ? {} : { uom: String(l.unit_of_measure) }),
      ...(isBlank(header.price_date) ? {} : { date: String(header.price_date) }),
    }))));
    await createRecords({
      ctx, object: lineObject,
      records: documents.flatMap(({ header, prefix, lines }) => lines.map((line, i) => ({
        input: { ...line.input, [kind.parent]: header.id },
        options: { pathPrefix: `${prefix}lines[${i}].`, ...(line.systemValues ? { systemValues: line.systemValues } : {}) } satisfies WriteOptions,
      }))),
    });
  });
}

/**
 * Writes a document's lines in the caller's transaction (createDocumentLines), totalled once at
 * the end. A refused line is named `lines[i].field`.
 */
export async function writeDocumentLines(args: { ctx: TxContext; kind: DocumentKind; header: ApiRecord; lines: DocumentLines['lines'] }): Promise<void> {
  const { ctx, kind, header, lines } = args;
  await withDeferredTotals(ctx, kind, header.id, () => createDocumentLines(ctx, kind, [{ header, prefix: '', lines }]));
}

/**
 * writeDocumentLines for several documents of one kind at once (a run's invoices, one per
 * account): every line of every document in one createDocumentLines, the documents locked and
 * re-totalled together (batchMany.ts). A refused line is named `<prefix>lines[i].field`, its
 * document's prefix first.
 */
export async function writeLinesOfDocuments(args: { ctx: TxContext; kind: DocumentKind; documents: DocumentLines[] }): Promise<void> {
  const { ctx, kind, documents } = args;
  await withDeferredTotalsOfMany(ctx, kind, documents.map((d) => ({ id: d.header.id, prefix: d.prefix })), () => createDocumentLines(ctx, kind, documents));
}
