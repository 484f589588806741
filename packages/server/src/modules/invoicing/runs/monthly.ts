import { sql } from 'kysely';
import type { Platform } from '../../../platform/kernel.ts';
import { asSystem, inTransaction, systemActor, type RecordContext, type TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { createRecord, updateRecord } from '../../../platform/records/write.ts';
import { todayIn } from '../../../platform/dates.ts';
import { AppError } from '../../../platform/errors.ts';
import { asDocumentCommand, tableOf } from '../../billing/index.ts';
import { invoiceOrders } from '../commands/invoiceOrders.ts';
import { postLocked } from '../commands/post.ts';
import { invoicingSettings } from '../settings.ts';

/** Accounts read per batch: memory stays flat however many accounts a run covers. */
const BATCH = 500;
/**
 * Accounts invoiced at once, each in its own transaction and connection: an account's work is
 * mostly waiting for the database's answers, so a few side by side use the machine; they share
 * nothing but the invoice number, taken last in each posting (PGlite runs them one at a time).
 */
const WORKERS = 4;

/** Runs fn over items with at most `limit` at a time; resolves when all are done (fn handles its own errors). */
async function eachConcurrently<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export interface RunOptions {
  platform: Platform;
  /** The month to invoice (YYYY-MM); default the month before today in the organisation's zone. */
  period?: string;
  trigger?: 'schedule' | 'user';
  /** Who asked (a user's run is attributed to them); the schedule runs as the system. */
  actor?: RecordContext['actor'];
}

/** The month before the given day (YYYY-MM-DD → YYYY-MM). */
export function previousMonth(day: string): string {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** The first day after a period (YYYY-MM → YYYY-MM-DD of the next month). */
function periodEnd(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

/**
 * The monthly invoicing run (seed 004 "per month"; seed 001's month-end invoices): for every
 * account invoiced per month, its completed, uninvoiced orders completed before the period's end
 * (midnight in the organisation's zone) go on posted invoices — one per PO, or one for all of
 * them when the account allows sharing POs (per currency in both cases) — e-mailed afterwards,
 * from the queue (send/queue.ts), when the account sends automatically. Each account is one
 * transaction under an advisory lock on the account, re-reading its uninvoiced orders inside it
 * (four accounts at a time): re-running the month, or two workers running it at once, never
 * invoices an order twice (the second finds nothing left), and one account's failure (recorded on
 * the run with its reason) never stops the others. The run's record (invoice_run) shows the
 * progress and the outcome.
 */
export async function runMonthlyInvoicing(options: RunOptions): Promise<ApiRecord> {
  const { platform } = options;
  const settings = invoicingSettings.of(platform);
  const zone = settings.timeZone;
  const period = options.period ?? previousMonth(todayIn(zone));
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) {
    throw new AppError('validation_failed', 'The period is a month, YYYY-MM', { errors: [{ field: 'period', code: 'invalid_period', message: 'Give the month as YYYY-MM' }] });
  }
  const ctx: RecordContext = { platform, actor: options.actor ?? systemActor('workflow') };
  const runObject = platform.registry.requireObject('invoice_run');
  const run = await inTransaction(ctx, (tx) => createRecord({
    ctx: tx, object: runObject, input: {},
    options: { systemValues: { name: `Invoices for ${period}`, period, status: 'running', trigger: options.trigger ?? 'user', started_at: new Date().toISOString(), accounts: 0, invoices: 0, orders: 0, failed_accounts: 0 } },
  }));
  const totals = { accounts: 0, invoices: 0, orders: 0, failed_accounts: 0 };
  const failures: Array<{ account: string; code: string; message: string }> = [];
  const end = periodEnd(period);
  const progress = () => inTransaction(ctx, (tx) => updateRecord({ ctx: tx, object: runObject, id: run.id, input: {}, options: { systemValues: { ...totals } } }));
  let after = '00000000-0000-0000-0000-000000000000';
  try {
    for (;;) {
      const accounts = await dueAccounts(ctx, { zone, end, after });
      if (!accounts.length) break;
      await eachConcurrently(accounts, WORKERS, async (account) => {
        try {
          // As the system (still attributed to whoever started the run): the run covers every account,
          // whatever the starter's own sharing lets them see.
          const done = await inTransaction(ctx, (tx) => invoiceAccount(asSystem(tx), { account, zone, end }));
          totals.invoices += done.invoices;
          totals.orders += done.orders;
          if (done.orders) totals.accounts += 1;
        } catch (error) {
          totals.failed_accounts += 1;
          failures.push({ account: account.id, code: error instanceof AppError ? (error.errors[0]?.code ?? error.code) : 'error', message: error instanceof Error ? error.message : String(error) });
          platform.logger.warn({ err: error, account: account.id, period }, 'an account could not be invoiced in the monthly run');
        }
      });
      after = accounts[accounts.length - 1]!.id;
      await progress();
    }
  } catch (error) {
    await inTransaction(ctx, (tx) => updateRecord({
      ctx: tx, object: runObject, id: run.id, input: {},
      options: { systemValues: { ...totals, status: 'failed', finished_at: new Date().toISOString(), failures: JSON.stringify([...failures, { account: null, code: 'run_failed', message: (error as Error).message }]) } },
    }));
    throw error;
  }
  return inTransaction(ctx, (tx) => updateRecord({
    ctx: tx, object: runObject, id: run.id, input: {},
    options: { systemValues: { ...totals, status: failures.length ? 'completed_with_errors' : 'completed', finished_at: new Date().toISOString(), failures: failures.length ? JSON.stringify(failures) : null } },
  }));
}

interface DueAccount {
  id: string;
  allow_shared_pos: boolean | null;
}

/** The next accounts (by id) invoiced per month that have completed, uninvoiced orders of the period. */
async function dueAccounts(ctx: RecordContext, args: { zone: string; end: string; after: string }): Promise<DueAccount[]> {
  const r = await sql<DueAccount>`SELECT a.id, a.allow_shared_pos FROM ${tableOf(ctx, 'account')} a
    WHERE a.deleted_at IS NULL AND a.invoicing_option = 'per_month' AND a.id > ${args.after}::uuid
      AND EXISTS (SELECT 1 FROM ${tableOf(ctx, 'order')} o WHERE o.account_id = a.id AND o.deleted_at IS NULL AND o.status = 'completed'
        AND o.invoice_id IS NULL AND (o.completed_at AT TIME ZONE ${args.zone}) < ${args.end}::timestamp)
    ORDER BY a.id LIMIT ${BATCH}`.execute(ctx.platform.db);
  return r.rows;
}

/** One account's invoices, in its own transaction, holding the account's run lock. */
async function invoiceAccount(ctx: TxContext, args: { account: DueAccount; zone: string; end: string }): Promise<{ invoices: number; orders: number }> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`invoicing.run:${args.account.id}`}))`.execute(ctx.trx);
  const orders = (await sql<{ id: string; po_number: string | null; currency: string; tax_inclusive: boolean | null }>`SELECT id, po_number, currency, tax_inclusive
    FROM ${tableOf(ctx, 'order')} WHERE account_id = ${args.account.id} AND deleted_at IS NULL AND status = 'completed' AND invoice_id IS NULL
      AND (completed_at AT TIME ZONE ${args.zone}) < ${args.end}::timestamp
    ORDER BY completed_at, id`.execute(ctx.trx)).rows;
  const groups = new Map<string, string[]>();
  for (const o of orders) {
    const key = [o.currency, o.tax_inclusive === true, args.account.allow_shared_pos === true ? '' : (o.po_number ?? '')].join('|');
    groups.set(key, [...(groups.get(key) ?? []), o.id]);
  }
  let invoices = 0;
  for (const ids of groups.values()) {
    const { invoice, lineCount } = await invoiceOrders({ ctx, input: { orderIds: ids }, readLines: false });
    await asDocumentCommand(ctx, invoice.id, () => postLocked(ctx, invoice, { madeHere: { lines: lineCount } }));
    invoices += 1;
  }
  return { invoices, orders: orders.length };
}

/**
 * The schedule's check (hourly): on the organisation's run day, in its zone, the previous month
 * is run once — unless a scheduled run of that month exists already (any worker's).
 */
export async function runMonthlyIfDue(platform: Platform): Promise<ApiRecord | null> {
  const { timeZone, runDay } = invoicingSettings.of(platform);
  const today = todayIn(timeZone);
  if (Number(today.slice(8, 10)) !== runDay) return null;
  const period = previousMonth(today);
  const ran = await sql`SELECT 1 FROM ${tableOf({ platform, actor: systemActor() }, 'invoice_run')} WHERE period = ${period} AND trigger = 'schedule' AND deleted_at IS NULL LIMIT 1`.execute(platform.db);
  if (ran.rows.length) return null;
  return runMonthlyInvoicing({ platform, period, trigger: 'schedule' });
}
