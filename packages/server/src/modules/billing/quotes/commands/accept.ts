import { sql } from 'kysely';
import { AppError, ruleViolation, type FieldError } from '../../../../platform/errors.ts';
import { asSystem, type TxContext } from '../../../../platform/records/context.ts';
import type { ApiRecord } from '../../../../platform/records/hooks.ts';
import { updateRecord } from '../../../../platform/records/write.ts';
import { recordEvent } from '../../../../platform/records/history.ts';
import { closeOpportunity } from '../../../sales/index.ts';
import { Decimal } from '../../money/index.ts';
import { isBlank, readRecord, today } from '../../context.ts';
import { convertAmount } from '../../exchange/convert.ts';
import { recalculateQuote, storedLines, lockQuote } from '../recalculate.ts';
import { now, runQuoteCommand, setQuoteValues, type QuoteCommandArgs } from './common.ts';

export interface AcceptInput {
  /** Ids of the optional lines the customer takes; optional lines not named are left out. */
  optionalLines?: string[];
  signerName: string;
  ip?: string | null;
  userAgent?: string | null;
}

export interface AcceptResult {
  quote: ApiRecord;
  opportunity: { id: string; outcome: 'won' | 'partially_won'; wonAmount: number } | null;
}

/**
 * The customer accepts a sent quote (SAL-12, issue 11 item 11), recorded with the signer's name,
 * IP and browser: the optional lines they chose are kept and the others left out, the quote is
 * re-totalled and its accepted total stored, the opportunity is closed — won, or partially won
 * when optional lines were left out — for the accepted net amount (before tax, like the
 * opportunity's amount), and `quote.accepted` goes to the outbox, all in one transaction.
 *
 * Safe to repeat: the quote row is locked, so a second accept waits for the first and is then
 * refused (409, `quote_accepted`); an expired, superseded or declined quote is refused the same way.
 */
export async function acceptQuote(args: QuoteCommandArgs & { input: AcceptInput }): Promise<AcceptResult> {
  const { input } = args;
  return runQuoteCommand({
    ...args,
    command: 'accept',
    async run(ctx, quote) {
      if (String(quote.valid_until) < today(ctx)) {
        throw new AppError('conflict', `This quote expired after ${String(quote.valid_until)}`, { errors: [{ field: 'status', code: 'quote_expired', message: 'The quote is past its validity date' }] });
      }
      const lines = await storedLines(ctx, quote.id);
      const optional = await optionalLineIds(ctx, quote.id);
      const chosen = new Set(input.optionalLines ?? []);
      const errors: FieldError[] = [];
      (input.optionalLines ?? []).forEach((id, i) => {
        if (!optional.has(id)) errors.push({ field: `optionalLines[${i}]`, code: lines.some((l) => l.id === id) ? 'not_optional' : 'not_found', message: 'Not an optional line of this quote' });
      });
      if (errors.length) throw ruleViolation(errors);
      const lineObject = ctx.platform.registry.requireObject('quote_line');
      for (const id of optional) {
        await updateRecord({ ctx: asSystem(ctx), object: lineObject, id, input: { selected: chosen.has(id) } });
      }
      const figures = await recalculateQuote({ ctx, quote: (await lockQuote(ctx, quote.id))! });
      const accepted = await setQuoteValues(ctx, quote.id, {
        status: 'accepted', answered_at: now(), accepted_by_name: input.signerName, accepted_ip: input.ip ?? null,
        accepted_user_agent: input.userAgent?.slice(0, 1000) ?? null, accepted_total: Number(figures.document.total),
      });
      const partial = [...optional].some((id) => !chosen.has(id));
      const net = new Decimal(figures.document.subtotal).minus(figures.document.documentDiscount);
      const opportunity = isBlank(quote.opportunity) ? null : await winOpportunity(ctx, String(quote.opportunity), { partial, net, currency: String(quote.currency) });
      await recordEvent({
        ctx, type: 'quote.accepted', object: ctx.platform.registry.requireObject('quote'), recordId: quote.id,
        data: {
          number: accepted.number, revision: accepted.revision, currency: accepted.currency, total: accepted.accepted_total,
          optionalLines: [...chosen], signerName: input.signerName, opportunity: quote.opportunity ?? null, outcome: opportunity?.outcome ?? null,
        },
      });
      return { quote: accepted, opportunity };
    },
  });
}

async function optionalLineIds(ctx: TxContext, quoteId: string): Promise<Set<string>> {
  const r = await sql<{ id: string }>`SELECT id FROM ${sql.table(ctx.platform.registry.requireObject('quote_line').table)} WHERE quote_id = ${quoteId} AND deleted_at IS NULL AND optional`.execute(ctx.trx);
  return new Set(r.rows.map((x) => x.id));
}

/**
 * Closes the quote's opportunity through sales' closeOpportunity (stage rules, history, the
 * won amount). An opportunity already closed stays as it is. Partially won needs a won amount
 * below the deal's amount; a quote worth more than the deal closes it as won.
 */
async function winOpportunity(ctx: TxContext, id: string, args: { partial: boolean; net: Decimal; currency: string }): Promise<AcceptResult['opportunity']> {
  const sys = asSystem(ctx);
  const opportunity = await readRecord(sys, 'opportunity', id, ['currency', 'amount', 'closed_at']);
  if (!isBlank(opportunity.closed_at)) return null;
  let won = args.net;
  const currency = isBlank(opportunity.currency) ? args.currency : String(opportunity.currency);
  if (currency !== args.currency) won = new Decimal((await convertAmount({ ctx: sys, amount: won, from: args.currency, to: currency, date: today(ctx) })).amount);
  const wonAmount = won.toDecimalPlaces(2).toNumber();
  const outcome = args.partial && !isBlank(opportunity.amount) && wonAmount < Number(opportunity.amount) && wonAmount > 0 ? 'partially_won' : 'won';
  await closeOpportunity({ ctx: sys, id, input: { outcome, wonAmount } });
  return { id, outcome, wonAmount };
}
