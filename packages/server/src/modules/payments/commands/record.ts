import { UUID_RE } from '../../../platform/records/values.ts';
import { sql } from 'kysely';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { inTransaction, type RecordContext, type TxContext } from '../../../platform/records/context.ts';
import { createRecord, loadForUpdate } from '../../../platform/records/write.ts';
import { recordEvent } from '../../../platform/records/history.ts';
import { billingSettings, isBlank, isRealDate, nextDocumentNumber, refuse, today } from '../../billing/index.ts';
import { PAYMENT_METHODS, type PaymentMethod } from '../objects.ts';
import { paymentSettings } from '../settings.ts';
import { allocationsOf, applyAllocations, objectOf, openInvoicesOf, parseAllocations, parseAmount, parseCurrency, planOldestFirst } from './common.ts';

export interface RecordPaymentInput {
  account: string;
  amount: string | number;
  /** Empty: the account's currency, else the corporate one. */
  currency?: string;
  /** Empty: today (in the organisation's time zone). */
  payment_date?: string;
  method: PaymentMethod;
  reference?: string;
  notes?: string;
  /** By hand: these invoices, these amounts (the rest is credit). Omitted: `allocate` decides. */
  allocations?: Array<{ invoice: string; amount: string | number }>;
  /** Without allocations by hand: oldest due first (the default), or none (all credit). */
  allocate?: 'oldest_first' | 'none';
}

export interface PaymentResult {
  payment: ApiRecord;
  allocations: ApiRecord[];
  /** A provider's payment that was recorded before (a redelivered webhook): nothing was written. */
  duplicate: boolean;
}

/** The payment a provider reported before, if any. */
async function providerPayment(ctx: TxContext, provider: { name: string; paymentId: string }): Promise<ApiRecord | null> {
  const table = sql.table(objectOf(ctx, 'payment').table);
  const r = await sql<{ id: string }>`SELECT id FROM ${table} WHERE provider = ${provider.name} AND provider_payment_id = ${provider.paymentId} AND deleted_at IS NULL`.execute(ctx.trx);
  return r.rows[0] ? loadForUpdate(ctx, objectOf(ctx, 'payment'), r.rows[0].id, { mode: 'read' }) : null;
}

/**
 * Records money received from a customer (docs/payments.md): a numbered payment, allocated by hand
 * or oldest due first to the account's open invoices in its currency; what is left is the
 * customer's credit, applied to the next invoices as they are posted. One transaction: a refused
 * allocation leaves nothing written. The account is locked for the duration, so two payments of
 * one account never allocate the same open amount twice. A provider's payment (`provider`) is
 * recorded once: the same provider payment id again answers the first payment, `duplicate`.
 */
export async function recordPayment(args: { ctx: RecordContext; input: RecordPaymentInput; provider?: { name: string; paymentId: string } }): Promise<PaymentResult> {
  return inTransaction(args.ctx, async (ctx) => {
    const input = (args.input ?? {}) as Partial<RecordPaymentInput>;
    if (typeof input.account !== 'string' || !UUID_RE.test(input.account)) refuse('account', 'required', 'The account the payment is from');
    // The caller must be able to see the account (404 otherwise, like any unknown id); locking it
    // queues this account's payments one after another.
    const account = await loadForUpdate(ctx, objectOf(ctx, 'account'), input.account, { mode: 'read' });
    if (args.provider) {
      const existing = await providerPayment(ctx, args.provider);
      if (existing) return { payment: existing, allocations: await allocationsOf(ctx, existing.id), duplicate: true };
    }
    const currency = parseCurrency(isBlank(input.currency) ? (isBlank(account.currency) ? billingSettings.of(ctx.platform).corporateCurrency : account.currency) : input.currency);
    const amount = parseAmount(input.amount, currency, 'amount');
    if (!PAYMENT_METHODS.includes(input.method as PaymentMethod)) refuse('method', 'invalid', `One of ${PAYMENT_METHODS.join(', ')}`);
    const date = isBlank(input.payment_date) ? today(ctx) : String(input.payment_date);
    if (!isRealDate(date)) refuse('payment_date', 'invalid_date', 'A date such as 2026-12-06');
    if (input.allocations !== undefined && input.allocate === 'none') refuse('allocate', 'conflict', 'Give allocations or allocate: none, not both');
    const plan = input.allocations !== undefined ? parseAllocations(input.allocations, currency, amount) : null;
    const text = (v: unknown, field: string, max: number) => {
      if (isBlank(v)) return null;
      if (typeof v !== 'string' || v.length > max) refuse(field, 'invalid', `Text of at most ${max} characters`);
      return v.trim();
    };
    const name = await nextDocumentNumber({ ctx, series: 'payment', format: paymentSettings.of(ctx.platform).numberFormat, date: new Date(`${date}T00:00:00Z`) });
    const payment = await createRecord({
      ctx, object: objectOf(ctx, 'payment'), input: {},
      options: {
        systemValues: {
          name, account: account.id, payment_date: date, amount: amount.toNumber(), currency, method: input.method, status: 'received',
          reference: text(input.reference, 'reference', 200), notes: text(input.notes, 'notes', 10_000),
          allocated_amount: 0, unallocated_amount: amount.toNumber(), refunded_amount: 0,
          provider: args.provider?.name ?? null, provider_payment_id: args.provider?.paymentId ?? null,
        },
      },
    });
    const chosen = plan ?? (input.allocate === 'none' ? [] : planOldestFirst(await openInvoicesOf(ctx, account.id, currency), amount));
    const result = await applyAllocations({ ctx, payment, plan: chosen, date });
    await recordEvent({
      ctx, type: 'payment.received', object: objectOf(ctx, 'payment'), recordId: payment.id,
      data: { number: name, account: account.id, amount: amount.toFixed(), currency, method: input.method, payment_date: date, provider: args.provider?.name ?? null, unallocated_amount: result.payment.unallocated_amount },
    });
    return { ...result, duplicate: false };
  });
}
