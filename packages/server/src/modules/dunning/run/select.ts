import { sql } from 'kysely';
import type { RecordContext } from '../../../platform/records/context.ts';
import { tableOf } from '../../billing/index.ts';
import { dueLevel, type DunningConfig } from './config.ts';
import type { ReminderAccount, ReminderInvoice, ReminderLevel } from '../templates.ts';

/** Accounts per page: the run's memory is one page, however many invoices are overdue. */
export const PAGE = 500;

/** An open invoice, reminded or not: posted or partly paid, something open, not disputed. Over the alias `i`. */
export function remindable(): ReturnType<typeof sql> {
  return sql`i.deleted_at IS NULL AND i.kind = 'invoice' AND i.status IN ('posted', 'partially_paid') AND i.open_amount > 0 AND i.disputed IS NOT TRUE`;
}

/** The next accounts (by id) with an invoice overdue at least `minDays` on `day`. Keyset pages over invoicing's open-invoice index (account_id, due_date). */
export async function nextAccounts(ctx: RecordContext, args: { day: string; minDays: number; after: string }): Promise<string[]> {
  const r = await sql<{ account_id: string }>`SELECT DISTINCT i.account_id FROM ${tableOf(ctx, 'invoice')} i
    WHERE ${remindable()} AND i.due_date <= ${args.day}::date - ${args.minDays}::int AND i.account_id > ${args.after}::uuid
    ORDER BY i.account_id LIMIT ${PAGE}`.execute(ctx.trx ?? ctx.platform.db);
  return r.rows.map((x) => x.account_id);
}

export interface AccountInfo extends ReminderAccount {
  schedule: string | null;
  excluded: boolean;
  manager: string | null;
}

/**
 * The page's accounts: name, e-mail, locale, who gets the task, and the schedule that applies —
 * the account's own, else the nearest ancestor's (the account tree is the "account group"),
 * else the default. One recursive query for the page.
 */
export async function accountsOf(ctx: RecordContext, ids: readonly string[], config: DunningConfig, fallbackLocale: string): Promise<Map<string, AccountInfo>> {
  const accounts = tableOf(ctx, 'account');
  const r = await sql<{ id: string; name: string; email: string | null; document_locale: string | null; manager: string | null; excluded: boolean | null; schedule: string | null }>`
    WITH RECURSIVE up AS (
      SELECT a.id AS account_id, a.parent_account_id AS parent, a.dunning_schedule_id AS schedule, 0 AS depth FROM ${accounts} a WHERE a.id = ANY(${[...ids]}::uuid[])
      UNION ALL
      SELECT up.account_id, p.parent_account_id, p.dunning_schedule_id, up.depth + 1 FROM up JOIN ${accounts} p ON p.id = up.parent AND p.deleted_at IS NULL
      WHERE up.schedule IS NULL AND up.depth < 100
    ), found AS (SELECT DISTINCT ON (account_id) account_id, schedule FROM up WHERE schedule IS NOT NULL ORDER BY account_id, depth)
    SELECT a.id, a.name, a.email, a.document_locale, coalesce(a.account_manager_id, a.owner_id)::text AS manager, a.dunning_excluded AS excluded, f.schedule
    FROM ${accounts} a LEFT JOIN found f ON f.account_id = a.id WHERE a.id = ANY(${[...ids]}::uuid[]) AND a.deleted_at IS NULL`.execute(ctx.trx ?? ctx.platform.db);
  return new Map(r.rows.map((a) => [a.id, {
    id: a.id, name: a.name, email: a.email && a.email.trim() ? a.email.trim() : null, locale: a.document_locale ?? fallbackLocale,
    manager: a.manager, excluded: a.excluded === true, schedule: a.schedule ?? config.defaultSchedule,
  }]));
}

export interface Candidate {
  invoice: ReminderInvoice;
  account: string;
  level: ReminderLevel;
}

/**
 * What is due on `day` for the page's accounts: each remindable invoice at the level it has
 * reached, when no reminder of that level or a higher one was claimed for it. Excluded accounts,
 * accounts without an e-mail address and accounts whose schedule is inactive get nothing.
 */
export async function candidatesOf(ctx: RecordContext, args: { day: string; config: DunningConfig; accounts: Map<string, AccountInfo> }): Promise<Candidate[]> {
  const ids = [...args.accounts.values()].filter((a) => !a.excluded && a.email && a.schedule && args.config.levels.get(a.schedule)?.length).map((a) => a.id);
  if (!ids.length) return [];
  const r = await sql<{ id: string; account_id: string; number: string | null; invoice_date: string | null; due_date: string; open_amount: string; total: string; currency: string; days: number; reached: number | null }>`
    SELECT i.id, i.account_id, i.number, i.invoice_date::text, i.due_date::text, i.open_amount::text, i.total::text, i.currency,
      (${args.day}::date - i.due_date)::int AS days,
      (SELECT max(r.level) FROM ${tableOf(ctx, 'dunning_reminder')} r WHERE r.invoice_id = i.id)::int AS reached
    FROM ${tableOf(ctx, 'invoice')} i
    WHERE ${remindable()} AND i.account_id = ANY(${ids}::uuid[]) AND i.due_date <= ${args.day}::date - ${args.config.minDays}::int
    ORDER BY i.account_id, i.due_date, i.id`.execute(ctx.trx ?? ctx.platform.db);
  const out: Candidate[] = [];
  for (const row of r.rows) {
    const account = args.accounts.get(row.account_id)!;
    const level = dueLevel(args.config.levels.get(account.schedule!)!, row.days);
    if (!level || level.level <= (row.reached ?? 0)) continue;
    out.push({
      account: row.account_id, level,
      invoice: { id: row.id, number: row.number, invoice_date: row.invoice_date, due_date: row.due_date, days_overdue: row.days, open_amount: row.open_amount, total: row.total, currency: row.currency, pay_link: null },
    });
  }
  return out;
}

/**
 * The accounts with an invoice overdue at least the first level's days on `day`, a page at a time
 * (keyset by id, each page with its schedule, e-mail and locale resolved): what the run claims
 * and the dry run shows, walked the same way.
 */
export async function* overdueAccountPages(ctx: RecordContext, args: { day: string; config: DunningConfig; locale: string }): AsyncGenerator<Map<string, AccountInfo>> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const ids = await nextAccounts(ctx, { day: args.day, minDays: args.config.minDays, after });
    if (!ids.length) return;
    after = ids[ids.length - 1]!;
    yield await accountsOf(ctx, ids, args.config, args.locale);
  }
}

