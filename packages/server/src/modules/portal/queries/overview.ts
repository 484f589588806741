import type { Platform } from '../../../platform/kernel.ts';
import { Decimal } from '../../billing/index.ts';
import { scopedList, type PortalScope } from '../scope.ts';
import { accountRef, accountsOf, text, type AccountRef } from './common.ts';
import { listInvoices } from './documents.ts';

/** The portal's links (seed 004 "Portal"), of every account the contact sees, by position. */
export interface PortalLinkItem {
  id: string;
  label: string;
  url: string;
  description: string | null;
  account: AccountRef;
}

export async function listLinks(platform: Platform, scope: PortalScope): Promise<PortalLinkItem[]> {
  const rows = await scopedList(platform, scope, { object: 'portal_link', fields: ['label', 'url', 'description', 'account', 'position'], sort: 'position,label', limit: 500 });
  const accounts = await accountsOf(platform, scope);
  return rows.map((r) => ({ id: r.id, label: String(r.label ?? ''), url: String(r.url ?? ''), description: text(r.description), account: accountRef(accounts, r.account) }));
}

export interface Balance {
  currency: string;
  due: string;
  overdue: string;
  openInvoices: number;
  overdueInvoices: number;
}

/** The dashboard: what is due and overdue per currency, with counts. */
export async function balances(platform: Platform, scope: PortalScope): Promise<Balance[]> {
  const open = (await listInvoices(platform, scope, 'open')).filter((i) => i.kind === 'invoice');
  const by = new Map<string, { due: Decimal; overdue: Decimal; openInvoices: number; overdueInvoices: number }>();
  for (const i of open) {
    const b = by.get(i.currency) ?? { due: new Decimal(0), overdue: new Decimal(0), openInvoices: 0, overdueInvoices: 0 };
    b.due = b.due.plus(i.openAmount);
    b.openInvoices++;
    if (i.overdue) {
      b.overdue = b.overdue.plus(i.openAmount);
      b.overdueInvoices++;
    }
    by.set(i.currency, b);
  }
  return [...by].sort(([a], [b]) => a.localeCompare(b)).map(([currency, b]) => ({ currency, due: b.due.toFixed(2), overdue: b.overdue.toFixed(2), openInvoices: b.openInvoices, overdueInvoices: b.overdueInvoices }));
}
