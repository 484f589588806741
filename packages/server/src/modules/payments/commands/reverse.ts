import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { asSystem, inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import { updateRecord } from '../../../platform/records/write.ts';
import { recordEvent } from '../../../platform/records/history.ts';
import { AppError } from '../../../platform/errors.ts';
import { Decimal, isBlank } from '../../billing/index.ts';
import { settleInvoice } from '../../invoicing/index.ts';
import { lockAccountOf, lockReceivedPayment } from './allocate.ts';
import { allocationsOf, money, objectOf, setPaymentValues } from './common.ts';

/**
 * Takes a payment back (a bounced check, a charge-back): every invoice it paid is reopened by what
 * it paid, its allocations are marked reversed (kept, for the history), and the payment counts for
 * nothing any more. A payment that was partly refunded cannot be reversed (409
 * `payment_refunded`): that money really left, so the refund must be dealt with first.
 */
export async function reversePayment(args: { ctx: RecordContext; id: string; input?: { reason?: string } }): Promise<{ payment: ApiRecord; allocations: ApiRecord[] }> {
  return inTransaction(args.ctx, async (ctx) => {
    await lockAccountOf(ctx, 'payment', args.id);
    const payment = await lockReceivedPayment(ctx, args.id);
    if (money(payment.refunded_amount).gt(0)) {
      throw new AppError('conflict', 'Part of this payment was refunded; it cannot be reversed', { errors: [{ field: 'status', code: 'payment_refunded', message: 'Part of this payment was refunded' }] });
    }
    const sys = asSystem(ctx);
    const now = new Date().toISOString();
    const live = await allocationsOf(ctx, payment.id, true);
    const reversed: ApiRecord[] = [];
    for (const allocation of live) {
      await settleInvoice({ ctx: sys, id: String(allocation.invoice), input: { amount: new Decimal(String(allocation.amount)).negated(), currency: String(payment.currency), payment: payment.id } });
      reversed.push(await updateRecord({ ctx: sys, object: objectOf(ctx, 'payment_allocation'), id: allocation.id, input: {}, options: { systemValues: { reversed_at: now } } }));
    }
    const reason = isBlank(args.input?.reason) ? null : String(args.input!.reason).slice(0, 10_000);
    const updated = await setPaymentValues(ctx, payment.id, { status: 'reversed', allocated_amount: 0, unallocated_amount: 0, reversed_at: now, reversal_reason: reason });
    await recordEvent({
      ctx, type: 'payment.reversed', object: objectOf(ctx, 'payment'), recordId: payment.id,
      data: { number: payment.name, account: payment.account, amount: payment.amount, currency: payment.currency, reason, invoices: live.map((a) => a.invoice) },
    });
    return { payment: updated, allocations: reversed };
  });
}
