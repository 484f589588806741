import type { ApiRecord } from '../../../../platform/records/hooks.ts';
import { now, runQuoteCommand, setQuoteValues, type QuoteCommandArgs } from './common.ts';

/** The customer opened the quote (the public page calls this); viewing again changes nothing. */
export async function markQuoteViewed(args: QuoteCommandArgs): Promise<ApiRecord> {
  return runQuoteCommand({
    ...args,
    command: 'markViewed',
    mode: 'read',
    run: async (ctx, quote) => (quote.status === 'viewed' ? quote : setQuoteValues(ctx, quote.id, { status: 'viewed', viewed_at: now() })),
  });
}

export async function declineQuote(args: QuoteCommandArgs & { reason?: string }): Promise<ApiRecord> {
  return runQuoteCommand({
    ...args,
    command: 'decline',
    run: (ctx, quote) => setQuoteValues(ctx, quote.id, { status: 'declined', answered_at: now(), decline_reason: args.reason ?? null }),
  });
}

export async function expireQuote(args: QuoteCommandArgs): Promise<ApiRecord> {
  return runQuoteCommand({
    ...args,
    command: 'expire',
    run: (ctx, quote) => setQuoteValues(ctx, quote.id, { status: 'expired', answered_at: now() }),
  });
}
