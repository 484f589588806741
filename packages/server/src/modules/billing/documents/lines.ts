import { sql } from 'kysely';
import type { TxContext } from '../../../platform/records/context.ts';
import { roundingPolicy, tableOf } from '../context.ts';
import { computeQuoteFigures, type PricedLine, type QuoteFigures } from '../quotes/totals.ts';
import type { DocumentKind } from './kind.ts';

/** The header columns every document's rules read from its locked row. */
export interface DocumentRow {
  id: string;
  status: string;
  currency: string;
  tax_inclusive: boolean | null;
  discount_percent: string | null;
  discount_amount: string | null;
  owner_id: string;
  account_id: string;
  price_date: string | null;
  number: string | null;
  version: number;
  deleted_at: Date | null;
  [extra: string]: unknown;
}

export type DocumentFigures = QuoteFigures;
type Totalled = Pick<DocumentRow, 'currency' | 'tax_inclusive' | 'discount_percent' | 'discount_amount'>;

/** The document's row, locked until the transaction ends: line writes, commands and header saves of one document take turns. */
export async function lockDocument(ctx: TxContext, kind: DocumentKind, id: string): Promise<DocumentRow | undefined> {
  const extra = (kind.extraColumns ?? []).map((c) => sql`${sql.ref(c)}::text AS ${sql.ref(c)}`);
  const r = await sql<DocumentRow>`SELECT id, status, currency, tax_inclusive, discount_percent::text, discount_amount::text, owner_id, account_id,
      price_date::text AS price_date, number, version, deleted_at${extra.length ? sql`, ${sql.join(extra)}` : sql``}
    FROM ${tableOf(ctx, kind.header)} WHERE id = ${id} FOR UPDATE`.execute(ctx.trx);
  return r.rows[0];
}

/**
 * lockDocument for several documents of one kind (the orders an invoice is made from): locked in
 * id order with one statement, so two commands locking overlapping sets queue instead of
 * deadlocking, as they would locking one by one in that order.
 */
export async function lockDocuments(ctx: TxContext, kind: DocumentKind, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await sql`SELECT id FROM ${tableOf(ctx, kind.header)} WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`.execute(ctx.trx);
}

export async function storedDocumentLines(ctx: TxContext, kind: DocumentKind, headerId: string): Promise<Array<PricedLine & { id: string }>> {
  const r = await sql<PricedLine & { id: string }>`SELECT id, id::text AS key, quantity::text AS quantity, unit_price::text AS unit_price, list_price::text AS list_price,
      discount_percent::text AS discount_percent, discount_amount::text AS discount_amount, taxes, ${kind.selectable ? sql`selected` : sql`true AS selected`}
    FROM ${tableOf(ctx, kind.line)} WHERE ${sql.ref(`${kind.parent}_id`)} = ${headerId} AND deleted_at IS NULL ORDER BY position NULLS LAST, id`.execute(ctx.trx);
  return r.rows;
}

/**
 * Recomputes a document's figures from its lines with the money kernel, with one line replaced
 * (the one being saved: `change`) or left out (`without`, the one being deleted), and stores the
 * other lines' figures set-based. Returns the figures; the caller puts the document's totals and
 * the changed line's figures into the record being saved, so the answer of every save is current.
 */
export async function recalculateDocument(args: { ctx: TxContext; kind: DocumentKind; header: Totalled & { id: string }; change?: PricedLine; without?: string }): Promise<DocumentFigures> {
  const { ctx, kind, header, change, without } = args;
  const lines = (await storedDocumentLines(ctx, kind, header.id)).filter((l) => l.id !== without && l.id !== change?.key);
  if (change) lines.push({ ...change, id: change.key });
  const figures = figuresOf(ctx, header, lines);
  const rows = lines.filter((l) => l.key !== change?.key).map((l) => ({ id: l.id, ...lineColumns(figures, l.key) }));
  if (rows.length) {
    await sql`UPDATE ${tableOf(ctx, kind.line)} AS t SET gross = r.gross, line_discount = r.line_discount, net = r.net, document_discount = r.document_discount,
        taxable = r.taxable, tax_total = r.tax_total, total = r.total
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(id uuid, gross numeric, line_discount numeric, net numeric, document_discount numeric, taxable numeric, tax_total numeric, total numeric)
      WHERE t.id = r.id`.execute(ctx.trx);
  }
  return figures;
}

/** The figures of a document's header with the given lines (the kernel's one computation, stored or previewed). */
export function figuresOf(ctx: TxContext, header: Totalled, lines: PricedLine[]): DocumentFigures {
  const discount = header.discount_percent !== null && header.discount_percent !== undefined && Number(header.discount_percent) !== 0
    ? { percent: String(header.discount_percent) }
    : header.discount_amount !== null && header.discount_amount !== undefined && Number(header.discount_amount) !== 0 ? { amount: String(header.discount_amount) } : null;
  return computeQuoteFigures({ currency: header.currency, rounding: roundingPolicy(ctx.platform), taxInclusive: header.tax_inclusive === true, discount, lines });
}

/** A line's stored figures (numbers, as the record API carries amounts). */
export function lineColumns(figures: DocumentFigures, key: string): Record<string, number> {
  const l = figures.lines.get(key)!;
  return {
    gross: Number(l.gross), line_discount: Number(l.lineDiscount), net: Number(l.net), document_discount: Number(l.documentDiscount),
    taxable: Number(l.taxable), tax_total: Number(l.taxTotal), total: Number(l.total),
  };
}

/** A document's stored totals. */
export function documentColumns(figures: DocumentFigures): Record<string, number> {
  const d = figures.document;
  return { subtotal: Number(d.subtotal), discount_total: Number(d.documentDiscount), taxable: Number(d.taxable), tax_total: Number(d.taxTotal), total: Number(d.total) };
}

/** The header's stored figures: the shared totals, the kind's own, and the rounding they were computed with. */
export function totalsOf(ctx: TxContext, kind: DocumentKind, figures: DocumentFigures): Record<string, unknown> {
  return { ...documentColumns(figures), ...(kind.extraTotals?.(figures) ?? {}), rounding: roundingText(ctx) };
}

/** Recomputes and stores a document's totals from its stored lines (after lines were written or restored). */
export async function retotalDocument(ctx: TxContext, kind: DocumentKind, id: string, extra: Record<string, unknown> = {}, locked?: DocumentRow): Promise<DocumentFigures> {
  // The caller may have locked and read the document a moment ago in this transaction (`locked`).
  const header = locked ?? (await lockDocument(ctx, kind, id))!;
  const taxInclusive = 'tax_inclusive' in extra ? (extra.tax_inclusive as boolean | null) : header.tax_inclusive;
  const figures = await recalculateDocument({ ctx, kind, header: { ...header, tax_inclusive: taxInclusive } });
  await storeDocumentTotals(ctx, kind, id, { ...totalsOf(ctx, kind, figures), ...extra });
  return figures;
}

/** Stores recomputed totals on the document itself (after a line write), bumping its version: a stale edit of the header then conflicts. */
export async function storeDocumentTotals(ctx: TxContext, kind: DocumentKind, id: string, values: Record<string, unknown>): Promise<void> {
  const sets = Object.entries(values).map(([k, v]) => sql`${sql.ref(k)} = ${v}`);
  await sql`UPDATE ${tableOf(ctx, kind.header)} SET ${sql.join(sets)}, version = version + 1, updated_at = now() WHERE id = ${id}`.execute(ctx.trx);
}

export function roundingText(ctx: TxContext): string {
  const r = roundingPolicy(ctx.platform);
  return `${r.mode}/${r.scope}`;
}
