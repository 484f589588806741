import type { AfterSaveArgs, BeforeDeleteArgs, BeforeLockArgs, BeforeSaveArgs } from '../../../../platform/records/hooks.ts';
import { AppError } from '../../../../platform/errors.ts';
import { sql } from 'kysely';
import { isBlank, refuse, tableOf } from '../../context.ts';
import { saveDocumentLine } from '../../documents/saveLine.ts';
import { QUOTE, lockQuote, recalculateQuote, storeQuoteTotals } from '../recalculate.ts';
import { assertCanRun } from '../status.ts';
import { inQuoteCommand, isQuoteDeleting, markQuoteDeleting } from '../scope.ts';
import type { QuoteStatus } from '../objects.ts';

/**
 * A quote line's save: the quote must still be editable (or a command is writing), only optional
 * lines can be left out, and an optional line is offered, not counted, until chosen; then the
 * documents' shared line rule prices it and re-totals the quote (documents/saveLine.ts).
 */
export async function saveQuoteLine(args: BeforeSaveArgs): Promise<void> {
  const { ctx, operation, data, merged, previous } = args;
  const quote = (await lockQuote(ctx, String(merged.quote)))!;
  if (!inQuoteCommand(ctx, quote.id)) assertCanRun('edit', quote.status as QuoteStatus);
  if (operation === 'update' && !inQuoteCommand(ctx, quote.id) && 'selected' in data && merged.optional !== true && data.selected === false) {
    refuse('selected', 'not_optional', 'Only optional lines can be left out');
  }
  // An optional line is offered, not counted, until chosen (a rep may preselect it).
  if (isBlank(merged.selected) || (operation === 'update' && 'optional' in data && data.optional !== previous!.optional && !('selected' in data))) {
    data.selected = merged.selected = merged.optional !== true;
  }
  await saveDocumentLine(args, QUOTE, quote);
}

/** A line deleted from an editable quote re-totals it; lines of a quote being deleted just go. */
export async function deleteQuoteLine({ ctx, record }: BeforeDeleteArgs): Promise<void> {
  const quoteId = String(record.quote);
  if (isQuoteDeleting(ctx, quoteId)) return;
  const quote = await lockQuote(ctx, quoteId);
  if (!quote || quote.deleted_at) return;
  if (!inQuoteCommand(ctx, quoteId)) assertCanRun('edit', quote.status as QuoteStatus);
  const figures = await recalculateQuote({ ctx, quote, without: record.id });
  await storeQuoteTotals(ctx, quoteId, figures);
}

/** Only quotes that never went out can be deleted; a sent one stays as the record of what was offered. */
export async function deleteQuote({ ctx, record }: BeforeDeleteArgs): Promise<void> {
  const status = record.status as QuoteStatus;
  if (!['draft', 'pending_approval', 'approved'].includes(status)) {
    throw new AppError('conflict', 'A quote that was sent cannot be deleted', { errors: [{ field: 'status', code: 'quote_locked', message: `A ${status.replace('_', ' ')} quote cannot be deleted` }] });
  }
  markQuoteDeleting(ctx, record.id);
}

/**
 * A line (or a quote with its lines) back from the recycle bin: the quote is re-totalled, and a
 * line cannot come back into a quote that went out (409 quote_locked, the restore is undone).
 */
export async function restoreQuoteLine({ ctx, record }: AfterSaveArgs): Promise<void> {
  const quote = await lockQuote(ctx, String(record.quote));
  if (!quote || quote.deleted_at) return;
  if (!inQuoteCommand(ctx, quote.id)) assertCanRun('edit', quote.status as QuoteStatus);
  await storeQuoteTotals(ctx, quote.id, await recalculateQuote({ ctx, quote }));
}

export async function restoreQuote({ ctx, record }: AfterSaveArgs): Promise<void> {
  const quote = (await lockQuote(ctx, record.id))!;
  await storeQuoteTotals(ctx, quote.id, await recalculateQuote({ ctx, quote }));
}

/** A line's write locks its quote before the line itself: the same order as the quote's own writes, so concurrent edits of one quote queue instead of deadlocking. */
export async function lockQuoteFirst({ ctx, id }: BeforeLockArgs): Promise<void> {
  const r = await sql<{ quote_id: string }>`SELECT quote_id FROM ${tableOf(ctx, 'quote_line')} WHERE id = ${id}`.execute(ctx.trx);
  if (r.rows[0]) await lockQuote(ctx, r.rows[0].quote_id);
}
