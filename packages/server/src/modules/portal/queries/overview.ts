import type { Platform } from '../../../platform/kernel.ts';
import { sql } from 'kysely';
import { listConditions } from '../../../platform/records/read.ts';
import { Decimal, minorUnits } from '../../billing/index.ts';
import { portalContext, scopeCondition, scopedList, type PortalScope } from '../scope.ts';
import { accountRef, accountsOf, text, todayUtc, type AccountRef } from './common.ts';
import { OPEN_INVOICE } from './documents.ts';

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

/**
 * The dashboard: what is due and overdue per currency, with counts — one aggregate over the
 * contact's accounts (the same scope condition as every portal read, compiled into the query),
 * whatever the number of invoices. Amounts are exact decimals in the currency's minor unit.
 */
export async function balances(platform: Platform, scope: PortalScope): Promise<Balance[]> {
  const ctx = portalContext(platform);
  const object = platform.registry.requireObject('invoice');
  const filter = { and: [scopeCondition(scope), { field: 'kind', op: 'eq', value: 'invoice' }, { field: 'status', op: 'in', value: OPEN_INVOICE }] };
  const where = sql.join(listConditions(ctx, object, filter), sql` AND `);
  const r = await sql<{ currency: string; due: string; overdue: string; n: number; late: number }>`SELECT t0.currency, coalesce(sum(t0.open_amount), 0)::text AS due,
      coalesce(sum(t0.open_amount) FILTER (WHERE t0.due_date < ${todayUtc(platform)}::date), 0)::text AS overdue,
      count(*)::int AS n, count(*) FILTER (WHERE t0.due_date < ${todayUtc(platform)}::date)::int AS late
    FROM ${sql.table(object.table)} AS t0 WHERE ${where} AND t0.open_amount > 0 GROUP BY t0.currency ORDER BY t0.currency`.execute(platform.db);
  const exact = (v: string, currency: string) => new Decimal(v).toFixed(minorUnits(currency));
  return r.rows.map((row) => ({ currency: row.currency, due: exact(row.due, row.currency), overdue: exact(row.overdue, row.currency), openInvoices: row.n, overdueInvoices: row.late }));
}
