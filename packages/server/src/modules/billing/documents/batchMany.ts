import { sql } from 'kysely';
import type { TxContext } from '../../../platform/records/context.ts';
import { AppError } from '../../../platform/errors.ts';
import { tableOf } from '../context.ts';
import type { PricedLine } from '../quotes/totals.ts';
import type { DocumentKind } from './kind.ts';
import { openBatches, type Batch } from './batch.ts';
import { figuresOf, lineColumns, totalsOf, type DocumentFigures, type DocumentRow } from './lines.ts';

/**
 * withDeferredTotals for several documents of one kind whose lines are written together (a run's
 * invoices, one per account): the documents are locked in id order and read with their next line
 * position by one statement, each line's save finds its document's batch (no lock or position
 * read per document), and at the end every document is re-totalled set-based — all their lines
 * read with one statement, the lines' figures and the documents' totals each stored with one.
 * A document whose figures are refused (a discount above its subtotal) is named by its prefix.
 */
export async function withDeferredTotalsOfMany<T>(ctx: TxContext, kind: DocumentKind, documents: Array<{ id: string; prefix: string }>, fn: () => Promise<T>): Promise<T> {
  const open = openBatches(ctx);
  const locked = await lockDocumentsWithPositions(ctx, kind, documents.map((d) => d.id));
  const batches = new Map<string, Batch>();
  for (const d of documents) {
    const row = locked.get(d.id);
    // A document that is not there is left to the line's own rule, which refuses it by name.
    const batch: Batch = row ? { taxInclusive: null, header: row.header, nextPosition: row.next } : { taxInclusive: null };
    batches.set(d.id, batch);
    open.set(d.id, batch);
  }
  let result: T;
  try {
    result = await fn();
  } finally {
    for (const d of documents) open.delete(d.id);
  }
  await retotalDocuments(ctx, kind, documents.filter((d) => locked.has(d.id)).map((d) => ({ ...d, header: locked.get(d.id)!.header, taxInclusive: batches.get(d.id)!.taxInclusive })));
  return result;
}

/** lockDocument for many, in id order, with each document's next line position. */
async function lockDocumentsWithPositions(ctx: TxContext, kind: DocumentKind, ids: string[]): Promise<Map<string, { header: DocumentRow; next: number }>> {
  const extra = (kind.extraColumns ?? []).map((c) => sql`h.${sql.ref(c)}::text AS ${sql.ref(c)}`);
  const parent = sql.ref(`${kind.parent}_id`);
  const r = await sql<DocumentRow & { next_position: string }>`SELECT h.id, h.status, h.currency, h.tax_inclusive, h.discount_percent::text, h.discount_amount::text, h.owner_id, h.account_id,
      h.price_date::text AS price_date, h.number, h.version, h.deleted_at${extra.length ? sql`, ${sql.join(extra)}` : sql``},
      (SELECT coalesce(max(l.position), 0) + 1 FROM ${tableOf(ctx, kind.line)} l WHERE l.${parent} = h.id AND l.deleted_at IS NULL) AS next_position
    FROM ${tableOf(ctx, kind.header)} h WHERE h.id = ANY(${[...ids].sort()}::uuid[]) ORDER BY h.id FOR UPDATE OF h`.execute(ctx.trx);
  return new Map(r.rows.map(({ next_position, ...header }) => [header.id, { header: header as DocumentRow, next: Number(next_position) }]));
}

/** A line's stored figures (lineColumns). */
const FIGURES = ['gross', 'line_discount', 'net', 'document_discount', 'taxable', 'tax_total', 'total'];

/** retotalDocument for many documents: their lines read with one statement, lines' figures and headers' totals stored with one each. */
async function retotalDocuments(ctx: TxContext, kind: DocumentKind, documents: Array<{ id: string; prefix: string; header: DocumentRow; taxInclusive: boolean | null }>): Promise<Map<string, DocumentFigures>> {
  const parent = sql.ref(`${kind.parent}_id`);
  const r = await sql<PricedLine & { id: string; parent: string; stored: Record<string, string | null> }>`SELECT id, ${parent}::text AS parent, id::text AS key,
      jsonb_build_object(${sql.join(FIGURES.map((c) => sql`${c}::text, ${sql.ref(c)}::text`))}) AS stored, quantity::text AS quantity, unit_price::text AS unit_price, list_price::text AS list_price,
      discount_percent::text AS discount_percent, discount_amount::text AS discount_amount, taxes, ${kind.selectable ? sql`selected` : sql`true AS selected`}
    FROM ${tableOf(ctx, kind.line)} WHERE ${parent} = ANY(${documents.map((d) => d.id)}::uuid[]) AND deleted_at IS NULL ORDER BY ${parent}, position NULLS LAST, id`.execute(ctx.trx);
  const linesOf = new Map<string, Array<PricedLine & { id: string; stored: Record<string, string | null> }>>(documents.map((d) => [d.id, []]));
  for (const { parent: p, ...line } of r.rows) linesOf.get(p)!.push(line);
  const figuresById = new Map<string, DocumentFigures>();
  const lineRows: Array<Record<string, unknown>> = [];
  const headerRows: Array<Record<string, unknown>> = [];
  for (const d of documents) {
    const taxInclusive = d.taxInclusive ?? d.header.tax_inclusive;
    let figures: DocumentFigures;
    try {
      figures = figuresOf(ctx, { ...d.header, tax_inclusive: taxInclusive }, linesOf.get(d.id)!);
    } catch (error) {
      // Only the document's own figures can fail here: named as its header's, under its place.
      if (error instanceof AppError) throw new AppError(error.code, error.message, { errors: error.errors.map((e) => ({ ...e, field: `${d.prefix}${kind.header}.${e.field}` })), extra: error.extra });
      throw error;
    }
    figuresById.set(d.id, figures);
    for (const l of linesOf.get(d.id)!) {
      // Only lines whose figures move (a document discount shared out): a copied line figured alone usually has them already.
      const columns = lineColumns(figures, l.key);
      if (FIGURES.some((c) => l.stored[c] === null || Number(l.stored[c]) !== columns[c])) lineRows.push({ id: l.id, ...columns });
    }
    headerRows.push({ id: d.id, ...totalsOf(ctx, kind, figures), tax_inclusive: taxInclusive });
  }
  if (lineRows.length) {
    await sql`UPDATE ${tableOf(ctx, kind.line)} AS t SET gross = r.gross, line_discount = r.line_discount, net = r.net, document_discount = r.document_discount,
        taxable = r.taxable, tax_total = r.tax_total, total = r.total
      FROM jsonb_to_recordset(${JSON.stringify(lineRows)}::jsonb) AS r(id uuid, gross numeric, line_discount numeric, net numeric, document_discount numeric, taxable numeric, tax_total numeric, total numeric)
      WHERE t.id = r.id`.execute(ctx.trx);
  }
  if (headerRows.length) {
    // The header's own row type types each total, whatever the kind's extra totals are (storeDocumentTotals' columns, for many).
    const columns = Object.keys(headerRows[0]!).filter((c) => c !== 'id');
    await sql`UPDATE ${tableOf(ctx, kind.header)} AS t SET ${sql.join(columns.map((c) => sql`${sql.ref(c)} = r.${sql.ref(c)}`))}, version = t.version + 1, updated_at = now()
      FROM jsonb_populate_recordset(NULL::${tableOf(ctx, kind.header)}, ${JSON.stringify(headerRows)}::jsonb) AS r WHERE t.id = r.id`.execute(ctx.trx);
  }
  return figuresById;
}
