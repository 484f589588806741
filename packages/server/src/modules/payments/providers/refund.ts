import { AppError, ruleViolation } from '../../../platform/errors.ts';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { Decimal, isBlank, readRecord, toDecimal } from '../../billing/index.ts';
import { refundPayment } from '../index.ts';
import { providerNamed } from './registry.ts';
import { lockRequest } from './requests.ts';

/**
 * Pays money back through the provider a payment came from (POST /api/v1/payments/:id/provider-refund),
 * then records the refund with the provider's refund id — in one transaction holding the request's
 * lock, so the provider's own report of the refund (charge.refunded), arriving meanwhile, waits and
 * then finds it recorded. The caller must be allowed to refund the payment (the core's
 * refundPayment checks, with the caller's context). A refund above the payment's credit (what is
 * not allocated to invoices) is refused before the provider is asked. If Meridian fails after the
 * provider refunded, the provider's webhook records the refund.
 */
export async function refundThroughProvider(args: { ctx: RecordContext; id: string; input: { amount: string | number; reason?: string } }): Promise<{ payment: ApiRecord; refund: ApiRecord; providerRefundId: string }> {
  return inTransaction(args.ctx, async (ctx) => {
    const payment = await readRecord(ctx, 'payment', args.id);
    if (isBlank(payment.provider) || isBlank(payment.provider_payment_id)) {
      throw new AppError('conflict', 'This payment did not come through a payment provider; record the refund by hand', { errors: [{ field: 'payment', code: 'not_a_provider_payment', message: 'Not an online payment' }] });
    }
    const provider = providerNamed(ctx.platform, String(payment.provider));
    if (!provider) throw new AppError('conflict', `The payment provider ${String(payment.provider)} is not set up on this server`, { errors: [{ field: 'payment', code: 'provider_not_configured', message: 'Provider not configured' }] });
    await lockRequest(ctx, { provider: provider.name, paymentId: String(payment.provider_payment_id) });
    const amount = toDecimal(args.input.amount);
    if (!amount || amount.lte(0)) throw ruleViolation([{ field: 'amount', code: 'not_positive', message: 'Refund more than zero' }]);
    const credit = toDecimal(payment.unallocated_amount) ?? new Decimal(0);
    if (amount.gt(credit)) throw ruleViolation([{ field: 'amount', code: 'exceeds_credit', message: `Only ${credit.toFixed()} ${String(payment.currency)} of this payment is not allocated to invoices; move it off its invoices first` }]);
    const refunded = toDecimal(payment.refunded_amount) ?? new Decimal(0);
    let providerRefundId: string;
    try {
      const answer = await provider.refund({
        paymentId: String(payment.provider_payment_id), amount: amount.toFixed(), currency: String(payment.currency),
        // The same refund asked twice (a retried request) is one refund at the provider.
        idempotencyKey: `${payment.id}-${refunded.toFixed()}-${amount.toFixed()}`,
        ...(args.input.reason ? { reason: args.input.reason } : {}),
      });
      providerRefundId = answer.refundId;
    } catch (error) {
      ctx.platform.logger.warn({ err: { message: (error as Error).message }, provider: provider.name, payment: payment.id }, 'the payment provider refused a refund');
      throw new AppError('unavailable', `${provider.name} did not make the refund: ${(error as Error).message}`);
    }
    const { payment: updated, refund } = await refundPayment({
      ctx, id: payment.id, input: { amount: amount.toFixed(), ...(args.input.reason ? { reason: args.input.reason } : {}) }, provider: { name: provider.name, refundId: providerRefundId },
    });
    return { payment: updated, refund, providerRefundId };
  });
}
