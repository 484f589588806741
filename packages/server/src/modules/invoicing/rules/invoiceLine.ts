import { sql } from 'kysely';
import type { AfterSaveArgs, BeforeDeleteArgs, BeforeLockArgs, BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import { inDocumentCommand, isDocumentDeleting, lockDocument, recalculateDocument, refuse, retotalDocument, saveDocumentLine, storeDocumentTotals, tableOf, totalsOf } from '../../billing/index.ts';
import { assertCanRun } from '../status.ts';
import { INVOICE } from '../kind.ts';
import type { InvoiceStatus } from '../objects.ts';

/** An invoice line's save: the invoice must be a draft unless a command writes (409 `invoice_posted`); then billing's shared line rule prices it and re-totals the invoice. */
export async function saveInvoiceLine(args: BeforeSaveArgs): Promise<void> {
  const { ctx, merged } = args;
  const invoice = await lockDocument(ctx, INVOICE, String(merged.invoice));
  if (!invoice) refuse('invoice', 'not_found', 'No such invoice');
  if (!inDocumentCommand(ctx, invoice.id)) assertCanRun('edit', invoice.status as InvoiceStatus);
  await saveDocumentLine(args, INVOICE, invoice);
}

/** A line deleted from a draft re-totals it; lines of an invoice being deleted just go. */
export async function deleteInvoiceLine({ ctx, record }: BeforeDeleteArgs): Promise<void> {
  const id = String(record.invoice);
  if (isDocumentDeleting(ctx, id)) return;
  const invoice = await lockDocument(ctx, INVOICE, id);
  if (!invoice || invoice.deleted_at) return;
  if (!inDocumentCommand(ctx, id)) assertCanRun('edit', invoice.status as InvoiceStatus);
  const figures = await recalculateDocument({ ctx, kind: INVOICE, header: invoice, without: record.id });
  await storeDocumentTotals(ctx, INVOICE, id, totalsOf(ctx, INVOICE, figures));
}

/** A line back from the recycle bin re-totals its draft; into a posted invoice it is refused (the restore is undone). */
export async function restoreInvoiceLine({ ctx, record }: AfterSaveArgs): Promise<void> {
  const invoice = await lockDocument(ctx, INVOICE, String(record.invoice));
  if (!invoice || invoice.deleted_at) return;
  if (!inDocumentCommand(ctx, invoice.id)) assertCanRun('edit', invoice.status as InvoiceStatus);
  await retotalDocument(ctx, INVOICE, invoice.id);
}

export async function restoreInvoice({ ctx, record }: AfterSaveArgs): Promise<void> {
  await retotalDocument(ctx, INVOICE, record.id);
}

/** A line's write locks its invoice first, like the invoice's own writes and commands, so they queue instead of deadlocking. */
export async function lockInvoiceFirst({ ctx, id }: BeforeLockArgs): Promise<void> {
  const r = await sql<{ invoice_id: string }>`SELECT invoice_id FROM ${tableOf(ctx, 'invoice_line')} WHERE id = ${id}`.execute(ctx.trx);
  if (r.rows[0]) await lockDocument(ctx, INVOICE, r.rows[0].invoice_id);
}
