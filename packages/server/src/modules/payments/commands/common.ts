import { UUID_RE } from '../../../platform/records/values.ts';
import { sql } from 'kysely';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { asSystem, type TxContext } from '../../../platform/records/context.ts';
import { createRecord, updateRecord } from '../../../platform/records/write.ts';
import { listRecords, MAX_PAGE_SIZE } from '../../../platform/records/read.ts';
import { recordEvent } from '../../../platform/records/history.ts';
import { Decimal, isCurrency, minorUnits, prefixErrors, refuse, toDecimal } from '../../billing/index.ts';
import { settleInvoice } from '../../invoicing/index.ts';

export const money = (v: unknown) => toDecimal(v) ?? new Decimal(0);
export const objectOf = (ctx: TxContext, name: string) => ctx.platform.registry.requireObject(name);

/** A positive amount in a currency's minor unit, or a 422 naming the field. */
export function parseAmount(value: unknown, currency: string, field: string): Decimal {
  const amount = toDecimal(value);
  if (!amount || !amount.isFinite()) refuse(field, 'invalid_amount', 'An amount such as 120.50');
  if (amount.lte(0)) refuse(field, 'not_positive', 'The amount must be more than zero');
  if (amount.decimalPlaces() > minorUnits(currency)) refuse(field, 'too_precise', `${currency} amounts have at most ${minorUnits(currency)} decimal places`);
  if (amount.gte('1e15')) refuse(field, 'too_large', 'The amount is too large');
  return amount;
}

export function parseCurrency(value: unknown, field = 'currency'): string {
  if (!isCurrency(value)) refuse(field, 'invalid_currency', 'An ISO 4217 currency code such as USD');
  return value;
}

/** One planned allocation: this much of the payment to this invoice. */
export interface PlannedAllocation {
  invoice: string;
  amount: Decimal;
}

/** Invoices of the account still open in a currency, oldest due first — where "oldest first" puts money. */
export async function openInvoicesOf(ctx: TxContext, account: string, currency: string): Promise<ApiRecord[]> {
  const r = await listRecords({
    ctx: asSystem(ctx), object: objectOf(ctx, 'invoice'), fields: ['id', 'number', 'open_amount', 'due_date'], limit: MAX_PAGE_SIZE, sort: 'due_date,invoice_date,number',
    filter: { and: [{ field: 'account', op: 'eq', value: account }, { field: 'kind', op: 'eq', value: 'invoice' }, { field: 'currency', op: 'eq', value: currency }, { field: 'status', op: 'in', value: ['posted', 'partially_paid'] }] },
  });
  return r.data.filter((i) => money(i.open_amount).gt(0));
}

/** Oldest first: each open invoice takes what is open on it until the budget is spent. */
export function planOldestFirst(invoices: ApiRecord[], budget: Decimal): PlannedAllocation[] {
  const plan: PlannedAllocation[] = [];
  let left = budget;
  for (const invoice of invoices) {
    if (left.lte(0)) break;
    const take = Decimal.min(left, money(invoice.open_amount));
    if (take.gt(0)) plan.push({ invoice: invoice.id, amount: take });
    left = left.minus(take);
  }
  return plan;
}

/** Allocations given by hand: each names an invoice once, with a positive amount; together within the budget. */
export function parseAllocations(input: unknown, currency: string, budget: Decimal): PlannedAllocation[] {
  if (!Array.isArray(input)) refuse('allocations', 'invalid', 'A list of { invoice, amount }');
  const seen = new Set<string>();
  const plan = input.map((a: { invoice?: unknown; amount?: unknown }, i: number) => {
    const invoice = typeof a?.invoice === 'string' ? a.invoice : '';
    if (!UUID_RE.test(invoice)) refuse(`allocations[${i}].invoice`, 'invalid_id', 'An invoice id');
    if (seen.has(invoice)) refuse(`allocations[${i}].invoice`, 'duplicate', 'Each invoice once');
    seen.add(invoice);
    return { invoice, amount: parseAmount(a?.amount, currency, `allocations[${i}].amount`) };
  });
  const sum = plan.reduce((s, a) => s.plus(a.amount), new Decimal(0));
  if (sum.gt(budget)) refuse('allocations', 'exceeds_payment', `The allocations (${sum.toFixed()} ${currency}) are more than what is there to allocate (${budget.toFixed()} ${currency})`);
  return plan;
}

/**
 * Applies a payment to invoices in the caller's transaction: each invoice must be the payment's
 * account's and currency's (else 422 naming the allocation, as for a forged id: the same answer
 * for another account's invoice as for none), invoicing settles it (an amount above what is open
 * is refused there), and one allocation record per invoice remembers it. The payment's allocated
 * and unallocated amounts follow.
 */
export async function applyAllocations(args: { ctx: TxContext; payment: ApiRecord; plan: PlannedAllocation[]; date: string }): Promise<{ payment: ApiRecord; allocations: ApiRecord[] }> {
  const { ctx, payment, plan } = args;
  const sys = asSystem(ctx);
  const currency = String(payment.currency);
  const allocations: ApiRecord[] = [];
  for (const [i, a] of plan.entries()) {
    const owner = await sql<{ account_id: string }>`SELECT account_id FROM ${sql.table(objectOf(ctx, 'invoice').table)} WHERE id = ${a.invoice}::uuid AND deleted_at IS NULL`.execute(ctx.trx).catch(() => ({ rows: [] }));
    if (owner.rows[0]?.account_id !== payment.account) refuse(`allocations[${i}].invoice`, 'not_found', "No open invoice of the payment's account has this id");
    let invoice: ApiRecord;
    try {
      invoice = await settleInvoice({ ctx: sys, id: a.invoice, input: { amount: a.amount, currency, payment: payment.id } });
    } catch (error) {
      throw prefixErrors(error, `allocations[${i}].`);
    }
    allocations.push(await createRecord({
      ctx: sys, object: objectOf(ctx, 'payment_allocation'), input: {},
      options: { systemValues: { name: `${String(payment.name)} → ${String(invoice.number)}`, payment: payment.id, invoice: a.invoice, account: payment.account, amount: a.amount.toNumber(), currency, allocated_on: args.date } },
    }));
  }
  const total = plan.reduce((s, a) => s.plus(a.amount), new Decimal(0));
  if (total.isZero()) return { payment, allocations };
  const updated = await setPaymentValues(ctx, payment.id, {
    allocated_amount: money(payment.allocated_amount).plus(total).toNumber(),
    unallocated_amount: money(payment.unallocated_amount).minus(total).toNumber(),
  });
  await recordEvent({
    ctx, type: 'payment.allocated', object: objectOf(ctx, 'payment'), recordId: payment.id,
    data: { number: payment.name, account: payment.account, currency, allocations: plan.map((a) => ({ invoice: a.invoice, amount: a.amount.toFixed() })), unallocated_amount: updated.unallocated_amount },
  });
  return { payment: updated, allocations };
}

/** A command's change of a payment's own figures, through the record pipeline as the system (the command checked the caller). */
export function setPaymentValues(ctx: TxContext, id: string, values: Record<string, unknown>): Promise<ApiRecord> {
  return updateRecord({ ctx: asSystem(ctx), object: objectOf(ctx, 'payment'), id, input: {}, options: { systemValues: values } });
}

/** The live (not reversed) allocations of a payment. */
export async function allocationsOf(ctx: TxContext, paymentId: string, live = false): Promise<ApiRecord[]> {
  const r = await listRecords({ ctx: asSystem(ctx), object: objectOf(ctx, 'payment_allocation'), limit: MAX_PAGE_SIZE, sort: 'id', filter: { field: 'payment', op: 'eq', value: paymentId } });
  return live ? r.data.filter((a) => a.reversed_at == null) : r.data;
}
