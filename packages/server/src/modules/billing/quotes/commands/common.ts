import type { ApiRecord } from '../../../../platform/records/hooks.ts';
import type { RecordContext, TxContext } from '../../../../platform/records/context.ts';
import { runDocumentCommand, setDocumentValues } from '../../documents/command.ts';
import { assertCanRun, type QuoteCommand } from '../status.ts';
import type { QuoteStatus } from '../objects.ts';

export interface QuoteCommandArgs {
  ctx: RecordContext;
  id: string;
  /** The version the caller read (If-Match); a quote changed since is a 409 version_conflict. */
  expectedVersion?: number;
}

/** Runs one named command on a quote (documents/command.ts), its status rule from status.ts. */
export function runQuoteCommand<T>(args: QuoteCommandArgs & { command: QuoteCommand; mode?: 'read' | 'edit'; run: (ctx: TxContext, quote: ApiRecord) => Promise<T> }): Promise<T> {
  return runDocumentCommand({ ...args, object: 'quote', assertStatus: (status) => assertCanRun(args.command, status as QuoteStatus) });
}

/** A command's change of the quote's read-only fields (status, stamps), through the record pipeline. */
export function setQuoteValues(ctx: TxContext, id: string, values: Record<string, unknown>): Promise<ApiRecord> {
  return setDocumentValues(ctx, 'quote', id, values);
}

export const now = () => new Date().toISOString();
