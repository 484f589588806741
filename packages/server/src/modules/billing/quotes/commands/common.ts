import type { ApiRecord } from '../../../../platform/records/hooks.ts';
import { inTransaction, type RecordContext, type TxContext } from '../../../../platform/records/context.ts';
import { assertVersion, loadForUpdate, updateRecord } from '../../../../platform/records/write.ts';
import { assertCanRun, type QuoteCommand } from '../status.ts';
import { asQuoteCommand } from '../scope.ts';
import type { QuoteStatus } from '../objects.ts';

export interface QuoteCommandArgs {
  ctx: RecordContext;
  id: string;
  /** The version the caller read (If-Match); a quote changed since is a 409 version_conflict. */
  expectedVersion?: number;
}

/**
 * Runs one named command on a quote in one transaction: the quote is locked and loaded with the
 * caller's edit access (404 for a quote they cannot see, forged ids included), the version is
 * checked, the status must allow the command (status.ts), then `run` writes through the record
 * pipeline as a command (scope.ts).
 */
export async function runQuoteCommand<T>(args: QuoteCommandArgs & { command: QuoteCommand; mode?: 'read' | 'edit'; run: (ctx: TxContext, quote: ApiRecord) => Promise<T> }): Promise<T> {
  return inTransaction(args.ctx, async (ctx) => {
    const object = ctx.platform.registry.requireObject('quote');
    const quote = await loadForUpdate(ctx, object, args.id, { mode: args.mode ?? 'edit' });
    assertVersion(object, quote, args.expectedVersion);
    assertCanRun(args.command, quote.status as QuoteStatus);
    return asQuoteCommand(ctx, quote.id, () => args.run(ctx, quote));
  });
}

/** A command's change of the quote's read-only fields (status, stamps), through the record pipeline. */
export function setQuoteValues(ctx: TxContext, id: string, values: Record<string, unknown>): Promise<ApiRecord> {
  return updateRecord({ ctx, object: ctx.platform.registry.requireObject('quote'), id, input: {}, options: { systemValues: values } });
}

export const now = () => new Date().toISOString();
