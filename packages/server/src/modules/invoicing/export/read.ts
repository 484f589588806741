import { sql } from 'kysely';
import type { RecordContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { getRecord, listRecords, MAX_PAGE_SIZE } from '../../../platform/records/read.ts';
import { readableFields } from '../../../platform/access/policy.ts';
import { isBlank, readDocumentLines } from '../../billing/index.ts';
import { INVOICE } from '../kind.ts';
import { assertCanRun } from '../status.ts';
import type { InvoiceStatus } from '../objects.ts';

/** What an export needs of one posted invoice or credit note, read with the caller's access. */
export interface ExportDocument {
  invoice: ApiRecord;
  lines: ApiRecord[];
  /** Related records the caller may not read are null (their names are then left out). */
  account: ApiRecord | null;
  contact: ApiRecord | null;
  /** Product id → name and code; unit of measure id → code. */
  products: Map<string, { name: string | null; code: string | null }>;
  units: Map<string, string>;
  /** On a credit note: the number and date of the invoice it credits. */
  credited: { number: string | null; date: string | null } | null;
}

export type ExportKind = 'invoice' | 'credit_note' | 'all';

/** Statuses of documents that were posted: a void invoice keeps its number and is in the books with its credit note. */
export const EXPORTED_STATUSES: InvoiceStatus[] = ['posted', 'partially_paid', 'paid', 'void'];

const ACCOUNT_FIELDS = ['name', 'email', 'account_number', 'billing_street', 'billing_city', 'billing_state', 'billing_postal_code', 'billing_country'];

/**
 * The posted invoices and credit notes dated from–to (inclusive, invoice dates), a page at a
 * time in (invoice date, id) order through the record service — keyset cursors, the caller's
 * visibility compiled into each query — so an export of 100,000 invoices holds one page (at most
 * MAX_PAGE_SIZE documents with their lines) in memory at a time.
 */
export async function* exportPages(ctx: RecordContext, args: { from: string; to: string; kind: ExportKind }): AsyncGenerator<ExportDocument[]> {
  const object = ctx.platform.registry.requireObject('invoice');
  const filter = {
    and: [
      { field: 'status', op: 'in', value: EXPORTED_STATUSES },
      { field: 'invoice_date', op: 'gte', value: args.from },
      { field: 'invoice_date', op: 'lte', value: args.to },
      ...(args.kind === 'all' ? [] : [{ field: 'kind', op: 'eq', value: args.kind }]),
    ],
  };
  let cursor: string | undefined;
  do {
    const page = await listRecords({ ctx, object, filter, sort: 'invoice_date', limit: MAX_PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    if (page.data.length) yield await completeDocuments(ctx, page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/** One posted invoice or credit note (404 when the caller cannot see it, 409 `invoice_not_posted` for a draft). */
export async function readExportDocument(ctx: RecordContext, id: string): Promise<ExportDocument> {
  const invoice = await getRecord({ ctx, object: ctx.platform.registry.requireObject('invoice'), id });
  assertCanRun('send', invoice.status as InvoiceStatus);
  const [document] = await completeDocuments(ctx, [invoice], await readDocumentLines(ctx, INVOICE, invoice.id));
  return document!;
}

/** The documents' lines, accounts, contacts, products, units and credited invoices, one query (or page) per object. */
async function completeDocuments(ctx: RecordContext, invoices: ApiRecord[], knownLines?: ApiRecord[]): Promise<ExportDocument[]> {
  const lines = knownLines ?? (await linesOf(ctx, invoices.map((i) => i.id)));
  const [accounts, contacts, products, units, credited] = await Promise.all([
    byId(ctx, 'account', invoices.map((i) => i.account), ACCOUNT_FIELDS),
    byId(ctx, 'contact', invoices.map((i) => i.contact), ['email']),
    byId(ctx, 'product', lines.map((l) => l.product), ['name', 'code']),
    byId(ctx, 'unit_of_measure', lines.map((l) => l.unit_of_measure), ['code']),
    byId(ctx, 'invoice', invoices.map((i) => i.credited_invoice), ['number', 'invoice_date']),
  ]);
  const productMap = new Map([...products].map(([id, p]) => [id, { name: text(p.name), code: text(p.code) }]));
  const unitMap = new Map([...units].map(([id, u]) => [id, String(u.code ?? '')]));
  const linesBy = new Map<string, ApiRecord[]>();
  for (const line of lines) {
    const key = String(line.invoice);
    linesBy.set(key, [...(linesBy.get(key) ?? []), line]);
  }
  return invoices.map((invoice) => {
    const original = isBlank(invoice.credited_invoice) ? undefined : credited.get(String(invoice.credited_invoice));
    return {
      invoice,
      lines: linesBy.get(invoice.id) ?? [],
      account: accounts.get(String(invoice.account)) ?? null,
      contact: contacts.get(String(invoice.contact)) ?? null,
      products: productMap,
      units: unitMap,
      credited: invoice.kind === 'credit_note' ? { number: text(original?.number), date: text(original?.invoice_date) } : null,
    };
  });
}

/** The lines of a page of documents in position order, paged with the record service's cursors. */
async function linesOf(ctx: RecordContext, ids: string[]): Promise<ApiRecord[]> {
  const object = ctx.platform.registry.requireObject(INVOICE.line);
  const all: ApiRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await listRecords({ ctx, object, sort: 'position', limit: MAX_PAGE_SIZE, where: sql<boolean>`t0.invoice_id = ANY(${ids}::uuid[])`, ...(cursor ? { cursor } : {}) });
    all.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

/** The records of one object the caller may read, by id (an object their profile cannot read gives none). */
async function byId(ctx: RecordContext, object: string, refs: unknown[], fields: string[]): Promise<Map<string, ApiRecord>> {
  const ids = [...new Set(refs.filter((r) => !isBlank(r)).map(String))];
  const out = new Map<string, ApiRecord>();
  const definition = ctx.platform.registry.requireObject(object);
  // Only fields the caller may read (field-level security), and only objects their profile reads.
  const readable = new Set(readableFields(ctx.actor, definition).map((f) => f.apiName));
  const wanted = fields.filter((f) => readable.has(f));
  for (let i = 0; i < ids.length; i += MAX_PAGE_SIZE) {
    const chunk = ids.slice(i, i + MAX_PAGE_SIZE);
    const page = await listRecords({ ctx, object: definition, fields: wanted, limit: MAX_PAGE_SIZE, where: sql<boolean>`t0.id = ANY(${chunk}::uuid[])` })
      .catch(() => ({ data: [] as ApiRecord[] }));
    for (const r of page.data) out.set(r.id, r);
  }
  return out;
}

export const text = (v: unknown): string | null => (isBlank(v) ? null : String(v).trim() || null);
