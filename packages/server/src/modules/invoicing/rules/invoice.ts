import type { BeforeDeleteArgs, BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import { asSystem } from '../../../platform/records/context.ts';
import { getRecordsById } from '../../../platform/records/read.ts';
import { AppError } from '../../../platform/errors.ts';
import {
  billingSettings, checkDocumentHeader, headerTotals, inDocumentCommand, isBlank, lockDocument, markDocumentDeleting, readRecord, refuse, roundingText, storedDocumentLines, today,
} from '../../billing/index.ts';
import { assertCanRun } from '../status.ts';
import { INVOICE } from '../kind.ts';
import { PAYMENT_TERMS, type InvoiceStatus } from '../objects.ts';

const PRICING_FIELDS = ['account', 'currency', 'price_date'];
const BILLING = ['billing_street', 'billing_city', 'billing_state', 'billing_postal_code', 'billing_country'];

function sets(data: Record<string, unknown>, previous: Record<string, unknown> | undefined, field: string): boolean {
  return field in data && (!previous || JSON.stringify(previous[field] ?? null) !== JSON.stringify(data[field] ?? null));
}

/** The account's billing address as the lines printed on the invoice (kept as written: a later move does not change an issued invoice). */
function addressSnapshot(account: Record<string, unknown>): string {
  const part = (f: string) => (isBlank(account[`billing_${f}`]) ? '' : String(account[`billing_${f}`]).trim());
  const city = [[part('city'), part('state')].filter(Boolean).join(', '), part('postal_code')].filter(Boolean).join(' ');
  return [part('street'), city, part('country')].filter(Boolean).join('\n');
}

/**
 * An invoice's save. On create: a draft ("Draft" until posted: numbers are given only when
 * posting, commands/post.ts), the account's currency (else the corporate one), payment terms
 * and billing address, the price date. On every save: only a draft changes, unless a command
 * writes (409 `invoice_posted`); pricing inputs cannot change under existing lines; one kind of
 * document discount; totals recomputed from the lines with billing's kernel.
 */
export async function saveInvoice(args: BeforeSaveArgs, accountRead?: Record<string, unknown>): Promise<void> {
  const { ctx, operation, data, merged, previous, options } = args;
  const command = operation === 'update' && inDocumentCommand(ctx, previous!.id);
  if (operation === 'update' && !command) {
    const row = await lockDocument(ctx, INVOICE, previous!.id);
    assertCanRun('edit', (row?.status ?? previous!.status) as InvoiceStatus);
  }
  if (operation === 'create') {
    const account = accountRead ?? (await readRecord(asSystem(ctx), 'account', String(merged.account), ['currency', 'payment_terms', ...BILLING]).catch(() => refuse('account', 'not_found', 'No such account')));
    if (isBlank(merged.currency)) data.currency = merged.currency = isBlank(account.currency) ? billingSettings.of(ctx.platform).corporateCurrency : account.currency;
    if (isBlank(merged.payment_terms)) data.payment_terms = merged.payment_terms = PAYMENT_TERMS.includes(account.payment_terms as never) ? account.payment_terms : 'net_30';
    if (isBlank(merged.billing_address)) data.billing_address = addressSnapshot(account) || null;
    if (isBlank(merged.price_date)) data.price_date = merged.price_date = today(ctx);
    const system = options.systemValues ?? {};
    if (isBlank(system.kind)) data.kind = 'invoice';
    if (isBlank(system.status)) data.status = 'draft';
    if (isBlank(system.number)) data.name = 'Draft';
  }
  checkDocumentHeader(merged);

  if (operation === 'create') {
    Object.assign(data, { subtotal: 0, discount_total: 0, taxable: 0, tax_total: 0, total: 0, rounding: roundingText(ctx) });
    return;
  }
  if (command) return; // a command stores what it computed (posting, credits): nothing to re-total
  const lines = await storedDocumentLines(ctx, INVOICE, previous!.id);
  if (lines.length) {
    for (const f of PRICING_FIELDS) {
      if (sets(data, previous, f)) refuse(f, 'has_lines', 'The lines were priced for this account, currency and date; remove them before changing it');
    }
  }
  Object.assign(data, await headerTotals(ctx, INVOICE, previous!.id, merged));
}

/**
 * saveInvoice for invoices created together (the monthly run's, one per account and PO): their
 * accounts read with one statement instead of one per invoice, then each invoice's own rule.
 * Per invoice the error saveInvoice would have thrown (undefined when none).
 */
export async function saveInvoices(list: BeforeSaveArgs[]): Promise<unknown[]> {
  const { ctx } = list[0]!;
  const ids = list.filter((a) => a.operation === 'create' && typeof a.merged.account === 'string').map((a) => String(a.merged.account));
  const accounts = await getRecordsById({ ctx: asSystem(ctx), object: ctx.platform.registry.requireObject('account'), ids });
  const errors: unknown[] = [];
  for (const args of list) {
    try {
      const account = accounts.get(String(args.merged.account));
      if (args.operation === 'create' && !account) refuse('account', 'not_found', 'No such account');
      await saveInvoice(args, account);
      errors.push(undefined);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      errors.push(error);
    }
  }
  return errors;
}

/** Only a draft can be deleted; a posted invoice or credit note stays (void it with a credit note). */
export function deleteInvoice({ ctx, record }: BeforeDeleteArgs): void {
  assertCanRun('delete', record.status as InvoiceStatus);
  markDocumentDeleting(ctx, record.id);
}
