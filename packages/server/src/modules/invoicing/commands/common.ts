import { sql } from 'kysely';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import type { RecordContext, TxContext } from '../../../platform/records/context.ts';
import { readDocumentLines, runDocumentCommand, setDocumentValues } from '../../billing/index.ts';
import { INVOICE } from '../kind.ts';
import { assertCanRun, type InvoiceCommand } from '../status.ts';
import type { InvoiceStatus } from '../objects.ts';

export interface InvoiceCommandArgs {
  ctx: RecordContext;
  id: string;
  /** The version the caller read (If-Match); an invoice changed since is a 409 version_conflict. */
  expectedVersion?: number;
}

/** Runs one named command on an invoice (billing's runDocumentCommand), its status rule from status.ts. */
export function runInvoiceCommand<T>(args: InvoiceCommandArgs & { command: InvoiceCommand; mode?: 'read' | 'edit'; run: (ctx: TxContext, invoice: ApiRecord) => Promise<T> }): Promise<T> {
  return runDocumentCommand({ ...args, object: 'invoice', assertStatus: (status) => assertCanRun(args.command, status as InvoiceStatus) });
}

/** A command's change of the invoice's read-only fields (status, number, stamps, figures), through the record pipeline. */
export function setInvoiceValues(ctx: TxContext, id: string, values: Record<string, unknown>): Promise<ApiRecord> {
  return setDocumentValues(ctx, 'invoice', id, values);
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
