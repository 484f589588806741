import { sql } from 'kysely';
import type { TxContext } from '../../../platform/records/context.ts';
import { asSystem } from '../../../platform/records/context.ts';
import { listRecords } from '../../../platform/records/read.ts';

/** A document the law makes us keep, which names the person. */
export interface RetainedDocument {
  object: string;
  id: string;
  name: string;
  reason: string;
}

/**
 * Posted invoices and credit notes naming the contact: bookkeeping law (e.g. §147 AO, 10 years;
 * VAT directive art. 247) requires them kept as issued, so the person's name stays on the
 * contact they point to. Read through the record service: invoicing's tables are its own.
 */
export async function retainedDocuments(ctx: TxContext, object: string, id: string): Promise<RetainedDocument[]> {
  const invoice = ctx.platform.registry.getObject('invoice');
  if (object !== 'contact' || !invoice || !invoice.fields.some((f) => f.apiName === 'contact')) return [];
  const found: RetainedDocument[] = [];
  let cursor: string | undefined;
  do {
    const page = await listRecords({
      ctx: asSystem(ctx),
      object: invoice,
      fields: ['number', 'status'],
      where: sql<boolean>`t0.contact_id = ${id}::uuid AND t0.status <> 'draft'`,
      limit: 200,
      cursor,
    });
    for (const r of page.data) found.push({ object: 'invoice', id: String(r.id), name: String(r.number ?? r.id), reason: 'a posted invoice must be kept as issued (bookkeeping retention)' });
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return found;
}
