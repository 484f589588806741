import { sql } from 'kysely';
import type { AfterSaveArgs, BeforeDeleteArgs, BeforeLockArgs, BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import { refuse, tableOf } from '../context.ts';
import type { DocumentKind } from './kind.ts';
import { lockDocument, recalculateDocument, retotalDocument, storeDocumentTotals, totalsOf } from './lines.ts';
import { saveDocumentLine } from './saveLine.ts';
import { deferredTotals } from './batch.ts';
import { inDocumentCommand, isDocumentDeleting } from './scope.ts';

/**
 * The record-pipeline rules of a document's lines, given the document's own test of whether
 * its status lets its lines change (it throws the document's 409): save (then billing's line
 * rule prices and re-totals), delete (re-totals; lines of a document being deleted just go),
 * restore from the recycle bin (re-totals, or is refused into a locked document), the header's
 * restore, and the lock order (a line's write locks its document first, so writers queue).
 * Commands writing a locked document (documents/scope.ts) pass the status test.
 */
export function documentLineRules(kind: DocumentKind, assertEditable: (status: string) => void) {
  const parentOf = (record: Record<string, unknown>) => String(record[kind.parent]);
  return {
    async save(args: BeforeSaveArgs): Promise<void> {
      const id = parentOf(args.merged);
      const batch = deferredTotals(args.ctx, id);
      const header = batch?.header ?? (await lockDocument(args.ctx, kind, id));
      if (batch && header) batch.header = header;
      if (!header) refuse(kind.parent, 'not_found', `No such ${kind.header}`);
      if (!inDocumentCommand(args.ctx, header.id)) assertEditable(header.status);
      await saveDocumentLine(args, kind, header);
    },
    async delete({ ctx, record }: BeforeDeleteArgs): Promise<void> {
      const id = parentOf(record);
      if (isDocumentDeleting(ctx, id)) return;
      const header = await lockDocument(ctx, kind, id);
      if (!header || header.deleted_at) return;
      if (!inDocumentCommand(ctx, id)) assertEditable(header.status);
      const figures = await recalculateDocument({ ctx, kind, header, without: record.id });
      await storeDocumentTotals(ctx, kind, id, totalsOf(ctx, kind, figures));
    },
    async restore({ ctx, record }: AfterSaveArgs): Promise<void> {
      const header = await lockDocument(ctx, kind, parentOf(record));
      if (!header || header.deleted_at) return;
      if (!inDocumentCommand(ctx, header.id)) assertEditable(header.status);
      await retotalDocument(ctx, kind, header.id);
    },
    async restoreHeader({ ctx, record }: AfterSaveArgs): Promise<void> {
      await retotalDocument(ctx, kind, record.id);
    },
    async lockHeaderFirst({ ctx, id }: BeforeLockArgs): Promise<void> {
      const r = await sql<{ parent: string }>`SELECT ${sql.ref(`${kind.parent}_id`)} AS parent FROM ${tableOf(ctx, kind.line)} WHERE id = ${id}`.execute(ctx.trx);
      if (r.rows[0]) await lockDocument(ctx, kind, r.rows[0].parent);
    },
  };
}
