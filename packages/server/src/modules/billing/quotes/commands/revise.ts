import { sql } from 'kysely';
import type { ApiRecord } from '../../../../platform/records/hooks.ts';
import { createRecord } from '../../../../platform/records/write.ts';
import { getRecord } from '../../../../platform/records/read.ts';
import { billingSettings } from '../../settings.ts';
import { tableOf, today } from '../../context.ts';
import { asQuoteCommand } from '../scope.ts';
import { withDeferredTotals } from '../batch.ts';
import { runQuoteCommand, setQuoteValues, type QuoteCommandArgs } from './common.ts';

const COPIED = ['title', 'opportunity', 'account', 'contact', 'currency', 'terms', 'terms_text', 'discount_percent', 'discount_amount'];
const LINE_COPIED = ['position', 'product', 'product_spec', 'unit_of_measure', 'description', 'quantity', 'unit_price', 'discount_percent', 'discount_amount', 'optional', 'selected'];

/**
 * A new version of a quote that went out (sent, viewed, declined or expired): a draft with the
 * same number and the next revision, its header and lines copied (a rep's own unit prices kept,
 * list prices and taxes determined again today), valid from today. The old version is
 * superseded: it stays readable and can no longer be accepted.
 */
export async function reviseQuote(args: QuoteCommandArgs): Promise<ApiRecord> {
  return runQuoteCommand({
    ...args,
    command: 'revise',
    async run(ctx, quote) {
      const object = ctx.platform.registry.requireObject('quote');
      const r = await sql<{ n: string }>`SELECT max(revision)::text AS n FROM ${tableOf(ctx, 'quote')} WHERE number = ${quote.number}`.execute(ctx.trx);
      const revision = Number(r.rows[0]!.n) + 1;
      const priceDate = today(ctx);
      const validUntil = new Date(Date.parse(`${priceDate}T00:00:00Z`) + billingSettings.of(ctx.platform).quoteValidityDays * 86_400_000).toISOString().slice(0, 10);
      const input = Object.fromEntries(COPIED.map((f) => [f, quote[f] ?? null]));
      const next = await createRecord({
        ctx, object, input: { ...input, price_date: priceDate, valid_until: validUntil },
        options: { systemValues: { number: quote.number, revision, status: 'draft', previous_version: quote.id } },
      });
      const lineObject = ctx.platform.registry.requireObject('quote_line');
      const lines = await sql<Record<string, unknown>>`SELECT * FROM ${tableOf(ctx, 'quote_line')} WHERE quote_id = ${quote.id} AND deleted_at IS NULL ORDER BY position NULLS LAST, id`.execute(ctx.trx);
      await asQuoteCommand(ctx, next.id, () => withDeferredTotals(ctx, next.id, async () => {
        for (const line of lines.rows) {
          const values = Object.fromEntries(LINE_COPIED.map((f) => [f, line[lineObject.fields.find((x) => x.apiName === f)!.column] ?? null]).filter(([, v]) => v !== null));
          await createRecord({ ctx, object: lineObject, input: { ...values, quote: next.id } });
        }
      }));
      await setQuoteValues(ctx, quote.id, { status: 'superseded', superseded_by: next.id });
      return getRecord({ ctx, object, id: next.id });
    },
  });
}
