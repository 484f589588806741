import { sql } from 'kysely';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { inTransaction, type RecordContext, type TxContext } from '../../../platform/records/context.ts';
import { assertVersion, loadForUpdate, updateRecord } from '../../../platform/records/write.ts';
import { asDocumentCommand, readDocumentLines } from '../../billing/index.ts';
import { INVOICE } from '../kind.ts';
import { assertCanRun, type InvoiceCommand } from '../status.ts';
import type { InvoiceStatus } from '../objects.ts';

export interface InvoiceCommandArgs {
  ctx: RecordContext;
  id: string;
  /** The version the caller read (If-Match); an invoice changed since is a 409 version_conflict. */
  expectedVersion?: number;
}

/**
 * Runs one named command on an invoice in one transaction: the invoice row is locked and loaded
 * with the caller's access (404 for one they cannot see, forged ids included), the version
 * checked, the status must allow the command (status.ts), then `run` writes through the record
 * pipeline as a document command (billing's scope), which the locked-document rules let through.
 */
export async function runInvoiceCommand<T>(args: InvoiceCommandArgs & { command: InvoiceCommand; mode?: 'read' | 'edit'; run: (ctx: TxContext, invoice: ApiRecord) => Promise<T> }): Promise<T> {
  return inTransaction(args.ctx, async (ctx) => {
    const object = ctx.platform.registry.requireObject('invoice');
    const invoice = await loadForUpdate(ctx, object, args.id, { mode: args.mode ?? 'edit' });
    assertVersion(object, invoice, args.expectedVersion);
    assertCanRun(args.command, invoice.status as InvoiceStatus);
    return asDocumentCommand(ctx, invoice.id, () => args.run(ctx, invoice));
  });
}

/** A command's change of the invoice's read-only fields (status, number, stamps, figures), through the record pipeline. */
export function setInvoiceValues(ctx: TxContext, id: string, values: Record<string, unknown>): Promise<ApiRecord> {
  return asDocumentCommand(ctx, id, () => updateRecord({ ctx, object: ctx.platform.registry.requireObject('invoice'), id, input: {}, options: { systemValues: values } }));
}

/** An invoice's lines in order, through the record service (the reader's access applies). */
export function readInvoiceLines(ctx: RecordContext, invoiceId: string): Promise<ApiRecord[]> {
  return readDocumentLines(ctx, INVOICE, invoiceId);
}

/** How many live lines a document has (a set-based read of its own table). */
export async function lineCount(ctx: TxContext, invoiceId: string): Promise<number> {
  const table = sql.table(ctx.platform.registry.requireObject('invoice_line').table);
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${table} WHERE invoice_id = ${invoiceId} AND deleted_at IS NULL`.execute(ctx.trx);
  return r.rows[0]!.n;
}

export const now = () => new Date().toISOString();
