import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { inTransaction, type RecordContext, type TxContext } from '../../../platform/records/context.ts';
import { loadForUpdate } from '../../../platform/records/write.ts';
import { getRecord, listRecords, MAX_PAGE_SIZE } from '../../../platform/records/read.ts';
import { AppError } from '../../../platform/errors.ts';
import { refuse, today } from '../../billing/index.ts';
import { applyAllocations, money, objectOf, openInvoicesOf, parseAllocations, planOldestFirst } from './common.ts';

/**
 * Locks the account a payment or an invoice belongs to, read first without a lock: every payment
 * command locks the account before its payments and invoices, so none waits on another in the
 * opposite order (locking the payment first deadlocked with applyCreditToInvoice).
 */
export async function lockAccountOf(ctx: TxContext, object: 'payment' | 'invoice', id: string): Promise<void> {
  const peek = await getRecord({ ctx, object: objectOf(ctx, object), id, fields: ['account'] });
  await loadForUpdate(ctx, objectOf(ctx, 'account'), String(peek.account), { mode: 'read' });
}

/** A payment a command may change: received (not reversed), locked, seen with the caller's access. */
export async function lockReceivedPayment(ctx: TxContext, id: string, mode: 'read' | 'edit' = 'edit'): Promise<ApiRecord> {
  const payment = await loadForUpdate(ctx, objectOf(ctx, 'payment'), id, { mode });
  if (payment.status === 'reversed') throw new AppError('conflict', 'This payment was reversed', { errors: [{ field: 'status', code: 'payment_reversed', message: 'This payment was reversed' }] });
  return payment;
}

/**
 * Applies a payment's credit (what it has not allocated yet) to invoices: by hand, or oldest due
 * first. The account is locked first, as when recording, so concurrent allocations of one account
 * queue.
 */
export async function allocatePayment(args: { ctx: RecordContext; id: string; input: { allocations?: Array<{ invoice: string; amount: string | number }> } }): Promise<{ payment: ApiRecord; allocations: ApiRecord[] }> {
  return inTransaction(args.ctx, async (ctx) => {
    await lockAccountOf(ctx, 'payment', args.id);
    const payment = await lockReceivedPayment(ctx, args.id);
    const credit = money(payment.unallocated_amount);
    if (credit.lte(0)) refuse('allocations', 'nothing_to_allocate', 'Everything this payment brought is allocated or refunded');
    const currency = String(payment.currency);
    const plan = args.input?.allocations !== undefined ? parseAllocations(args.input.allocations, currency, credit) : planOldestFirst(await openInvoicesOf(ctx, String(payment.account), currency), credit);
    return applyAllocations({ ctx, payment, plan, date: today(ctx) });
  });
}

/**
 * Applies the account's credit to an invoice just posted, oldest payment first (an event handler
 * in subscribers.ts): over-payments and prepayments settle later invoices without anyone asking.
 */
export async function applyCreditToInvoice(ctx: TxContext, invoiceId: string): Promise<void> {
  await lockAccountOf(ctx, 'invoice', invoiceId);
  const invoice = await loadForUpdate(ctx, objectOf(ctx, 'invoice'), invoiceId, { mode: 'read' });
  if (invoice.kind !== 'invoice' || !['posted', 'partially_paid'].includes(String(invoice.status))) return;
  const credits = await listRecords({
    ctx, object: objectOf(ctx, 'payment'), limit: MAX_PAGE_SIZE, sort: 'payment_date,name',
    filter: { and: [{ field: 'account', op: 'eq', value: invoice.account }, { field: 'currency', op: 'eq', value: invoice.currency }, { field: 'status', op: 'eq', value: 'received' }, { field: 'unallocated_amount', op: 'gt', value: 0 }] },
  });
  let open = money(invoice.open_amount);
  for (const credit of credits.data) {
    if (open.lte(0)) break;
    const payment = await lockReceivedPayment(ctx, credit.id);
    const take = money(payment.unallocated_amount).lt(open) ? money(payment.unallocated_amount) : open;
    if (take.lte(0)) continue;
    await applyAllocations({ ctx, payment, plan: [{ invoice: invoiceId, amount: take }], date: today(ctx) });
    open = open.minus(take);
  }
}
