import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { asSystem, inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import { createRecord } from '../../../platform/records/write.ts';
import { listRecords } from '../../../platform/records/read.ts';
import { recordEvent } from '../../../platform/records/history.ts';
import { isBlank, isRealDate, refuse, today } from '../../billing/index.ts';
import { lockReceivedPayment } from './allocate.ts';
import { money, objectOf, parseAmount, setPaymentValues } from './common.ts';

export interface RefundInput {
  amount: string | number;
  reason?: string;
  refund_date?: string;
}

/**
 * Pays a customer's credit back (docs/payments.md, "Refunds"): at most what the payment has not
 * allocated — money applied to an invoice is refunded by crediting the invoice first, so the
 * books never show an invoice paid by money that left. The balance rises by the refund.
 * `provider` names the provider's refund when one made it (providers/), recorded once.
 */
export async function refundPayment(args: { ctx: RecordContext; id: string; input: RefundInput; provider?: { name: string; refundId: string } }): Promise<{ payment: ApiRecord; refund: ApiRecord }> {
  return inTransaction(args.ctx, async (ctx) => {
    const payment = await lockReceivedPayment(ctx, args.id);
    if (args.provider) {
      // Reported again: the refund recorded the first time (unique per payment and provider refund id).
      const seen = await listRecords({ ctx: asSystem(ctx), object: objectOf(ctx, 'payment_refund'), limit: 1, filter: { and: [{ field: 'payment', op: 'eq', value: payment.id }, { field: 'provider_refund_id', op: 'eq', value: args.provider.refundId }] } });
      if (seen.data[0]) return { payment, refund: seen.data[0] };
    }
    const currency = String(payment.currency);
    const amount = parseAmount(args.input?.amount, currency, 'amount');
    const credit = money(payment.unallocated_amount);
    if (amount.gt(credit)) refuse('amount', 'exceeds_credit', `Only ${credit.toFixed()} ${currency} of this payment is unallocated; credit the invoices it paid before refunding more`);
    const date = isBlank(args.input?.refund_date) ? today(ctx) : String(args.input.refund_date);
    if (!isRealDate(date)) refuse('refund_date', 'invalid_date', 'A date such as 2026-12-06');
    const reason = isBlank(args.input?.reason) ? null : String(args.input.reason).slice(0, 10_000);
    const refund = await createRecord({
      ctx: asSystem(ctx), object: objectOf(ctx, 'payment_refund'), input: {},
      options: { systemValues: { name: `Refund of ${String(payment.name)}`, payment: payment.id, account: payment.account, amount: amount.toNumber(), currency, refund_date: date, reason, provider_refund_id: args.provider?.refundId ?? null } },
    });
    const updated = await setPaymentValues(ctx, payment.id, {
      refunded_amount: money(payment.refunded_amount).plus(amount).toNumber(),
      unallocated_amount: credit.minus(amount).toNumber(),
    });
    await recordEvent({ ctx, type: 'payment.refunded', object: objectOf(ctx, 'payment'), recordId: payment.id, data: { number: payment.name, account: payment.account, amount: amount.toFixed(), currency, reason } });
    return { payment: updated, refund };
  });
}
