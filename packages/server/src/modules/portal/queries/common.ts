import type { Platform } from '../../../platform/kernel.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { isBlank, today } from '../../billing/index.ts';
import { portalContext, scopedList, type PortalScope } from '../scope.ts';

export const text = (v: unknown): string | null => (isBlank(v) ? null : String(v));
export const amount = (v: unknown): string => (isBlank(v) ? '0' : String(v));
export const todayUtc = (platform: Platform) => today(portalContext(platform));

export interface AccountRef {
  id: string;
  name: string;
}

/** The names of the contact's accounts (ids outside the scope never appear). */
export async function accountsOf(platform: Platform, scope: PortalScope): Promise<AccountRef[]> {
  const rows = await scopedList(platform, scope, { object: 'account', path: 'id', fields: ['name', 'currency'], limit: 1000 });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return scope.accountIds.filter((id) => byId.has(id)).map((id) => ({ id, name: String(byId.get(id)!.name ?? '') }));
}

export function accountRef(accounts: AccountRef[], id: unknown): AccountRef {
  return accounts.find((a) => a.id === id) ?? { id: String(id), name: '' };
}

export type Row = ApiRecord;
