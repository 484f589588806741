import type { Platform } from '../../../platform/kernel.ts';
import { notFound } from '../../../platform/errors.ts';
import { scopedGet, scopedList, type PortalScope } from '../scope.ts';
import { accountRef, accountsOf, amount, text, type AccountRef } from './common.ts';

/**
 * Payment history. The payments module (`payment`, `payment_allocation`) is read through the
 * record service by object name only: when it is not installed, the portal says so
 * (`available: false`) instead of failing.
 */
export interface PortalPayment {
  id: string;
  reference: string;
  account: AccountRef;
  date: string | null;
  amount: string;
  currency: string;
  method: string | null;
  status: string;
  allocations: Array<{ invoiceId: string; invoiceNumber: string; amount: string }>;
}

const FIELDS = ['name', 'account', 'payment_date', 'amount', 'currency', 'method', 'reference', 'status'];

export const paymentsInstalled = (platform: Platform) => Boolean(platform.registry.getObject('payment') && platform.registry.getObject('payment_allocation'));

async function allocationsOf(platform: Platform, scope: PortalScope, paymentIds: string[]) {
  if (!paymentIds.length) return new Map<string, PortalPayment['allocations']>();
  const rows = await scopedList(platform, scope, { object: 'payment_allocation', path: 'payment.account', filter: { field: 'payment', op: 'in', value: paymentIds }, fields: ['payment', 'invoice', 'amount'], limit: 5000 });
  const invoiceIds = [...new Set(rows.map((r) => String(r.invoice)))];
  // Invoice numbers only of invoices the contact may see: an allocation to another account's invoice names nothing.
  const invoices = invoiceIds.length ? await scopedList(platform, scope, { object: 'invoice', filter: { field: 'id', op: 'in', value: invoiceIds }, fields: ['number', 'name'], limit: 5000 }) : [];
  const numbers = new Map(invoices.map((i) => [i.id, String(i.number ?? i.name ?? '')]));
  const out = new Map<string, PortalPayment['allocations']>();
  for (const r of rows) {
    if (!numbers.has(String(r.invoice))) continue;
    const list = out.get(String(r.payment)) ?? [];
    list.push({ invoiceId: String(r.invoice), invoiceNumber: numbers.get(String(r.invoice))!, amount: amount(r.amount) });
    out.set(String(r.payment), list);
  }
  return out;
}

function present(r: Record<string, unknown> & { id: string }, accounts: AccountRef[], allocations: Map<string, PortalPayment['allocations']>): PortalPayment {
  return {
    id: r.id, reference: String(r.reference ?? r.name ?? ''), account: accountRef(accounts, r.account), date: text(r.payment_date), amount: amount(r.amount),
    currency: String(r.currency ?? ''), method: text(r.method), status: String(r.status ?? ''), allocations: allocations.get(r.id) ?? [],
  };
}

export async function listPayments(platform: Platform, scope: PortalScope): Promise<{ available: boolean; data: PortalPayment[] }> {
  if (!paymentsInstalled(platform)) return { available: false, data: [] };
  const rows = await scopedList(platform, scope, { object: 'payment', fields: FIELDS, sort: '-payment_date', limit: 500 });
  const [accounts, allocations] = await Promise.all([accountsOf(platform, scope), allocationsOf(platform, scope, rows.map((r) => r.id))]);
  return { available: true, data: rows.map((r) => present(r, accounts, allocations)) };
}

export async function getPayment(platform: Platform, scope: PortalScope, id: string): Promise<PortalPayment> {
  if (!paymentsInstalled(platform)) throw notFound('Payment');
  const r = await scopedGet(platform, scope, { object: 'payment', id, fields: FIELDS, what: 'Payment' });
  return present(r, await accountsOf(platform, scope), await allocationsOf(platform, scope, [r.id]));
}
