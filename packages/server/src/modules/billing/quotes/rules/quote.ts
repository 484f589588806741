import type { BeforeSaveArgs } from '../../../../platform/records/hooks.ts';
import { asSystem, isBlank, readRecord, refuse, today } from '../../context.ts';
import { billingSettings } from '../../settings.ts';
import { checkDocumentHeader, headerTotals } from '../../documents/header.ts';
import { nextDocumentNumber } from '../numbering.ts';
import { QUOTE, lockQuote, roundingText, storedLines } from '../recalculate.ts';
import { assertCanRun } from '../status.ts';
import { inQuoteCommand } from '../scope.ts';
import type { QuoteStatus } from '../objects.ts';

const PRICING_FIELDS = ['account', 'currency', 'price_date'];

/** The save sets `field` to another value than the stored one (always on create). */
function sets(data: Record<string, unknown>, previous: Record<string, unknown> | undefined, field: string): boolean {
  return field in data && (!previous || JSON.stringify(previous[field] ?? null) !== JSON.stringify(data[field] ?? null));
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A quote's save. On create: the number from the series, revision 1, status draft, the
 * opportunity's account and currency, the price date (today), the validity (price date + the
 * default days) and the terms' text. On every save: the quote must be editable (status.ts) unless
 * a command writes; pricing inputs cannot change under existing lines; one kind of document
 * discount; totals recomputed from the lines with the kernel (never taken from input). An edit
 * of a quote waiting for or holding an approval takes it back to draft: the approval was for
 * what the approver saw.
 */
export async function saveQuote(args: BeforeSaveArgs): Promise<void> {
  const { ctx, operation, data, merged, previous } = args;
  const command = operation === 'update' && inQuoteCommand(ctx, previous!.id);
  if (operation === 'update' && !command) {
    await lockQuote(ctx, previous!.id);
    assertCanRun('edit', previous!.status as QuoteStatus);
    if (previous!.status !== 'draft') Object.assign(data, { status: 'draft', approved_by: null, approved_at: null });
  }
  const sys = asSystem(ctx);
  if (!isBlank(merged.opportunity) && (operation === 'create' || sets(data, previous, 'opportunity'))) {
    const opportunity = await readRecord(sys, 'opportunity', String(merged.opportunity), ['account', 'currency']);
    if (isBlank(opportunity.account)) refuse('opportunity', 'no_account', 'The opportunity has no account to quote');
    if (isBlank(merged.account)) data.account = merged.account = opportunity.account;
    else if (merged.account !== opportunity.account) refuse('account', 'not_the_opportunity_account', "The quote's account must be the opportunity's account");
    if (isBlank(merged.currency) && !isBlank(opportunity.currency)) data.currency = merged.currency = opportunity.currency;
  }
  if (operation === 'create') {
    const settings = billingSettings.of(ctx.platform);
    if (isBlank(merged.currency)) {
      const account: Record<string, unknown> = isBlank(merged.account) ? {} : await readRecord(sys, 'account', String(merged.account), ['currency']);
      data.currency = merged.currency = isBlank(account.currency) ? settings.corporateCurrency : account.currency;
    }
    if (isBlank(merged.price_date)) data.price_date = merged.price_date = today(ctx);
    if (isBlank(merged.valid_until)) data.valid_until = merged.valid_until = addDays(String(merged.price_date), settings.quoteValidityDays);
    if (!command && isBlank(args.options.systemValues?.number)) {
      data.number = merged.number = await nextDocumentNumber({ ctx, series: 'quote', format: settings.quoteNumberFormat });
      data.revision = merged.revision = 1;
      data.status = 'draft';
    }
    data.name = Number(merged.revision) > 1 ? `${String(merged.number)} v${String(merged.revision)}` : String(merged.number);
  }
  checkDocumentHeader(merged);
  if (!isBlank(merged.valid_until) && !isBlank(merged.price_date) && String(merged.valid_until) < String(merged.price_date)) refuse('valid_until', 'before_price_date', 'Must be on or after the price date');
  if (!isBlank(merged.terms) && isBlank(merged.terms_text)) {
    const terms = await readRecord(sys, 'quote_terms', String(merged.terms), ['body']);
    data.terms_text = terms.body;
  }

  if (operation === 'create') {
    Object.assign(data, { subtotal: 0, discount_total: 0, taxable: 0, tax_total: 0, total: 0, effective_discount: 0, rounding: roundingText(ctx) });
    return;
  }
  const lines = await storedLines(ctx, previous!.id);
  if (lines.length && !command) {
    for (const f of PRICING_FIELDS) {
      if (sets(data, previous, f)) refuse(f, 'has_lines', 'The lines were priced for this account, currency and date; remove them before changing it');
    }
  }
  Object.assign(data, await headerTotals(ctx, QUOTE, previous!.id, merged));
}
