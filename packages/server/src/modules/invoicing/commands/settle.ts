import { recordEvent } from '../../../platform/records/history.ts';
import { asSystem, type RecordContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { Decimal, minorUnits, refuse, toDecimal } from '../../billing/index.ts';
import { runInvoiceCommand, setInvoiceValues } from './common.ts';

export interface SettleInput {
  /** What is paid on the invoice now (positive) or taken back (negative: a reversed or moved allocation). */
  amount: Decimal;
  /** The payment's currency: it must be the invoice's. */
  currency: string;
  /** The payment the amount comes from, for the event. */
  payment?: string;
}

/**
 * Applies a payment to an invoice, or takes it back (docs/payments.md, "Allocation"): the invoice's
 * paid total and open amount follow, and its status with them — posted, partially paid, paid, and
 * back when a payment is reversed. Invoicing keeps its own figures: the payments module decides
 * what is allocated and calls this, never writing an invoice itself. An allocation above what is
 * open is refused (422 `amount`, `exceeds_open_amount`), so an invoice is never over-allocated;
 * a credit note or a void invoice takes no payment (409). Runs as the system in the caller's
 * transaction: the payment command has checked the caller may record payments for the account.
 */
export async function settleInvoice(args: { ctx: RecordContext; id: string; input: SettleInput }): Promise<ApiRecord> {
  return runInvoiceCommand({
    ctx: asSystem(args.ctx),
    id: args.id,
    command: 'settle',
    async run(ctx, invoice) {
      const { amount, currency } = args.input;
      if (invoice.kind !== 'invoice') refuse('invoice', 'not_payable', `${String(invoice.number ?? 'This document')} is a credit note; payments go to invoices`);
      if (String(invoice.currency) !== currency) refuse('currency', 'currency_mismatch', `Invoice ${String(invoice.number)} is in ${String(invoice.currency)}, the payment in ${currency}`);
      if (amount.decimalPlaces() > minorUnits(currency)) refuse('amount', 'too_precise', `${currency} has ${minorUnits(currency)} decimal places`);
      const total = new Decimal(String(invoice.total));
      const credited = toDecimal(invoice.credited_total) ?? new Decimal(0);
      const paidBefore = toDecimal(invoice.paid_total) ?? new Decimal(0);
      const paid = paidBefore.plus(amount);
      const open = total.minus(credited).minus(paid);
      if (open.lt(0)) refuse('amount', 'exceeds_open_amount', `Only ${total.minus(credited).minus(paidBefore).toFixed()} ${currency} is open on invoice ${String(invoice.number)}`);
      if (paid.lt(0)) refuse('amount', 'exceeds_paid_amount', `Only ${paidBefore.toFixed()} ${currency} was paid on invoice ${String(invoice.number)}`);
      const status = open.isZero() ? 'paid' : paid.gt(0) ? 'partially_paid' : 'posted';
      const updated = await setInvoiceValues(ctx, invoice.id, { paid_total: paid.toNumber(), open_amount: open.toNumber(), status });
      if (status !== invoice.status && (status === 'paid' || invoice.status === 'paid')) {
        await recordEvent({
          ctx, type: status === 'paid' ? 'invoice.paid' : 'invoice.reopened', object: ctx.platform.registry.requireObject('invoice'), recordId: invoice.id,
          data: { number: invoice.number, account: invoice.account, currency, total: invoice.total, paid_total: updated.paid_total, open_amount: updated.open_amount, payment: args.input.payment ?? null },
        });
      }
      return updated;
    },
  });
}
